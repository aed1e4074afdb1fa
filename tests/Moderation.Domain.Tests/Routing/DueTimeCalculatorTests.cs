using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;

namespace Moderation.Domain.Tests.Routing;

/// <summary>
/// Due times for a comment: 30 minutes in school hours (Monday to Friday, 08:00–16:00 London time) and 4 hours
/// outside. Tuesday 1 December 2026 is in GMT, so London time and UTC agree there.
/// </summary>
public sealed class DueTimeCalculatorTests
{
    private static readonly TimeSpan InHours = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan OutOfHours = TimeSpan.FromHours(4);
    private static readonly IReadOnlyList<WeeklyWindow> SchoolHours = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(16, 0));

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    private static DateTimeOffset London(int year, int month, int day, int hour, int minute) =>
        LondonTime.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    private static DateTimeOffset Due(DateTimeOffset from) => DueTimeCalculator.DueAt(from, InHours, OutOfHours, SchoolHours);

    [Fact]
    public void A_comment_in_the_middle_of_the_school_day_is_due_thirty_minutes_later() =>
        Due(Utc(2026, 12, 1, 10, 0)).Should().Be(Utc(2026, 12, 1, 10, 30));

    [Fact]
    public void A_comment_in_the_night_is_due_four_hours_later() =>
        Due(Utc(2026, 12, 1, 2, 0)).Should().Be(Utc(2026, 12, 1, 6, 0));

    [Fact]
    public void Ten_minutes_before_the_end_of_the_day_uses_a_third_of_the_limit_and_the_rest_runs_at_the_evening_rate()
    {
        // 10 of 30 minutes in school hours; the other two thirds of 4 hours (160 minutes) from 16:00.
        Due(Utc(2026, 12, 1, 15, 50)).Should().Be(Utc(2026, 12, 1, 18, 40));
    }

    [Fact]
    public void Early_in_the_morning_the_night_rate_runs_until_school_opens_and_the_rest_is_school_time()
    {
        // 06:00–08:00 is half of the 4 hours; half of 30 minutes remains at 08:00.
        Due(Utc(2026, 12, 1, 6, 0)).Should().Be(Utc(2026, 12, 1, 8, 15));

        // 07:30–08:00 uses an eighth; seven eighths of 30 minutes is 26¼ minutes.
        Due(Utc(2026, 12, 1, 7, 30)).Should().Be(Utc(2026, 12, 1, 8, 26, 15));
    }

    [Fact]
    public void The_instant_school_opens_belongs_to_school_hours_and_the_instant_it_closes_does_not()
    {
        Due(Utc(2026, 12, 1, 8, 0)).Should().Be(Utc(2026, 12, 1, 8, 30));
        Due(Utc(2026, 12, 1, 16, 0)).Should().Be(Utc(2026, 12, 1, 20, 0));
    }

    [Fact]
    public void A_comment_late_on_Friday_afternoon_runs_into_the_weekend_at_the_out_of_hours_rate()
    {
        // Friday 4 December: 15 of 30 minutes by 16:00, then half of 4 hours.
        Due(Utc(2026, 12, 4, 15, 45)).Should().Be(Utc(2026, 12, 4, 18, 0));
    }

    [Fact]
    public void A_comment_on_Saturday_morning_gets_the_out_of_hours_limit() =>
        Due(Utc(2026, 12, 5, 10, 0)).Should().Be(Utc(2026, 12, 5, 14, 0));

    [Fact]
    public void A_draft_with_a_day_out_of_hours_submitted_on_Friday_evening_is_due_on_Saturday_evening_not_Monday()
    {
        var due = DueTimeCalculator.DueAt(Utc(2026, 12, 4, 17, 0), TimeSpan.FromHours(4), TimeSpan.FromHours(24), SchoolHours);

        due.Should().Be(Utc(2026, 12, 5, 17, 0));
    }

    [Fact]
    public void Limits_are_real_time_across_the_night_the_clocks_go_forward()
    {
        // Sunday 28 March 2027, 00:30 GMT: the clocks jump from 01:00 GMT to 02:00 BST. Four real hours later it is
        // 04:30 UTC, which London's clocks show as 05:30.
        var due = Due(Utc(2027, 3, 28, 0, 30));

        due.Should().Be(Utc(2027, 3, 28, 4, 30));
        LondonTime.ToLocal(due).Should().Be(new DateTime(2027, 3, 28, 5, 30, 0));
    }

    [Fact]
    public void Limits_are_real_time_across_the_night_the_clocks_go_back()
    {
        // Sunday 25 October 2026, 00:30 BST (23:30 UTC the day before); 01:00–02:00 happens twice.
        var due = Due(Utc(2026, 10, 24, 23, 30));

        due.Should().Be(Utc(2026, 10, 25, 3, 30));
        LondonTime.ToLocal(due).Should().Be(new DateTime(2026, 10, 25, 3, 30, 0), "four real hours show as three on the wall clock");
    }

    [Fact]
    public void School_hours_follow_London_time_after_the_clocks_go_forward()
    {
        // Monday 29 March 2027, 07:00 BST (06:00 UTC). School opens at 08:00 BST, 07:00 UTC: an hour out of hours
        // uses a quarter, and three quarters of 30 minutes follow.
        var due = Due(London(2027, 3, 29, 7, 0));

        due.Should().Be(London(2027, 3, 29, 8, 22).AddSeconds(30));
        due.Should().Be(Utc(2027, 3, 29, 7, 22, 30));
    }

    [Fact]
    public void School_hours_follow_London_time_after_the_clocks_go_back()
    {
        // Monday 26 October 2026 is GMT again: 15:50 London is 15:50 UTC, ten minutes before the bell.
        Due(London(2026, 10, 26, 15, 50)).Should().Be(Utc(2026, 10, 26, 18, 40));

        // The Friday before was BST: 15:50 London is 14:50 UTC.
        Due(London(2026, 10, 23, 15, 50)).Should().Be(Utc(2026, 10, 23, 17, 40));
    }

    [Fact]
    public void With_no_school_hours_every_item_gets_the_out_of_hours_limit() =>
        DueTimeCalculator.DueAt(Utc(2026, 12, 1, 10, 0), InHours, OutOfHours, []).Should().Be(Utc(2026, 12, 1, 14, 0));

    [Fact]
    public void A_window_that_ends_after_midnight_runs_into_the_next_day()
    {
        // A residential week: Monday 22:00 to Tuesday 02:00 is watched like school hours.
        IReadOnlyList<WeeklyWindow> evening = [new WeeklyWindow(DayOfWeek.Monday, new TimeOnly(22, 0), new TimeOnly(2, 0))];

        DueTimeCalculator.DueAt(Utc(2026, 11, 30, 23, 0), InHours, OutOfHours, evening).Should().Be(Utc(2026, 11, 30, 23, 30));
        DueTimeCalculator.DueAt(Utc(2026, 12, 1, 1, 50), InHours, OutOfHours, evening).Should().Be(Utc(2026, 12, 1, 4, 40));
    }

    [Fact]
    public void Overlapping_windows_count_once()
    {
        IReadOnlyList<WeeklyWindow> doubled = [.. SchoolHours, new WeeklyWindow(DayOfWeek.Tuesday, new TimeOnly(15, 0), new TimeOnly(17, 0))];

        // Tuesday's hours now end at 17:00: 16:50 is ten minutes before the (later) close.
        DueTimeCalculator.DueAt(Utc(2026, 12, 1, 16, 50), InHours, OutOfHours, doubled).Should().Be(Utc(2026, 12, 1, 19, 40));
    }

    [Theory]
    [InlineData(2026, 12, 1, 10, 0, true)]
    [InlineData(2026, 12, 1, 16, 0, false)]
    [InlineData(2026, 12, 1, 7, 59, false)]
    [InlineData(2026, 12, 5, 10, 0, false)]
    public void In_school_hours(int year, int month, int day, int hour, int minute, bool expected) =>
        DueTimeCalculator.InSchoolHours(Utc(year, month, day, hour, minute), SchoolHours).Should().Be(expected);

    [Fact]
    public void A_limit_must_be_positive()
    {
        var act = () => DueTimeCalculator.DueAt(Utc(2026, 12, 1, 10, 0), TimeSpan.Zero, OutOfHours, SchoolHours);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
