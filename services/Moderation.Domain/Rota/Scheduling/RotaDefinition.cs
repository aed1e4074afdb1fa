namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// A moderator rota as the scheduling engine sees it: layers of rotations, overrides on top, absences with cover, and
/// the term calendar. One school's own rota lists one school; a trust's shared rota lists each school it serves.
/// </summary>
/// <remarks>
/// Immutable input: the engine never changes it, so one definition can be computed from many threads. The rules by
/// which the layers, overrides, absences and calendar combine are in <see cref="ScheduleCalculator"/> and ADR 0201.
/// </remarks>
public sealed record RotaDefinition
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The schools whose items this rota's moderators handle.</summary>
    public IReadOnlyList<Guid> SchoolIds { get; init; } = [];

    public IReadOnlyList<RotationLayer> Layers { get; init; } = [];

    public IReadOnlyList<RotaOverride> Overrides { get; init; } = [];

    public IReadOnlyList<Absence> Absences { get; init; } = [];

    /// <summary>
    /// People who stand in, in this order, for an absent moderator who has no named cover (or whose cover is absent
    /// too).
    /// </summary>
    public IReadOnlyList<Guid> CoverPool { get; init; } = [];

    public TermCalendar Calendar { get; init; } = TermCalendar.AllYear;

    /// <summary>Whether this rota handles items for <paramref name="schoolId"/>.</summary>
    public bool Covers(Guid schoolId) => SchoolIds.Contains(schoolId);

    /// <summary>Whether an absence of <paramref name="userId"/> includes <paramref name="instant"/>.</summary>
    public bool IsAbsent(Guid userId, DateTimeOffset instant) =>
        Absences.Any(a => a.UserId == userId && a.Contains(instant));

    /// <summary>Everyone absent at <paramref name="instant"/>, for the assignment planner's escalation levels.</summary>
    public IReadOnlySet<Guid> AbsentAt(DateTimeOffset instant) =>
        Absences.Where(a => a.Contains(instant)).Select(a => a.UserId).ToHashSet();

    /// <summary>What is wrong with this definition, in words an administrator can act on; empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var layer in Layers)
        {
            if (layer.ShiftLength < TimeSpan.FromMinutes(1))
            {
                errors.Add($"Rotation '{layer.Name}': a shift must last at least a minute.");
            }

            foreach (var window in layer.Restrictions)
            {
                if (!Enum.IsDefined(window.Day))
                {
                    errors.Add($"Rotation '{layer.Name}': {window.Day} is not a day of the week.");
                }
            }
        }

        foreach (var o in Overrides.Where(o => o.EndUtc <= o.StartUtc))
        {
            errors.Add($"Override for {o.UserId}: it must end after it starts.");
        }

        foreach (var a in Absences.Where(a => a.EndUtc <= a.StartUtc))
        {
            errors.Add($"Absence of {a.UserId}: it must end after it starts.");
        }

        foreach (var a in Absences.Where(a => a.CoverUserId == a.UserId))
        {
            errors.Add($"Absence of {a.UserId}: nobody can cover for themselves.");
        }

        foreach (var range in Calendar.Terms.Concat(Calendar.Closures).Where(r => r.LastDay < r.FirstDay))
        {
            errors.Add($"'{range.Name}': the last day is before the first.");
        }

        return errors;
    }
}

/// <summary>
/// One rotation: its members take turns in order, each for <see cref="ShiftLength"/>, the first turn beginning on
/// <see cref="StartsOn"/> at <see cref="HandoffTime"/> (Europe/London).
/// </summary>
/// <remarks>
/// <para>
/// The shift length is counted on the London wall clock, not in elapsed time: a daily rota hands over at 08:00 every
/// day, so the shift that spans the March change lasts 23 hours and the one that spans the October change 25; 12-hour
/// shifts stay at 08:00 and 20:00. A handoff that falls in the skipped hour happens when the clocks jump (see
/// <see cref="LondonTime"/>).
/// </para>
/// <para>
/// <see cref="Restrictions"/> clip the shifts to weekly windows, so a weekly rota restricted to school hours has the
/// person of the week on duty only in school hours. Turns keep running through holidays and restricted hours: a
/// moderator whose turn falls in half term is not owed one later.
/// </para>
/// </remarks>
public sealed record RotationLayer
{
    public required Guid Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Where it has someone on duty, a higher layer replaces every lower one; equal layers are on duty together.</summary>
    public int Layer { get; init; } = 1;

    /// <summary>The moderators in turn order; someone may appear more than once.</summary>
    public required IReadOnlyList<Guid> Members { get; init; }

    /// <summary>The local date of the first member's first handoff. There are no shifts before it.</summary>
    public required DateOnly StartsOn { get; init; }

    /// <summary>The local time of day at which turns change.</summary>
    public required TimeOnly HandoffTime { get; init; }

    /// <summary>How long each turn lasts on the London wall clock: whole days, or hours.</summary>
    public required TimeSpan ShiftLength { get; init; }

    /// <summary>Weekly local windows outside which this rotation has nobody on duty; empty means round the clock.</summary>
    public IReadOnlyList<WeeklyWindow> Restrictions { get; init; } = [];

    /// <summary>When false (the default) the rotation has nobody on duty on days that are not term days.</summary>
    public bool RunsInHolidays { get; init; }

    /// <summary>The local date and time at which the first turn begins.</summary>
    public DateTime StartsAt => StartsOn.ToDateTime(HandoffTime);
}

/// <summary>
/// A weekly window of local time: from <see cref="Start"/> on <see cref="Day"/> until <see cref="End"/>, on the same
/// day when <see cref="End"/> is later than <see cref="Start"/>, otherwise on the next day (so 00:00–00:00 is the
/// whole day, and Friday 18:00–08:00 runs overnight into Saturday).
/// </summary>
public sealed record WeeklyWindow(DayOfWeek Day, TimeOnly Start, TimeOnly End)
{
    private static readonly DayOfWeek[] s_schoolDays =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>The same window on each day from Monday to Friday, for example school hours 08:00–18:00.</summary>
    public static IReadOnlyList<WeeklyWindow> SchoolDays(TimeOnly start, TimeOnly end) =>
        [.. s_schoolDays.Select(d => new WeeklyWindow(d, start, end))];

    /// <summary>The same window on every day of the week.</summary>
    public static IReadOnlyList<WeeklyWindow> EveryDay(TimeOnly start, TimeOnly end) =>
        [.. Enum.GetValues<DayOfWeek>().Select(d => new WeeklyWindow(d, start, end))];
}

/// <summary>
/// Puts <see cref="UserId"/> on duty for [<see cref="StartUtc"/>, <see cref="EndUtc"/>) in place of whoever the
/// layers have on duty, holidays and restrictions included.
/// </summary>
public sealed record RotaOverride(Guid UserId, DateTimeOffset StartUtc, DateTimeOffset EndUtc, string Reason);

public enum AbsenceKind
{
    Leave,
    Sickness,
    Training,
    Other,
}

/// <summary>
/// <see cref="UserId"/> is away for [<see cref="StartUtc"/>, <see cref="EndUtc"/>). Their duty goes to
/// <see cref="CoverUserId"/> if named and not away themselves, otherwise to the rota's cover pool.
/// </summary>
public sealed record Absence(Guid UserId, DateTimeOffset StartUtc, DateTimeOffset EndUtc, AbsenceKind Kind, Guid? CoverUserId = null)
{
    public bool Contains(DateTimeOffset instant) => StartUtc <= instant && instant < EndUtc;
}
