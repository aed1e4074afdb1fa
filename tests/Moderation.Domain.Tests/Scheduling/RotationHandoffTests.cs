using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class RotationHandoffTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    [Fact]
    public void A_weekly_rotation_hands_over_every_Monday_at_eight_in_member_order()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Weekly", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), Week, Amara, Ben, Chloe));

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 4, 8), London(2027, 2, 1, 8));

        // Assert
        schedule.Handoffs().Should().Equal(
            (Amara, new DateTime(2027, 1, 4, 8, 0, 0), new DateTime(2027, 1, 11, 8, 0, 0)),
            (Ben, new DateTime(2027, 1, 11, 8, 0, 0), new DateTime(2027, 1, 18, 8, 0, 0)),
            (Chloe, new DateTime(2027, 1, 18, 8, 0, 0), new DateTime(2027, 1, 25, 8, 0, 0)),
            (Amara, new DateTime(2027, 1, 25, 8, 0, 0), new DateTime(2027, 2, 1, 8, 0, 0)));
        schedule.Gaps.Should().BeEmpty();
        schedule.Shifts.Should().OnlyContain(s => s.Source == ShiftSource.Rotation && s.SourceName == "Weekly" && s.Layer == 1);
    }

    [Fact]
    public void The_instant_of_a_handoff_belongs_to_the_incoming_moderator()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Weekly", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), Week, Amara, Ben));
        var handoff = London(2027, 1, 11, 8);

        // Act
        var before = ScheduleCalculator.OnDutyAt(rota, handoff.AddTicks(-1));
        var at = ScheduleCalculator.OnDutyAt(rota, handoff);

        // Assert
        before.Should().ContainSingle().Which.UserId.Should().Be(Amara);
        at.Should().ContainSingle().Which.Should().Be(
            new Shift(Ben, handoff, London(2027, 1, 18, 8), ShiftSource.Rotation, "Weekly", null, 1));
    }

    [Fact]
    public void Daily_shifts_hand_over_at_eight_local_across_the_March_change_so_one_lasts_23_hours()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Daily", new DateOnly(2027, 3, 22), new TimeOnly(8, 0), Day, Amara, Ben));

        // Act
        var shifts = ScheduleCalculator.Compute(rota, London(2027, 3, 26, 8), London(2027, 3, 30, 8)).Primary;

        // Assert
        shifts.Select(s => LondonTime.ToLocal(s.StartUtc).TimeOfDay).Should().AllBeEquivalentTo(TimeSpan.FromHours(8));
        shifts.Select(s => s.Duration.TotalHours).Should().Equal(24, 23, 24, 24);
        shifts[1].Should().Be(new Shift(Ben, Utc(2027, 3, 27, 8), Utc(2027, 3, 28, 7), ShiftSource.Rotation, "Daily", null, 1));
        shifts.Select(s => s.UserId).Should().Equal(Amara, Ben, Amara, Ben);
    }

    [Fact]
    public void Daily_shifts_hand_over_at_eight_local_across_the_October_change_so_one_lasts_25_hours()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Daily", new DateOnly(2027, 10, 25), new TimeOnly(8, 0), Day, Amara, Ben, Chloe));

        // Act
        var shifts = ScheduleCalculator.Compute(rota, London(2027, 10, 29, 8), London(2027, 11, 2, 8)).Primary;

        // Assert
        shifts.Select(s => s.Duration.TotalHours).Should().Equal(24, 25, 24, 24);
        shifts[1].StartUtc.Should().Be(Utc(2027, 10, 30, 7));
        shifts[1].EndUtc.Should().Be(Utc(2027, 10, 31, 8));
        shifts.Select(s => LondonTime.ToLocal(s.EndUtc).TimeOfDay).Should().AllBeEquivalentTo(TimeSpan.FromHours(8));
    }

    [Fact]
    public void A_handoff_at_half_past_one_on_the_spring_forward_day_happens_when_the_clocks_jump()
    {
        // Arrange: 01:30 does not exist on 28 March 2027; the handoff happens at 02:00 BST (01:00Z).
        var rota = SchoolRota(Rotation("Nights", new DateOnly(2027, 3, 20), new TimeOnly(1, 30), Day, Amara, Ben));

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 3, 27, 1, 30), London(2027, 3, 29, 1, 30));

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.StartUtc, s.EndUtc)).Should().Equal(
            (Ben, Utc(2027, 3, 27, 1, 30), Utc(2027, 3, 28, 1, 0)),
            (Amara, Utc(2027, 3, 28, 1, 0), Utc(2027, 3, 29, 0, 30)));
        ScheduleCalculator.OnDutyAt(rota, Utc(2027, 3, 28, 0, 59))[0].UserId.Should().Be(Ben);
        ScheduleCalculator.OnDutyAt(rota, Utc(2027, 3, 28, 1, 0))[0].UserId.Should().Be(Amara);
    }

    [Fact]
    public void A_handoff_at_half_past_one_on_the_fall_back_day_happens_at_the_first_half_past_one()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Nights", new DateOnly(2027, 10, 23), new TimeOnly(1, 30), Day, Amara, Ben));

        // Act
        var shifts = ScheduleCalculator.Compute(rota, Utc(2027, 10, 30, 0, 30), Utc(2027, 11, 1, 1, 30)).Primary;

        // Assert: 24 hours up to the first 01:30 (BST), then 25 hours to 01:30 GMT on Monday.
        shifts.Select(s => (s.StartUtc, s.EndUtc)).Should().Equal(
            (Utc(2027, 10, 30, 0, 30), Utc(2027, 10, 31, 0, 30)),
            (Utc(2027, 10, 31, 0, 30), Utc(2027, 11, 1, 1, 30)));
    }

    [Fact]
    public void Twelve_hour_shifts_stay_at_eight_and_twenty_hundred_local_across_the_change()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Halves", new DateOnly(2027, 3, 1), new TimeOnly(8, 0), TimeSpan.FromHours(12), Amara, Ben, Chloe));

        // Act
        var shifts = ScheduleCalculator.Compute(rota, London(2027, 3, 26, 8), London(2027, 3, 30, 8)).Primary;

        // Assert
        shifts.Should().HaveCount(8);
        shifts.Select(s => LondonTime.ToLocal(s.StartUtc).Hour).Should().OnlyContain(h => h == 8 || h == 20);
        shifts.Where(s => s.Duration != TimeSpan.FromHours(12)).Should().ContainSingle()
            .Which.Should().Match<Shift>(s => s.StartUtc == Utc(2027, 3, 27, 20) && s.Duration == TimeSpan.FromHours(11));
    }

    [Fact]
    public void Before_a_rotation_starts_nobody_is_on_duty_and_the_gap_says_so()
    {
        // Arrange
        var rota = SchoolRota(Rotation("Weekly", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), Week, Amara));

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 1), London(2027, 1, 5));

        // Assert
        schedule.Gaps.Select(g => (g.StartUtc, g.EndUtc, g.Reason, g.Detail)).Should().Equal(
            (London(2027, 1, 1), London(2027, 1, 4, 8), GapReason.OutsideRotaHours, "outside rota hours"));
        schedule.Primary.Should().ContainSingle().Which.UserId.Should().Be(Amara);
    }
}
