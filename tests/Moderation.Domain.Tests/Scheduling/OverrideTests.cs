using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class OverrideTests
{
    private static readonly RotationLayer Daily =
        Rotation("Daily", new DateOnly(2027, 1, 11), new TimeOnly(8, 0), TimeSpan.FromDays(1), Amara, Ben);

    [Fact]
    public void An_override_replaces_whoever_is_on_duty_for_its_interval()
    {
        // Arrange: Amara has a parents' evening; Dev takes 16:00-19:00 of her Monday.
        var rota = SchoolRota(Daily) with
        {
            Overrides = [new RotaOverride(Dev, London(2027, 1, 11, 16), London(2027, 1, 11, 19), "Parents' evening swap")],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 11, 8), London(2027, 1, 12, 8));

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.Source, s.SourceName, s.StartUtc, s.EndUtc)).Should().Equal(
            (Amara, ShiftSource.Rotation, "Daily", London(2027, 1, 11, 8), London(2027, 1, 11, 16)),
            (Dev, ShiftSource.Override, "Parents' evening swap", London(2027, 1, 11, 16), London(2027, 1, 11, 19)),
            (Amara, ShiftSource.Rotation, "Daily", London(2027, 1, 11, 19), London(2027, 1, 12, 8)));
        schedule.Shifts.Should().HaveCount(3, "the override replaces Amara rather than joining her");
        schedule.Primary[1].Layer.Should().BeNull();
    }

    [Fact]
    public void An_override_spanning_a_handoff_cuts_the_end_of_one_shift_and_the_start_of_the_next()
    {
        // Arrange
        var rota = SchoolRota(Daily) with
        {
            Overrides = [new RotaOverride(Chloe, London(2027, 1, 12, 6), London(2027, 1, 12, 10), "Early cover")],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 1, 11, 8), London(2027, 1, 13, 8));

        // Assert: Monday from 08:00 is Amara's day, Tuesday from 08:00 is Ben's.
        schedule.Primary.Select(s => (s.UserId, s.StartUtc, s.EndUtc)).Should().Equal(
            (Amara, London(2027, 1, 11, 8), London(2027, 1, 12, 6)),
            (Chloe, London(2027, 1, 12, 6), London(2027, 1, 12, 10)),
            (Ben, London(2027, 1, 12, 10), London(2027, 1, 13, 8)));
        ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 12, 8)).Select(s => s.UserId).Should().Equal(Chloe);
    }

    [Fact]
    public void Two_overrides_at_once_are_both_on_duty_in_the_order_the_rota_lists_them()
    {
        // Arrange
        var rota = SchoolRota(Daily) with
        {
            Overrides =
            [
                new RotaOverride(Chloe, London(2027, 1, 11, 9), London(2027, 1, 11, 12), "Inspection day"),
                new RotaOverride(Dev, London(2027, 1, 11, 10), London(2027, 1, 11, 11), "Inspection day"),
            ],
        };

        // Act
        var onDuty = ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 11, 10, 30));

        // Assert
        onDuty.Select(s => s.UserId).Should().Equal(Chloe, Dev);
    }

    [Fact]
    public void An_override_puts_someone_on_duty_in_a_holiday_when_the_rotation_is_off()
    {
        // Arrange: a school trip on the first day of half term still needs its posts watched.
        var rota = SchoolRota(Daily) with
        {
            Calendar = new TermCalendar { Closures = [new DateRange("Half term", new DateOnly(2027, 2, 15), new DateOnly(2027, 2, 19))] },
            Overrides = [new RotaOverride(Ellie, London(2027, 2, 15, 9), London(2027, 2, 15, 15), "Residential trip")],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 2, 15), London(2027, 2, 16));

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.Source)).Should().Equal((Ellie, ShiftSource.Override));
        schedule.Gaps.Select(g => (g.Reason, g.Detail)).Should().Equal(
            (GapReason.Holiday, "Half term"), (GapReason.Holiday, "Half term"));
    }

    [Fact]
    public void When_the_overriding_person_is_absent_with_no_cover_the_rotation_shows_through()
    {
        // Arrange
        var rota = SchoolRota(Daily) with
        {
            Overrides = [new RotaOverride(Dev, London(2027, 1, 11, 9), London(2027, 1, 11, 17), "Swap")],
            Absences = [new Absence(Dev, London(2027, 1, 11), London(2027, 1, 12), AbsenceKind.Sickness)],
        };

        // Act
        var onDuty = ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 11, 12));

        // Assert
        onDuty.Select(s => (s.UserId, s.Source)).Should().Equal((Amara, ShiftSource.Rotation));
    }
}
