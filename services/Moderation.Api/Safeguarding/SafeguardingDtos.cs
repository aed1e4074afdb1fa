using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Safeguarding;

public sealed record EvidenceFileRequest(string? FileName, string? ContentType, string? ContentBase64, string? SourceUrl);

/// <summary>A case opened by hand: about an item of the school (optional), with any evidence to add to the item's own.</summary>
public sealed record RaiseCaseRequest(
    Guid? ItemId,
    string? Category,
    CaseSeverity? Severity,
    string? Summary,
    bool AboutHeadteacher,
    string? Payload,
    string? Url,
    List<EvidenceFileRequest>? Files);

public sealed record SuggestedReferralDto(ReferralAgency Agency, bool Made);

public sealed record CaseDto(
    Guid Id,
    Guid SchoolId,
    Guid? ItemId,
    string Category,
    CaseSeverity Severity,
    CaseSource Source,
    bool AboutHeadteacher,
    string Summary,
    Guid? RaisedById,
    string RaisedBy,
    DateTimeOffset RaisedAt,
    CaseStatus Status,
    Guid? OwnerId,
    int ChainStep,
    DateTimeOffset? AckDueAt,
    bool Overdue,
    DateTimeOffset? AcknowledgedAt,
    Guid? AcknowledgedById,
    DateTimeOffset? EvidenceCapturedAt,
    string? EvidenceSha256,
    bool LegalHold,
    string? LegalHoldReason,
    DateTimeOffset? ClosureRequestedAt,
    Guid? ClosureRequestedById,
    string? ClosureOutcome,
    DateTimeOffset? ClosedAt,
    Guid? ClosedById,
    IReadOnlyList<SuggestedReferralDto> SuggestedReferrals,
    uint Version);

public sealed record ClassificationRequest(string? Category, CaseSeverity? Severity, bool AboutHeadteacher);

public sealed record NoteRequest(string? Text);

/// <summary>One step of a case's chronology, from the audit chain.</summary>
public sealed record CaseEventDto(DateTimeOffset At, string Actor, string Action, string Detail);

public sealed record NoteDto(Guid Id, Guid CaseId, Guid AuthorId, string Author, DateTimeOffset At, string Text);

public sealed record ReferralRequest(ReferralAgency? Agency, DateTimeOffset? MadeAt, string? Reference, string? Outcome);

public sealed record ReferralUpdateRequest(string? Reference, string? Outcome);

public sealed record ReferralDto(Guid Id, Guid CaseId, ReferralAgency Agency, DateTimeOffset MadeAt, Guid MadeById, string MadeBy, string? Reference, string? Outcome, DateTimeOffset? OutcomeAt, DateTimeOffset RecordedAt);

public sealed record ReasonRequest(string? Reason);

public sealed record ClosureRequest(string? Outcome);

public sealed record SafeguardingSettingsResponse(Guid SchoolId, bool Saved, DateTimeOffset? UpdatedAt, SafeguardingSettings Settings);

internal static class SafeguardingMapping
{
    public static CaseDto ToDto(this SafeguardingCase c, DateTimeOffset now, IReadOnlyCollection<ReferralAgency> made) => new(
        c.Id, c.SchoolId, c.ItemId, c.Category, c.Severity, c.Source, c.AboutHeadteacher, c.Summary, c.RaisedById, c.RaisedBy, c.RaisedAt,
        c.Status, c.OwnerId, c.ChainStep, c.AckDueAt, c.Status == CaseStatus.Open && c.AckDueAt <= now, c.AcknowledgedAt, c.AcknowledgedById,
        c.EvidenceCapturedAt, c.EvidenceSha256, c.LegalHold, c.LegalHoldReason, c.ClosureRequestedAt, c.ClosureRequestedById, c.ClosureOutcome,
        c.ClosedAt, c.ClosedById, [.. ReferralGuidance.Suggested(c.Category).Select(a => new SuggestedReferralDto(a, made.Contains(a)))], c.Version);

    public static NoteDto ToDto(this CaseNote n) => new(n.Id, n.CaseId, n.AuthorId, n.Author, n.At, n.Text);

    public static ReferralDto ToDto(this CaseReferral r) =>
        new(r.Id, r.CaseId, r.Agency, r.MadeAt, r.MadeById, r.MadeBy, r.Reference, r.Outcome, r.OutcomeAt, r.RecordedAt);
}
