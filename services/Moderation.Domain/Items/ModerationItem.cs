using Moderation.Domain.Schools;

namespace Moderation.Domain.Items;

public enum ItemKind
{
    InboundComment,
    InboundVisitorPost,
    OutboundDraft,
}

public enum ItemState
{
    Received,
    Screening,
    AwaitingReview,
    Approved,
    Rejected,
    Escalated,
    Actioned,
}

/// <summary>What is left to do on the platform once a person has decided. The connectors carry it out.</summary>
public enum PlatformAction
{
    None,
    Publish,
    Unhide,
    Hide,
    Delete,
}

/// <summary>Why an item was rejected; reported to leadership (003 §6.3(h)).</summary>
public enum RejectionReason
{
    Abusive,
    Spam,
    PersonalData,
    PupilIdentifiable,
    NoPhotoConsent,
    Inaccurate,
    OffTopic,
    Other,
}

public sealed class ModerationItem
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid? SocialAccountId { get; set; }
    public ItemKind Kind { get; set; }
    public ItemState State { get; set; }
    public Platform? Platform { get; set; }
    public string? PlatformItemId { get; set; }
    public string? AuthorName { get; set; }
    public string? AuthorPlatformId { get; set; }

    /// <summary>Staff member who wrote a draft; they may never approve it.</summary>
    public Guid? DraftAuthorId { get; set; }
    public required string Text { get; set; }

    /// <summary>The text as approved, when the approver edited it.</summary>
    public string? ApprovedText { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The text with pupils' names replaced under the school's name policy; what reviewers see and what is published.</summary>
    public string? RedactedText { get; set; }

    /// <summary>Where names were replaced (offsets into <see cref="Text"/>), as JSON; the original text is sealed.</summary>
    public string? Redactions { get; set; }

    /// <summary>The worst photo consent verdict among the item's photos: Clear, Blocked or NeedsConfirmation.</summary>
    public string? PhotoVerdict { get; set; }

    public bool? ScreeningComplete { get; set; }
    public string? ScreeningNote { get; set; }
    public Guid? AssignedToId { get; set; }

    /// <summary>When the current owner got the item (null until it is routed).</summary>
    public DateTimeOffset? AssignedAt { get; set; }

    /// <summary>When the owner's time runs out: the sweep then hands the item on, or escalates it.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>0 with the rota or the safeguarding leads; 1 and up on the school's escalation levels.</summary>
    public int EscalationLevel { get; set; }

    /// <summary>How often the item has moved to the next person on duty since it last changed level.</summary>
    public int ReassignmentCount { get; set; }

    /// <summary>Screening raised a safeguarding concern: the item went to the DSL and needs an acknowledgement.</summary>
    public bool Safeguarding { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedById { get; set; }
    public Guid? ClaimedById { get; set; }
    public DateTimeOffset? ClaimExpiresAt { get; set; }
    public Guid? DecidedById { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public RejectionReason? RejectionReason { get; set; }
    public string? DecisionNote { get; set; }
    public PlatformAction PendingAction { get; set; }

    /// <summary>The comment's public address on the platform, where the platform gives one.</summary>
    public string? PlatformUrl { get; set; }

    /// <summary>The post or thread the comment belongs to on the platform.</summary>
    public string? PlatformParentId { get; set; }

    /// <summary>The platform's own JSON for the item, exactly as received: evidence, and the basis of a re-parse.</summary>
    public string? PlatformPayload { get; set; }

    /// <summary>The service hid it on the platform (on arrival under pre-moderation, or by a decision).</summary>
    public bool HiddenOnPlatform { get; set; }

    /// <summary>What the platform did with the decision, in words, once it is carried out (or why it could not be).</summary>
    public string? PlatformOutcome { get; set; }

    /// <summary>PostgreSQL's xmin: every decision is checked against it so two moderators cannot both act.</summary>
    public uint Version { get; set; }

    public List<ItemMedia> Media { get; } = [];
    public List<DraftTarget> Targets { get; } = [];
}

public sealed class ItemMedia
{
    public Guid Id { get; set; }
    public Guid ItemId { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public long Length { get; set; }
    public required string Sha256 { get; set; }
    public required byte[] Content { get; set; }

    /// <summary>Clear, Blocked or NeedsConfirmation, from the people in the photo's metadata and the consent list.</summary>
    public string? Verdict { get; set; }

    /// <summary>Each tagged person with their consent verdict, as JSON.</summary>
    public string? People { get; set; }

    /// <summary>What the metadata gave away about where the photo was taken or who took it.</summary>
    public string? LocationFlags { get; set; }

    /// <summary>The copy that may be published: every metadata block stripped, and checked to be clean.</summary>
    public byte[]? PublishableContent { get; set; }
}

/// <summary>An account a staff draft should be published to once approved.</summary>
public sealed class DraftTarget
{
    public Guid ItemId { get; set; }
    public Guid SocialAccountId { get; set; }
}
