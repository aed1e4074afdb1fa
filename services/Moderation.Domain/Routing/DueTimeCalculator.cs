using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Routing;

/// <summary>
/// When an item falls due. Time counts against the limit at the school-hours rate while school hours run and at the
/// out-of-hours rate outside them: with 30 minutes in school hours and 4 hours outside, a comment that arrives ten
/// minutes before the end of the school day has used a third of its time by the bell, and the other two thirds of
/// the out-of-hours limit (160 minutes) follow. An item wholly inside or outside school hours simply gets that limit.
/// </summary>
/// <remarks>
/// School hours are weekly windows of Europe/London wall-clock time (<see cref="WeeklyWindow"/>, converted as
/// <see cref="LondonTime"/> does), so they follow the clock changes. Limits are elapsed time: four hours across the
/// night the clocks go forward are still four real hours.
/// </remarks>
public static class DueTimeCalculator
{
    /// <summary>The instant an item that arrived at <paramref name="from"/> is due.</summary>
    public static DateTimeOffset DueAt(DateTimeOffset from, TimeSpan inSchoolHours, TimeSpan outsideSchoolHours, IReadOnlyList<WeeklyWindow> schoolHours)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(inSchoolHours, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(outsideSchoolHours, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(schoolHours);

        // The budget is in * out "units": a tick in school hours uses `out` units and a tick outside uses `in`, so
        // either limit alone uses exactly the budget. Int128 keeps week-long limits in ticks exact.
        Int128 inRate = outsideSchoolHours.Ticks, outRate = inSchoolHours.Ticks;
        var remaining = (Int128)inSchoolHours.Ticks * outsideSchoolHours.Ticks;
        var horizon = from + (inSchoolHours > outsideSchoolHours ? inSchoolHours : outsideSchoolHours);
        var t = from.UtcTicks;
        foreach (var (start, end) in Windows(from, horizon, schoolHours))
        {
            if (end <= t)
            {
                continue;
            }

            // Outside school hours until the window opens.
            if (start > t)
            {
                var outside = (Int128)(start - t) * outRate;
                if (outside >= remaining)
                {
                    return At(t, remaining, outRate);
                }

                remaining -= outside;
                t = start;
            }

            var inside = (Int128)(end - t) * inRate;
            if (inside >= remaining)
            {
                return At(t, remaining, inRate);
            }

            remaining -= inside;
            t = end;
        }

        return At(t, remaining, outRate);
    }

    /// <summary>The due time of <paramref name="rule"/> for an item that arrived at <paramref name="from"/>.</summary>
    public static DateTimeOffset DueAt(DateTimeOffset from, DueTimeRule rule, IReadOnlyList<WeeklyWindow> schoolHours)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return DueAt(from, rule.InSchoolHours, rule.OutsideSchoolHours, schoolHours);
    }

    /// <summary>Whether <paramref name="instant"/> falls in school hours.</summary>
    public static bool InSchoolHours(DateTimeOffset instant, IReadOnlyList<WeeklyWindow> schoolHours) =>
        Windows(instant, instant, schoolHours).Any(w => w.Start <= instant.UtcTicks && instant.UtcTicks < w.End);

    // Rounds up, so an item is never due before its limit has fully run.
    private static DateTimeOffset At(long t, Int128 remaining, Int128 rate) =>
        new(t + (long)((remaining + rate - 1) / rate), TimeSpan.Zero);

    /// <summary>School hours as merged UTC tick intervals, in order, covering [from, to].</summary>
    private static List<(long Start, long End)> Windows(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<WeeklyWindow> schoolHours)
    {
        var raw = new List<(long Start, long End)>();
        var first = DateOnly.FromDateTime(LondonTime.ToLocal(from)).AddDays(-1);
        var last = DateOnly.FromDateTime(LondonTime.ToLocal(to)).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            foreach (var w in schoolHours)
            {
                if (w.Day != day.DayOfWeek)
                {
                    continue;
                }

                var start = LondonTime.ToUtc(day, w.Start).UtcTicks;
                var end = (w.End > w.Start ? LondonTime.ToUtc(day, w.End) : LondonTime.ToUtc(day.AddDays(1), w.End)).UtcTicks;
                if (end > start)
                {
                    raw.Add((start, end));
                }
            }
        }

        raw.Sort();
        var merged = new List<(long Start, long End)>(raw.Count);
        foreach (var w in raw)
        {
            if (merged.Count > 0 && w.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, w.End));
            }
            else
            {
                merged.Add(w);
            }
        }

        return merged;
    }
}
