using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class RestrictionAndLayerTests
{
    private static readonly IReadOnlyList<WeeklyWindow> SchoolHours = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0));

    [Fact]
    public void A_rotation_restricted_to_school_hours_leaves_evenings_and_the_weekend_as_gaps_with_a_reason()
    {
        // Arrange
        var weekly = Rotation("School hours", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara, Ben)
            with { Restrictions = SchoolHours };

        // Act
        var schedule = ScheduleCalculator.Compute(SchoolRota(weekly), London(2027, 1, 11), London(2027, 1, 18));

        // Assert
        schedule.Handoffs().Should().Equal(Enumerable.Range(11, 5).Select(day =>
            (Ben, new DateTime(2027, 1, day, 8, 0, 0), new DateTime(2027, 1, day, 18, 0, 0))));
        schedule.Gaps.Should().HaveCount(6).And.OnlyContain(g => g.Reason == GapReason.OutsideRotaHours);
        schedule.Gaps[^1].StartUtc.Should().Be(London(2027, 1, 15, 18));
        schedule.Gaps[^1].EndUtc.Should().Be(London(2027, 1, 18));
    }

    [Fact]
    public void An_overnight_window_runs_past_midnight_into_the_next_day()
    {
        // Arrange: out-of-hours cover from Friday 18:00 until Saturday 09:00.
        var nights = Rotation("Friday night", new DateOnly(2027, 1, 1), new TimeOnly(0, 0), TimeSpan.FromDays(1), Chloe)
            with { Restrictions = [new WeeklyWindow(DayOfWeek.Friday, new TimeOnly(18, 0), new TimeOnly(9, 0))] };

        // Act
        var schedule = ScheduleCalculator.Compute(SchoolRota(nights), London(2027, 1, 11), London(2027, 1, 18));

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.StartUtc, s.EndUtc)).Should().Equal((Chloe, London(2027, 1, 15, 18), London(2027, 1, 16, 9)));
    }

    [Fact]
    public void A_higher_layer_wins_where_it_has_someone_and_the_lower_layer_shows_through_elsewhere()
    {
        // Arrange: the whole staff take a day each round the clock; the lead moderators take school hours.
        var everyone = Rotation("Round the clock", new DateOnly(2027, 1, 4), new TimeOnly(0, 0), TimeSpan.FromDays(1), Amara, Ben);
        var leads = Rotation("Leads", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.FromDays(7), Chloe)
            with { Layer = 2, Restrictions = SchoolHours };
        var rota = SchoolRota(everyone, leads);

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 11), London(2027, 1, 12));

        // Assert
        schedule.Gaps.Should().BeEmpty();
        schedule.Primary.Select(s => (s.UserId, s.Layer, s.StartUtc, s.EndUtc)).Should().Equal(
            (Ben, 1, London(2027, 1, 11), London(2027, 1, 11, 8)),
            (Chloe, 2, London(2027, 1, 11, 8), London(2027, 1, 11, 18)),
            (Ben, 1, London(2027, 1, 11, 18), London(2027, 1, 12)));
        ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 11, 10)).Select(s => s.UserId).Should().Equal(Chloe);
    }

    [Fact]
    public void Two_rotations_in_the_same_layer_are_on_duty_together_in_the_order_the_rota_lists_them()
    {
        // Arrange
        var infants = Rotation("Infants", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara, Ben);
        var juniors = Rotation("Juniors", new DateOnly(2027, 1, 4), new TimeOnly(12, 0), TimeSpan.FromDays(7), Chloe, Dev);
        var rota = SchoolRota(infants, juniors);

        // Act
        var onDuty = ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 12, 9));
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 11), London(2027, 1, 13));

        // Assert
        onDuty.Select(s => (s.UserId, s.SourceName)).Should().Equal((Ben, "Infants"), (Dev, "Juniors"));
        onDuty[1].StartUtc.Should().Be(London(2027, 1, 11, 12));
        schedule.Primary.Select(s => s.UserId).Should().Equal(Amara, Ben);
        schedule.Shifts.Select(s => (s.UserId, s.StartUtc)).Should().Equal(
            (Amara, London(2027, 1, 11)),
            (Chloe, London(2027, 1, 11)),
            (Ben, London(2027, 1, 11, 8)),
            (Dev, London(2027, 1, 11, 12)));
    }
}
