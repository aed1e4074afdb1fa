using System.Collections.Frozen;

namespace Moderation.Domain.Rota.Scheduling;

/// <summary>How many open items a person holds, and their cap (null: no cap).</summary>
public readonly record struct Workload(int OpenItems, int? Cap)
{
    public bool AtCap => Cap is { } cap && OpenItems >= cap;
}

/// <summary>Someone on duty for the item's school, in precedence order, with their workload.</summary>
/// <param name="CoveringFor">The absent moderator they stand in for, when their shift is cover.</param>
public sealed record DutyCandidate(Guid UserId, Workload Workload, Guid? CoveringFor = null)
{
    /// <summary>
    /// Candidates from on-duty shifts (as <see cref="ScheduleCalculator.OnDutyAt"/> or
    /// <see cref="ScheduleCalculator.OnDutyForSchool"/> return them), keeping each person's first shift.
    /// </summary>
    public static IReadOnlyList<DutyCandidate> FromShifts(IEnumerable<Shift> onDuty, Func<Guid, Workload> workload)
    {
        ArgumentNullException.ThrowIfNull(onDuty);
        ArgumentNullException.ThrowIfNull(workload);
        var seen = new HashSet<Guid>();
        return [.. onDuty.Where(s => seen.Add(s.UserId)).Select(s => new DutyCandidate(s.UserId, workload(s.UserId), s.CoveringFor))];
    }
}

/// <summary>
/// Who takes an item when the rota cannot: level 1 first, and so on; the last level is the headteacher (or their
/// named deputy). Caps do not apply to escalation: it is the guarantee that every item has an owner.
/// </summary>
public sealed record EscalationPolicy(IReadOnlyList<IReadOnlyList<Guid>> Levels)
{
    public static EscalationPolicy None { get; } = new([]);
}

/// <summary>The school's designated safeguarding lead(s), then the deputies.</summary>
public sealed record SafeguardingLeads(IReadOnlyList<Guid> Dsls, IReadOnlyList<Guid> Deputies)
{
    public static SafeguardingLeads None { get; } = new([], []);
}

/// <summary>Everything <see cref="AssignmentPlanner.Choose"/> needs to pick an owner for one item.</summary>
public sealed record AssignmentRequest
{
    /// <summary>Everyone on duty for the item's school at the item's time, in precedence order.</summary>
    public IReadOnlyList<DutyCandidate> OnDuty { get; init; } = [];

    public EscalationPolicy Escalation { get; init; } = EscalationPolicy.None;

    /// <summary>Safeguarding items skip the rota and go to the DSL.</summary>
    public bool IsSafeguarding { get; init; }

    public SafeguardingLeads Safeguarding { get; init; } = SafeguardingLeads.None;

    /// <summary>People this item has already been with, so a reassignment moves on to the next person.</summary>
    public IReadOnlySet<Guid> AlreadyTried { get; init; } = FrozenSet<Guid>.Empty;

    /// <summary>People absent now (<see cref="RotaDefinition.AbsentAt"/>): skipped at every step while anyone else can take it.</summary>
    public IReadOnlySet<Guid> Absent { get; init; } = FrozenSet<Guid>.Empty;

    /// <summary>
    /// Zero (the default) starts an ordinary item with the people on duty. A positive level skips the rota and starts
    /// at that escalation level (1-based): an overdue item that has gone round the rota as often as the school allows
    /// moves up the policy one level at a time. Safeguarding items ignore it.
    /// </summary>
    public int EscalateFromLevel { get; init; }
}

/// <summary>Why the chosen person has the item.</summary>
public enum AssignmentReason
{
    /// <summary>The first person on duty with room under their cap.</summary>
    OnDuty,

    /// <summary>On duty as cover for an absent moderator (<see cref="AssignmentDecision.CoveringFor"/>).</summary>
    Cover,

    /// <summary>Someone before them was at their cap (<see cref="AssignmentDecision.OverflowFrom"/>).</summary>
    Overflow,

    /// <summary>Nobody on duty could take it: escalation level <see cref="AssignmentDecision.EscalationLevel"/>.</summary>
    Escalation,

    /// <summary>A safeguarding item, straight to the DSL.</summary>
    SafeguardingDsl,

    /// <summary>A safeguarding item, to a deputy DSL because no DSL is available.</summary>
    SafeguardingDeputy,

    /// <summary>Every route was tried or absent: the item stays with the last person who can hold it.</summary>
    LastResort,

    /// <summary>Nobody exists to hold it at all.</summary>
    NoOwner,
}

/// <summary>Why an assignment must raise an alert to administrators; None when it is routine.</summary>
[Flags]
public enum AlertReasons
{
    None = 0,

    /// <summary>Nobody is on duty for the school.</summary>
    NobodyOnDuty = 1,

    /// <summary>Everyone on duty who has not had the item is at their cap.</summary>
    EveryoneAtCap = 2,

    /// <summary>Everyone on duty has already had the item.</summary>
    EveryoneOnDutyTried = 4,

    /// <summary>The item has gone to the last escalation level, the headteacher.</summary>
    ReachedHeadteacher = 8,

    /// <summary>No DSL or deputy DSL can take a safeguarding item.</summary>
    SafeguardingLeadsUnavailable = 16,

    /// <summary>Every route was tried or absent; the item went to a last resort.</summary>
    RoutesExhausted = 32,

    /// <summary>Nobody at all can hold the item.</summary>
    NoOwner = 64,

    /// <summary>The item was overdue with the rota as often as the school allows, so it went up the escalation policy.</summary>
    RepeatLimitReached = 128,
}

/// <summary>The owner chosen for an item, why, and whether administrators must be alerted.</summary>
public sealed record AssignmentDecision
{
    /// <summary>Null only when <see cref="Reason"/> is <see cref="AssignmentReason.NoOwner"/>, which always alerts.</summary>
    public Guid? UserId { get; init; }

    public required AssignmentReason Reason { get; init; }

    public Guid? CoveringFor { get; init; }

    /// <summary>The first person passed over because they were at their cap.</summary>
    public Guid? OverflowFrom { get; init; }

    /// <summary>1-based; set when <see cref="Reason"/> is <see cref="AssignmentReason.Escalation"/>.</summary>
    public int? EscalationLevel { get; init; }

    public AlertReasons Alerts { get; init; }

    public bool RaiseAlert => Alerts != AlertReasons.None;

    /// <summary>One line for the audit log and the notification.</summary>
    public required string Explanation { get; init; }
}
