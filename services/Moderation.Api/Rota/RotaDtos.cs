namespace Moderation.Api.Rota;

/// <summary>
/// A whole rota as an administrator writes it (POST creates, PUT replaces). Dates are "yyyy-MM-dd", times "HH:mm",
/// both London local. Absences and overrides are managed on their own.
/// </summary>
public sealed record RotaRequest(
    string? Name,
    IReadOnlyList<Guid>? SchoolIds,
    IReadOnlyList<RotationRequest>? Rotations,
    IReadOnlyList<Guid>? CoverPool,
    IReadOnlyList<TermDatesRequest>? Terms,
    IReadOnlyList<TermDatesRequest>? Closures);

/// <param name="Id">On PUT, the rotation to change; without it (or with an id the rota does not have) a new one.</param>
/// <param name="Members">People in turn order; someone may take more than one turn.</param>
/// <param name="ShiftHours">Each turn's length on the London wall clock: 24 for daily, 168 for weekly.</param>
public sealed record RotationRequest(
    Guid? Id,
    string? Name,
    int? Layer,
    IReadOnlyList<Guid>? Members,
    string? StartsOn,
    string? HandoffTime,
    int? ShiftHours,
    IReadOnlyList<RestrictionRequest>? Restrictions,
    bool? RunsInHolidays);

/// <summary>The same local window on each of <paramref name="Days"/>; an end at or before the start runs overnight.</summary>
public sealed record RestrictionRequest(IReadOnlyList<string>? Days, string? Start, string? End);

public sealed record TermDatesRequest(string? Name, string? FirstDay, string? LastDay);

/// <param name="UserId">Who is away; a moderator may leave it out for their own leave.</param>
/// <param name="From">A date (from that day's start) or a date and time.</param>
/// <param name="To">A date (that day included) or a date and time (not included).</param>
public sealed record AbsenceRequest(Guid? UserId, string? Kind, string? From, string? To, Guid? CoverUserId);

public sealed record OverrideRequest(Guid? UserId, string? From, string? To, string? Reason);

public sealed record PersonDto(Guid Id, string DisplayName);

public sealed record SchoolRefDto(Guid Id, string Name);

public sealed record RotaSummaryDto(Guid Id, string Name, IReadOnlyList<SchoolRefDto> Schools, int Rotations);

public sealed record RotaDto(
    Guid Id,
    string Name,
    IReadOnlyList<SchoolRefDto> Schools,
    IReadOnlyList<RotationDto> Rotations,
    IReadOnlyList<PersonDto> CoverPool,
    IReadOnlyList<TermDatesDto> Terms,
    IReadOnlyList<TermDatesDto> Closures,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record RotationDto(
    Guid Id,
    string Name,
    int Layer,
    IReadOnlyList<PersonDto> Members,
    DateOnly StartsOn,
    string HandoffTime,
    int ShiftHours,
    IReadOnlyList<RestrictionDto> Restrictions,
    bool RunsInHolidays);

public sealed record RestrictionDto(IReadOnlyList<string> Days, string Start, string End);

public sealed record TermDatesDto(string Name, DateOnly FirstDay, DateOnly LastDay);

/// <summary>Times are given as UTC instants and again with London's offset at that moment.</summary>
public sealed record AbsenceDto(
    Guid Id,
    PersonDto Person,
    string Kind,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    DateTimeOffset FromLocal,
    DateTimeOffset ToLocal,
    PersonDto? Cover,
    string RecordedBy,
    DateTimeOffset RecordedAt);

public sealed record OverrideDto(
    Guid Id,
    PersonDto Person,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    DateTimeOffset FromLocal,
    DateTimeOffset ToLocal,
    string Reason,
    string CreatedBy,
    DateTimeOffset CreatedAt);

/// <summary>The final schedule over [FromUtc, ToUtc): everyone on duty, the single-owner view, and the gaps.</summary>
/// <param name="Shifts">Everyone on duty, several at once where layers share a number or overrides overlap.</param>
/// <param name="Primary">At each instant the first person in precedence order; with the gaps it tiles the range.</param>
public sealed record ScheduleDto(
    Guid RotaId,
    string Rota,
    DateTimeOffset FromUtc,
    DateTimeOffset ToUtc,
    DateTimeOffset FromLocal,
    DateTimeOffset ToLocal,
    IReadOnlyList<ShiftDto> Shifts,
    IReadOnlyList<ShiftDto> Primary,
    IReadOnlyList<GapDto> Gaps);

/// <param name="Source">rotation, override or cover.</param>
/// <param name="SourceName">The rotation's name or the override's reason; for cover, the shift covered.</param>
/// <param name="CoveringFor">For cover, the absent person.</param>
public sealed record ShiftDto(
    PersonDto Person,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    DateTimeOffset StartLocal,
    DateTimeOffset EndLocal,
    string Source,
    string SourceName,
    int? Layer,
    PersonDto? CoveringFor);

/// <param name="Reason">no-cover, holiday or outside-rota-hours.</param>
/// <param name="Absent">For no-cover, who was due on duty but is away.</param>
public sealed record GapDto(
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    DateTimeOffset StartLocal,
    DateTimeOffset EndLocal,
    string Reason,
    string Detail,
    IReadOnlyList<PersonDto> Absent);

/// <summary>Who is on duty for a school now, from every rota covering it (the school's own first), and the next gap.</summary>
/// <param name="NextGap">When nobody will be on duty, if that starts within 24 hours (it may have started already).</param>
public sealed record OnDutyDto(
    Guid SchoolId,
    DateTimeOffset AtUtc,
    DateTimeOffset AtLocal,
    IReadOnlyList<OnDutyEntryDto> OnDuty,
    OnDutyGapDto? NextGap);

/// <param name="SinceUtc">When this shift began, looking back at most a week.</param>
/// <param name="UntilUtc">When it ends, looking ahead at most a week.</param>
public sealed record OnDutyEntryDto(
    Guid RotaId,
    string Rota,
    PersonDto Person,
    string Source,
    string SourceName,
    int? Layer,
    PersonDto? CoveringFor,
    DateTimeOffset SinceUtc,
    DateTimeOffset UntilUtc,
    DateTimeOffset SinceLocal,
    DateTimeOffset UntilLocal);

/// <param name="UntilUtc">Null when the gap lasts beyond the week looked at.</param>
/// <param name="Reason">no-rota, no-cover, holiday or outside-rota-hours, from the first rota in precedence order.</param>
public sealed record OnDutyGapDto(
    DateTimeOffset FromUtc,
    DateTimeOffset? UntilUtc,
    DateTimeOffset FromLocal,
    DateTimeOffset? UntilLocal,
    string Reason,
    string Detail);
