namespace Moderation.Domain.Rota.Scheduling;

/// <summary>Where a shift in the final schedule came from.</summary>
public enum ShiftSource
{
    /// <summary>A rotation layer's turn.</summary>
    Rotation,

    /// <summary>An override on top of the layers.</summary>
    Override,

    /// <summary>Standing in for an absent moderator: their named cover, or the first free person in the cover pool.</summary>
    Cover,
}

/// <summary>
/// <see cref="UserId"/> is on duty for [<see cref="StartUtc"/>, <see cref="EndUtc"/>).
/// </summary>
/// <param name="SourceName">The rotation's name, or the override's reason; for cover, the name of the shift covered.</param>
/// <param name="CoveringFor">The absent moderator, when <paramref name="Source"/> is <see cref="ShiftSource.Cover"/>.</param>
/// <param name="Layer">The rotation layer number; null for an override (and for cover of one).</param>
public sealed record Shift(
    Guid UserId,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    ShiftSource Source,
    string SourceName,
    Guid? CoveringFor,
    int? Layer)
{
    /// <summary>Half-open: the instant of a handoff belongs to the incoming moderator.</summary>
    public bool Contains(DateTimeOffset instant) => StartUtc <= instant && instant < EndUtc;

    public TimeSpan Duration => EndUtc - StartUtc;
}

/// <summary>Why nobody is on duty.</summary>
public enum GapReason
{
    /// <summary>A term day, but no rotation has anyone on duty (restrictions such as school hours, or before it starts).</summary>
    OutsideRotaHours,

    /// <summary>Not a term day, and no rotation runs in holidays; <see cref="ScheduleGap.Detail"/> names the closure.</summary>
    Holiday,

    /// <summary>Someone was due on duty but is absent, with no named cover or cover pool member free.</summary>
    NoCover,
}

/// <summary>Nobody is on duty for [<see cref="StartUtc"/>, <see cref="EndUtc"/>).</summary>
/// <param name="Detail">Words for people: "outside rota hours", the holiday's name, or who is absent without cover.</param>
/// <param name="AbsentUserIds">For <see cref="GapReason.NoCover"/>, who was due on duty; otherwise empty.</param>
public sealed record ScheduleGap(
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    GapReason Reason,
    string Detail,
    IReadOnlyList<Guid> AbsentUserIds)
{
    public bool Contains(DateTimeOffset instant) => StartUtc <= instant && instant < EndUtc;
}

/// <summary>
/// Who is on duty over [<see cref="From"/>, <see cref="To"/>), and where nobody is.
/// </summary>
/// <param name="Shifts">
/// Every shift, sorted by start and then by precedence at its start. Shifts can overlap where several people are on
/// duty together (two rotations in the same layer, two overrides), and a shift is cut where its source or cover
/// changes. Bounds are clipped to the range.
/// </param>
/// <param name="Primary">
/// The single-owner view: at each instant, the first person in precedence order. These never overlap, and with
/// <paramref name="Gaps"/> they exactly tile the range.
/// </param>
/// <param name="Gaps">Where nobody is on duty, sorted, with the reason.</param>
public sealed record FinalSchedule(
    Guid RotaId,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<Shift> Shifts,
    IReadOnlyList<Shift> Primary,
    IReadOnlyList<ScheduleGap> Gaps);
