using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Names;

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

/// <param name="Verdict">clear, blocked or needs-confirmation; null before screening.</param>
/// <param name="HasPublishableCopy">Whether a copy with the location and people metadata removed (and verified clean) exists.</param>
public sealed record MediaSummary(
    Guid Id,
    string FileName,
    string ContentType,
    long Length,
    string Sha256,
    string? Verdict,
    IReadOnlyList<PhotoPersonView> People,
    string? LocationFlags,
    bool HasPublishableCopy);

/// <summary>A pupil's name replaced in the text reviewers see: <see cref="Offset"/> and <see cref="Length"/> index that text.</summary>
public sealed record RedactionDto(int Offset, int Length, Guid PupilId, string Replacement);

/// <param name="MediaId">The photo the finding is about; null for findings in the text.</param>
public sealed record FindingDto(string Category, string Rule, FindingSeverity Severity, int Offset, int Length, string Explanation, Guid? MediaId);

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
    bool TextRedacted,
    IReadOnlyList<RedactionDto> Redactions,
    string? PhotoVerdict,
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
    uint Version,
    OnPlatformView OnPlatform);

/// <summary>
/// The item on its platform: its address, whether the service hid it, what approving and rejecting will do there
/// (only what the platform supports is offered), and each action carried out or waiting.
/// </summary>
/// <param name="TextEditable">Whether approving may change the text on the platform (the school's own drafts; a blog's comments).</param>
public sealed record OnPlatformView(
    string? Url,
    bool Hidden,
    bool TextEditable,
    PlatformAction OnApprove,
    PlatformAction OnReject,
    string? Outcome,
    IReadOnlyList<PlatformActionView> Actions);

public sealed record PlatformActionView(
    Guid Id,
    Guid SocialAccountId,
    PlatformAction Action,
    Domain.Platforms.ActionPurpose Purpose,
    Domain.Platforms.ActionStatus Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    string? Result,
    string? ResultUrl);

public sealed record ApproveRequest(string? Text, uint? Version);

public sealed record RejectRequest(RejectionReason? Reason, string? Note, uint? Version);

public sealed record EscalateRequest(string? Reason);

public sealed record RevealRequest(string? Reason);

public sealed record OriginalText(Guid Id, string Text);

public sealed record DecisionResponse(Guid Id, ItemState State, PlatformAction PendingAction, Guid? DecidedById, DateTimeOffset? DecidedAt, uint Version);

public sealed record ClaimResponse(Guid Id, Guid? ClaimedById, DateTimeOffset? ClaimExpiresAt, uint Version);

internal static class QueueMappings
{
    /// <summary>
    /// The item as reviewers see it: the redacted text (the original is sealed, see <c>POST /api/items/{id}/original</c>),
    /// with the redactions and findings placed on that text.
    /// </summary>
    public static ItemDetail ToDetail(
        this ModerationItem i,
        IReadOnlyList<ScreeningFinding> findings,
        IReadOnlyList<AuditEntry> history,
        IReadOnlyList<Domain.Platforms.PlatformActionRecord> actions,
        Domain.Platforms.PlatformCapabilities capabilities)
    {
        var spans = ScreeningJson.ReadRedactions(i.Redactions);
        var offsets = new RedactedOffsets(spans.Select(s => new Replacement(s.Offset, s.Length, s.Replacement.Length)));
        return new(
            i.Id, i.SchoolId, i.Kind, i.State, i.Platform, i.PlatformItemId, i.AuthorName, i.DraftAuthorId, i.ReviewerText(),
            spans.Count > 0, [.. spans.Select(s => ToRedaction(s, offsets))], i.PhotoVerdict, i.ApprovedText,
            i.ReceivedAt, i.ScreeningComplete, i.ScreeningNote, i.AssignedToId, i.ClaimedById, i.ClaimExpiresAt, i.DecidedById,
            i.DecidedAt, i.RejectionReason, i.DecisionNote, i.PendingAction, ItemLifecycle.NextStates(i.State),
            [.. i.Targets.Select(t => t.SocialAccountId)],
            [.. i.Media.Select(m => new MediaSummary(
                m.Id, m.FileName, m.ContentType, m.Length, m.Sha256, m.Verdict, ScreeningJson.ReadPeople(m.People), m.LocationFlags,
                m.PublishableContent is not null))],
            [.. findings.Select(f => ToFinding(f, offsets))],
            [.. history.Select(h => new HistoryEntry(h.At, h.Actor, h.Action, h.FromState, h.ToState, h.Detail))],
            i.Version,
            new OnPlatformView(
                i.PlatformUrl, i.HiddenOnPlatform, i.Kind == ItemKind.OutboundDraft || capabilities.HasFlag(Domain.Platforms.PlatformCapabilities.EditComments),
                ItemDecisions.ApprovalAction(i), ItemDecisions.RejectionAction(i), i.PlatformOutcome,
                [.. actions.Select(a => new PlatformActionView(a.Id, a.SocialAccountId, a.Action, a.Purpose, a.Status, a.Attempts, a.CreatedAt,
                    a.CompletedAt, a.Status is Domain.Platforms.ActionStatus.Waiting or Domain.Platforms.ActionStatus.Pending ? a.NextAttemptAt : null,
                    a.LastError, a.Result, a.ResultUrl))]));
    }

    /// <summary>Shown instead of the text until screening has redacted it.</summary>
    public const string AwaitingScreening = "[hidden until screening has redacted pupils' names]";

    /// <summary>What a reviewer may read of the item's text: the redacted text once screened, nothing before.</summary>
    public static string ReviewerText(this ModerationItem i) =>
        i.RedactedText ?? (i.State is ItemState.Received or ItemState.Screening ? AwaitingScreening : i.Text);

    private static RedactionDto ToRedaction(RedactionSpan span, RedactedOffsets offsets)
    {
        var (offset, _) = offsets.Map(span.Offset, span.Length);
        return new RedactionDto(offset, span.Replacement.Length, span.PupilId, span.Replacement);
    }

    private static FindingDto ToFinding(ScreeningFinding f, RedactedOffsets offsets)
    {
        var (offset, length) = f.MediaId is null ? offsets.Map(f.Offset, f.Length) : (0, 0);
        return new FindingDto(f.Category, f.Rule, f.Severity, offset, length, f.Explanation, f.MediaId);
    }

    public static DecisionResponse ToDecision(this ModerationItem i) => new(i.Id, i.State, i.PendingAction, i.DecidedById, i.DecidedAt, i.Version);

    public static ClaimResponse ToClaim(this ModerationItem i) => new(i.Id, i.ClaimedById, i.ClaimExpiresAt, i.Version);
}
