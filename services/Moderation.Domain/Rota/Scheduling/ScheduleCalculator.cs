namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// The final schedule of a rota: who is on duty for any range, where each shift came from, and where the gaps are.
/// </summary>
/// <remarks>
/// <para>How the parts combine, at each instant (ADR 0201):</para>
/// <list type="number">
/// <item>Each rotation layer has its turn-holder on duty, clipped to its restrictions and, unless it runs in
/// holidays, to term days.</item>
/// <item>Overrides come first: while any is in force, its people are on duty instead of every layer.</item>
/// <item>Otherwise the highest layer number with anyone on duty wins. Rotations that share a layer number are on duty
/// together, in the order the rota lists them.</item>
/// <item>An absent person is replaced by the named cover of their absence if that person is present, else by the
/// first present cover-pool member not already on duty, else by the first present pool member. If nobody in a tier
/// can be put on duty, the next tier (lower layer) shows through; if none can, the time is a gap.</item>
/// </list>
/// <para>
/// Intervals are half-open, so a handoff instant belongs to the incoming person. Everything is computed by sweeping
/// sorted boundaries, so the cost grows with the number of turns and absences, not with the length of the range.
/// </para>
/// </remarks>
public static class ScheduleCalculator
{
    /// <summary>How far either side of an instant <see cref="OnDutyAt"/> looks to report a shift's start and end.</summary>
    public static readonly TimeSpan OnDutyWindow = TimeSpan.FromDays(7);

    /// <summary>How far ahead <see cref="NextOnDuty"/> searches by default: past the longest school holiday.</summary>
    public static readonly TimeSpan DefaultSearchHorizon = TimeSpan.FromDays(62);

    /// <summary>The final schedule over [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).</summary>
    /// <exception cref="ArgumentException">The rota fails <see cref="RotaDefinition.Validate"/>.</exception>
    public static FinalSchedule Compute(RotaDefinition rota, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        var builder = Run(rota, fromUtc, toUtc, withShifts: true);
        return new FinalSchedule(
            rota.Id,
            fromUtc.ToUniversalTime(),
            toUtc.ToUniversalTime(),
            builder.Shifts(),
            builder.Primary,
            builder.Gaps);
    }

    /// <summary>
    /// Everyone on duty at <paramref name="instant"/>, in precedence order: the first is the single owner. Empty in a
    /// gap. Each shift's bounds are its true ones, clipped to <see cref="OnDutyWindow"/> either side.
    /// </summary>
    public static IReadOnlyList<Shift> OnDutyAt(RotaDefinition rota, DateTimeOffset instant)
    {
        // Most shifts start and end within a day of any instant in them: look that far first, and a week only when a
        // shift reaches the edge of the day.
        var result = OnDutyWithin(rota, instant, TimeSpan.FromDays(1), out var clipped);
        return clipped ? OnDutyWithin(rota, instant, OnDutyWindow, out _) : result;
    }

    /// <summary>Everyone on duty now, by <paramref name="time"/>.</summary>
    public static IReadOnlyList<Shift> OnDutyNow(RotaDefinition rota, TimeProvider time) =>
        OnDutyAt(rota, time.GetUtcNow());

    /// <summary>
    /// The single owner's shift at <paramref name="instant"/>, or else the first one to begin after it, within
    /// <paramref name="horizon"/> (default <see cref="DefaultSearchHorizon"/>); null if nobody is on duty in that
    /// time. Bounds are as for <see cref="OnDutyAt"/>, so a shift already running starts before the instant.
    /// </summary>
    public static Shift? NextOnDuty(RotaDefinition rota, DateTimeOffset instant, TimeSpan? horizon = null)
    {
        var span = horizon ?? DefaultSearchHorizon;
        var limit = instant + span;
        var searched = instant;
        foreach (var step in (ReadOnlySpan<TimeSpan>)[TimeSpan.FromDays(1), TimeSpan.FromDays(7), TimeSpan.FromDays(31), span])
        {
            // Most calls find someone within a day; widen the search only when they do not.
            var until = step < span ? instant + step : limit;
            if (until <= searched)
            {
                continue;
            }

            if (FirstPrimaryStart(rota, searched, until) is { } found)
            {
                return OnDutyAt(rota, found)[0];
            }

            searched = until;
        }

        return null;
    }

    /// <summary>
    /// Everyone on duty for <paramref name="schoolId"/> at <paramref name="instant"/>: the school's own rotas first
    /// (those serving fewest schools), then the trust's shared ones, each in precedence order.
    /// </summary>
    public static IReadOnlyList<Shift> OnDutyForSchool(IEnumerable<RotaDefinition> rotas, Guid schoolId, DateTimeOffset instant) =>
        [.. rotas
            .Where(r => r.Covers(schoolId))
            .OrderBy(r => r.SchoolIds.Count)
            .ThenBy(r => r.Id)
            .SelectMany(r => OnDutyAt(r, instant))];

    private static List<Shift> OnDutyWithin(RotaDefinition rota, DateTimeOffset instant, TimeSpan window, out bool clipped)
    {
        var (from, to) = (instant - window, instant + window);
        var builder = Run(rota, from, to, withShifts: true, probe: instant.UtcTicks);
        var shifts = builder.Shifts();
        var result = new List<Shift>(builder.AtProbe.Count);
        foreach (var entry in builder.AtProbe.Distinct())
        {
            result.Add(shifts.First(s =>
                s.Contains(instant) && s.UserId == entry.UserId && s.Source == entry.Source &&
                s.SourceName == entry.SourceName && s.CoveringFor == entry.CoveringFor && s.Layer == entry.Layer));
        }

        clipped = result.Exists(s => s.StartUtc == from || s.EndUtc == to);
        return result;
    }

    private static DateTimeOffset? FirstPrimaryStart(RotaDefinition rota, DateTimeOffset from, DateTimeOffset to)
    {
        var builder = Run(rota, from, to, withShifts: false);
        return builder.Primary.Count > 0 ? builder.Primary[0].StartUtc : null;
    }

    private static ScheduleBuilder Run(RotaDefinition rota, DateTimeOffset fromUtc, DateTimeOffset toUtc, bool withShifts, long? probe = null)
    {
        ArgumentNullException.ThrowIfNull(rota);
        ArgumentOutOfRangeException.ThrowIfLessThan(toUtc, fromUtc);
        var errors = rota.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"Rota '{rota.Name}' cannot be scheduled: {string.Join(" ", errors)}", nameof(rota));
        }

        var builder = new ScheduleBuilder(withShifts, probe);
        new ScheduleSweep(rota, fromUtc.UtcTicks, toUtc.UtcTicks).Run(builder);
        return builder;
    }
}
