namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// Converts between UTC instants and Europe/London wall-clock time, the time every rota is written in.
/// </summary>
/// <remarks>
/// A local time that the clocks skip (01:00–01:59 on the last Sunday of March) becomes the instant the clocks jump,
/// 02:00 BST. A local time that happens twice (01:00–01:59 on the last Sunday of October) is its first occurrence, in
/// BST. Both rules keep the mapping from local to UTC monotonic, so shifts built from consecutive handoffs never
/// overlap (ADR 0201).
/// </remarks>
public static class LondonTime
{
    /// <summary>The IANA zone; Debian's tzdata supplies it.</summary>
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The instant at which London's clocks show <paramref name="local"/> (its <c>Kind</c> is ignored).</summary>
    public static DateTimeOffset ToUtc(DateTime local) => new(ToUtcTicks(local.Ticks), TimeSpan.Zero);

    /// <summary>The instant at which London's clocks show <paramref name="time"/> on <paramref name="date"/>.</summary>
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time) => ToUtc(date.ToDateTime(time));

    /// <summary>What London's clocks show at <paramref name="instant"/>.</summary>
    public static DateTime ToLocal(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Zone).DateTime, DateTimeKind.Unspecified);

    internal static long ToUtcTicks(long localTicks)
    {
        // Most days have one offset all day: remember it, since a term's schedule converts thousands of local times.
        var day = (int)(localTicks / TimeSpan.TicksPerDay);
        var offset = s_dayOffsets.GetOrAdd(day, static d => UniformOffset(d));
        return offset == DayWithClockChange ? Resolve(new DateTime(localTicks)) : localTicks - offset;
    }

    private static long Resolve(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local))
        {
            return EndOfSkippedHour(local);
        }

        if (Zone.IsAmbiguousTime(local))
        {
            // The larger offset is summer time, the first of the two instants.
            var offsets = Zone.GetAmbiguousTimeOffsets(local);
            return local.Ticks - offsets.Max().Ticks;
        }

        return local.Ticks - Zone.GetUtcOffset(local).Ticks;
    }

    // The clocks jumped somewhere between (local - offset after) and (local - offset before): find the first UTC tick
    // that already has the later offset. Only skipped local times come here, so a binary search costs nothing.
    private static long EndOfSkippedHour(DateTime local)
    {
        var before = Zone.GetUtcOffset(local.AddDays(-1));
        var after = Zone.GetUtcOffset(local.AddDays(1));
        var lo = local.Ticks - after.Ticks;
        var hi = local.Ticks - before.Ticks;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (OffsetAtUtc(mid) == after)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private const long DayWithClockChange = long.MinValue;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> s_dayOffsets = new();

    private static long UniformOffset(int day)
    {
        var midnight = new DateTime(day * TimeSpan.TicksPerDay);
        var start = Zone.GetUtcOffset(midnight);
        var end = Zone.GetUtcOffset(midnight.AddDays(1));
        return start == end ? start.Ticks : DayWithClockChange;
    }

    private static TimeSpan OffsetAtUtc(long utcTicks) => Zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));
}
