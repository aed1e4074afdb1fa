using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;

namespace Moderation.Api.Queue;

public sealed record ItemSummary(
    Guid Id,
    Guid SchoolId,
    ItemKind Kind,
    ItemState State,
    Platform? Platform,
    string? AuthorName,
    string Excerpt,
    int PhotoCount,
    bool? ScreeningComplete,
    Guid? AssignedToId,
    Guid? ClaimedById,
    DateTimeOffset ReceivedAt,
    uint Version);

public sealed record QueuePage(IReadOnlyList<ItemSummary> Items, int Total, int Page, int PageSize, IReadOnlyDictionary<string, int> CountsByState);

public sealed record MediaSummary(Guid Id, string FileName, string ContentType, long Length, string Sha256);

public sealed record FindingDto(string Category, string Rule, FindingSeverity Severity, int Offset, int Length, string Explanation);

public sealed record HistoryEntry(DateTimeOffset At, string Actor, string Action, string? FromState, string? ToState, string? Detail);

public sealed record ItemDetail(
    Guid Id,
    Guid SchoolId,
    ItemKind Kind,
    ItemState State,
    Platform? Platform,
    string? PlatformItemId,
    string? AuthorName,
    Guid? DraftAuthorId,
    string Text,
    string? ApprovedText,
    DateTimeOffset ReceivedAt,
    bool? ScreeningComplete,
    string? ScreeningNote,
    Guid? AssignedToId,
    Guid? ClaimedById,
    DateTimeOffset? ClaimExpiresAt,
    Guid? DecidedById,
    DateTimeOffset? DecidedAt,
    RejectionReason? RejectionReason,
    string? DecisionNote,
    PlatformAction PendingAction,
    IReadOnlyList<ItemState> NextStates,
    IReadOnlyList<Guid> TargetAccountIds,
    IReadOnlyList<MediaSummary> Media,
    IReadOnlyList<FindingDto> Findings,
    IReadOnlyList<HistoryEntry> History,
    uint Version);

public sealed record ApproveRequest(string? Text, uint? Version);

public sealed record RejectRequest(RejectionReason? Reason, string? Note, uint? Version);

public sealed record EscalateRequest(string? Reason);

public sealed record RevealRequest(string? Reason);

public sealed record OriginalText(Guid Id, string Text);

public sealed record DecisionResponse(Guid Id, ItemState State, PlatformAction PendingAction, Guid? DecidedById, DateTimeOffset? DecidedAt, uint Version);

public sealed record ClaimResponse(Guid Id, Guid? ClaimedById, DateTimeOffset? ClaimExpiresAt, uint Version);

internal static class QueueMappings
{
    public static ItemDetail ToDetail(this ModerationItem i, IReadOnlyList<ScreeningFinding> findings, IReadOnlyList<AuditEntry> history) => new(
        i.Id, i.SchoolId, i.Kind, i.State, i.Platform, i.PlatformItemId, i.AuthorName, i.DraftAuthorId, i.Text, i.ApprovedText,
        i.ReceivedAt, i.ScreeningComplete, i.ScreeningNote, i.AssignedToId, i.ClaimedById, i.ClaimExpiresAt, i.DecidedById,
        i.DecidedAt, i.RejectionReason, i.DecisionNote, i.PendingAction, ItemLifecycle.NextStates(i.State),
        [.. i.Targets.Select(t => t.SocialAccountId)],
        [.. i.Media.Select(m => new MediaSummary(m.Id, m.FileName, m.ContentType, m.Length, m.Sha256))],
        [.. findings.Select(f => new FindingDto(f.Category, f.Rule, f.Severity, f.Offset, f.Length, f.Explanation))],
        [.. history.Select(h => new HistoryEntry(h.At, h.Actor, h.Action, h.FromState, h.ToState, h.Detail))],
        i.Version);

    public static DecisionResponse ToDecision(this ModerationItem i) => new(i.Id, i.State, i.PendingAction, i.DecidedById, i.DecidedAt, i.Version);

    public static ClaimResponse ToClaim(this ModerationItem i) => new(i.Id, i.ClaimedById, i.ClaimExpiresAt, i.Version);
}
