namespace Moderation.Domain.Rota.Scheduling;

/// <summary>[Start, End) in UTC ticks.</summary>
internal readonly record struct Span(long Start, long End);

/// <summary>One member's turn in a rotation, in UTC ticks.</summary>
internal readonly record struct Turn(long Start, long End, Guid UserId);

/// <summary>A run of non-term days, in UTC ticks.</summary>
internal readonly record struct Holiday(long Start, long End, string Name);

/// <summary>
/// Interval arithmetic on sorted lists: each step is a linear sweep, never a walk over minutes.
/// </summary>
internal static class RotationTurns
{
    /// <summary>
    /// A layer's turns within [from, to), clipped to its restrictions and, unless it runs in holidays, to term days.
    /// The result is sorted and never overlaps.
    /// </summary>
    public static List<Turn> For(RotationLayer layer, long from, long to, List<Holiday> holidays)
    {
        var turns = Raw(layer, from, to);
        if (turns.Count > 0 && layer.Restrictions.Count > 0)
        {
            turns = Intersect(turns, Windows(layer.Restrictions, from, to));
        }

        if (turns.Count > 0 && !layer.RunsInHolidays && holidays.Count > 0)
        {
            turns = Subtract(turns, holidays);
        }

        return turns;
    }

    /// <summary>The non-term days within [from, to), merged into runs with one name.</summary>
    public static List<Holiday> Holidays(TermCalendar calendar, long from, long to)
    {
        var holidays = new List<Holiday>();
        if (calendar.Terms.Count == 0 && calendar.Closures.Count == 0)
        {
            return holidays;
        }

        var (first, last) = LocalDates(from, to);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            if (calendar.HolidayName(date) is not { } name)
            {
                continue;
            }

            var start = Math.Max(from, LondonTime.ToUtcTicks(date.DayNumber * TimeSpan.TicksPerDay));
            var end = Math.Min(to, LondonTime.ToUtcTicks((date.DayNumber + 1) * TimeSpan.TicksPerDay));
            if (end <= start)
            {
                continue;
            }

            if (holidays.Count > 0 && holidays[^1].End == start && holidays[^1].Name == name)
            {
                holidays[^1] = holidays[^1] with { End = end };
            }
            else
            {
                holidays.Add(new Holiday(start, end, name));
            }
        }

        return holidays;
    }

    private static List<Turn> Raw(RotationLayer layer, long from, long to)
    {
        var turns = new List<Turn>();
        var members = layer.Members;
        if (members.Count == 0)
        {
            return turns;
        }

        // Turn n begins at anchor + n × length on the local clock. The local bounds are widened by a day because
        // local time runs backwards for an hour in October; turns outside [from, to) are dropped by the clip.
        var length = layer.ShiftLength.Ticks;
        var anchor = layer.StartsAt.Ticks;
        var fromLocal = LondonTime.ToLocal(new DateTimeOffset(from, TimeSpan.Zero)).Ticks - TimeSpan.TicksPerDay;
        var toLocal = LondonTime.ToLocal(new DateTimeOffset(to, TimeSpan.Zero)).Ticks + TimeSpan.TicksPerDay;
        var n = fromLocal <= anchor ? 0 : (fromLocal - anchor) / length;
        var previousEnd = LondonTime.ToUtcTicks(anchor + (n * length));
        for (; anchor + (n * length) < toLocal; n++)
        {
            var start = previousEnd;
            var end = LondonTime.ToUtcTicks(anchor + ((n + 1) * length));
            previousEnd = end;
            var clippedStart = Math.Max(start, from);
            var clippedEnd = Math.Min(end, to);
            if (clippedEnd > clippedStart)
            {
                turns.Add(new Turn(clippedStart, clippedEnd, members[(int)(n % members.Count)]));
            }
        }

        return turns;
    }

    /// <summary>The weekly windows as UTC spans covering [from, to), sorted and merged.</summary>
    internal static List<Span> Windows(IReadOnlyList<WeeklyWindow> windows, long from, long to)
    {
        var spans = new List<Span>();
        var (first, last) = LocalDates(from, to);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            foreach (var window in windows)
            {
                if (window.Day != date.DayOfWeek)
                {
                    continue;
                }

                var endDate = window.End > window.Start ? date : date.AddDays(1);
                var start = Math.Max(from, LondonTime.ToUtcTicks(date.ToDateTime(window.Start).Ticks));
                var end = Math.Min(to, LondonTime.ToUtcTicks(endDate.ToDateTime(window.End).Ticks));
                if (end > start)
                {
                    spans.Add(new Span(start, end));
                }
            }
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<Span>(spans.Count);
        foreach (var span in spans)
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, span.End) };
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }

    internal static List<Turn> Intersect(List<Turn> turns, List<Span> spans)
    {
        var result = new List<Turn>(turns.Count);
        int i = 0, j = 0;
        while (i < turns.Count && j < spans.Count)
        {
            var turn = turns[i];
            var span = spans[j];
            var start = Math.Max(turn.Start, span.Start);
            var end = Math.Min(turn.End, span.End);
            if (end > start)
            {
                result.Add(turn with { Start = start, End = end });
            }

            if (turn.End <= span.End)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return result;
    }

    internal static List<Turn> Subtract(List<Turn> turns, List<Holiday> holidays)
    {
        var result = new List<Turn>(turns.Count);
        var j = 0;
        foreach (var turn in turns)
        {
            var cursor = turn.Start;
            while (j < holidays.Count && holidays[j].End <= cursor)
            {
                j++;
            }

            for (var k = j; k < holidays.Count && holidays[k].Start < turn.End; k++)
            {
                if (holidays[k].Start > cursor)
                {
                    result.Add(turn with { Start = cursor, End = holidays[k].Start });
                }

                cursor = Math.Max(cursor, holidays[k].End);
            }

            if (cursor < turn.End)
            {
                result.Add(turn with { Start = cursor });
            }
        }

        return result;
    }

    // Every local date that [from, to) touches, one day either side for windows that run past midnight.
    private static (DateOnly First, DateOnly Last) LocalDates(long from, long to)
    {
        var first = DateOnly.FromDateTime(LondonTime.ToLocal(new DateTimeOffset(from, TimeSpan.Zero)));
        var last = DateOnly.FromDateTime(LondonTime.ToLocal(new DateTimeOffset(to, TimeSpan.Zero)));
        return (first.AddDays(-1), last.AddDays(1));
    }
}
