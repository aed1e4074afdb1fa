using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class TermCalendarTests
{
    // Autumn term 2027 with a half-term week (25-29 October) and an INSET day on Friday 19 November.
    private static readonly TermCalendar Autumn2027 = new()
    {
        Terms = [new DateRange("Autumn term", new DateOnly(2027, 9, 1), new DateOnly(2027, 12, 17))],
        Closures =
        [
            new DateRange("Half term", new DateOnly(2027, 10, 25), new DateOnly(2027, 10, 29)),
            new DateRange("INSET day", new DateOnly(2027, 11, 19), new DateOnly(2027, 11, 19)),
        ],
    };

    private static readonly RotationLayer SchoolHoursWeekly =
        Rotation("Weekly", new DateOnly(2027, 9, 6), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara, Ben, Chloe)
            with { Restrictions = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0)) };

    [Fact]
    public void Half_term_is_one_gap_with_the_reason_holiday_and_the_closure_name()
    {
        // Arrange
        var rota = SchoolRota(SchoolHoursWeekly) with { Calendar = Autumn2027 };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 10, 25), London(2027, 10, 30));

        // Assert
        schedule.Primary.Should().BeEmpty();
        schedule.Gaps.Select(g => (g.StartUtc, g.EndUtc, g.Reason, g.Detail)).Should().Equal(
            (London(2027, 10, 25), London(2027, 10, 30), GapReason.Holiday, "Half term"));
    }

    [Fact]
    public void A_rotation_marked_to_run_in_holidays_keeps_its_shifts_through_half_term()
    {
        // Arrange
        var rota = SchoolRota(SchoolHoursWeekly with { RunsInHolidays = true }) with { Calendar = Autumn2027 };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 10, 25), London(2027, 10, 30));

        // Assert: the week of 25 October is Ben's turn; the evenings of a holiday are holiday gaps.
        schedule.Primary.Should().HaveCount(5).And.OnlyContain(s => s.UserId == Ben);
        schedule.Primary[0].StartUtc.Should().Be(London(2027, 10, 25, 8));
        schedule.Gaps.Should().HaveCount(6).And.OnlyContain(g => g.Reason == GapReason.Holiday && g.Detail == "Half term");
    }

    [Fact]
    public void Turns_keep_running_through_half_term_rather_than_waiting_for_the_missed_moderator()
    {
        // Arrange
        var rota = SchoolRota(SchoolHoursWeekly) with { Calendar = Autumn2027 };

        // Act
        var before = ScheduleCalculator.OnDutyAt(rota, London(2027, 10, 22, 9));
        var after = ScheduleCalculator.OnDutyAt(rota, London(2027, 11, 1, 9));

        // Assert
        before.Single().UserId.Should().Be(Amara);
        after.Single().UserId.Should().Be(Chloe, "Ben's week fell in half term and is not owed to him");
    }

    [Fact]
    public void An_INSET_day_is_a_holiday_inside_the_term()
    {
        // Arrange
        var rota = SchoolRota(SchoolHoursWeekly) with { Calendar = Autumn2027 };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 11, 18), London(2027, 11, 20));

        // Assert
        schedule.Gaps.Should().ContainSingle(g => g.Reason == GapReason.Holiday)
            .Which.Should().Match<ScheduleGap>(g => g.Detail == "INSET day" && g.StartUtc == London(2027, 11, 19) && g.EndUtc == London(2027, 11, 20));
        schedule.Primary.Should().ContainSingle().Which.StartUtc.Should().Be(London(2027, 11, 18, 8));
    }

    [Fact]
    public void Days_between_terms_are_outside_term_and_days_in_term_are_term_days()
    {
        Autumn2027.HolidayName(new DateOnly(2027, 8, 31)).Should().Be(TermCalendar.OutsideTerm);
        Autumn2027.HolidayName(new DateOnly(2027, 12, 18)).Should().Be(TermCalendar.OutsideTerm);
        Autumn2027.IsTermDay(new DateOnly(2027, 9, 1)).Should().BeTrue();
        Autumn2027.IsTermDay(new DateOnly(2027, 12, 17)).Should().BeTrue();
        Autumn2027.IsTermDay(new DateOnly(2027, 10, 29)).Should().BeFalse();
        TermCalendar.AllYear.IsTermDay(new DateOnly(2027, 8, 1)).Should().BeTrue();
    }

    [Fact]
    public void A_holiday_runs_from_local_midnight_to_local_midnight_even_on_the_day_the_clocks_go_back()
    {
        // Arrange: Sunday 31 October 2027 is 25 hours long and falls between half term and the next school week.
        var rota = SchoolRota(SchoolHoursWeekly with { Restrictions = [] }) with
        {
            Calendar = new TermCalendar { Closures = [new DateRange("Clocks day", new DateOnly(2027, 10, 31), new DateOnly(2027, 10, 31))] },
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, London(2027, 10, 30), London(2027, 11, 2));

        // Assert
        var holiday = schedule.Gaps.Should().ContainSingle().Subject;
        (holiday.StartUtc, holiday.EndUtc).Should().Be((Utc(2027, 10, 30, 23), Utc(2027, 11, 1)));
        holiday.Reason.Should().Be(GapReason.Holiday);
    }
}
