using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Safeguarding;

/// <summary>The categories of DOMAIN.md "Safeguarding", with the risk category names screening uses for them.</summary>
public static class CaseCategories
{
    public const string ChildSexualAbuse = RiskCategories.ChildSexualAbuse;
    public const string Grooming = RiskCategories.Grooming;
    public const string ThreatToLife = RiskCategories.ThreatToLife;
    public const string Hate = RiskCategories.Hate;
    public const string AllegationAgainstStaff = RiskCategories.AllegationAgainstStaff;
    public const string Bullying = RiskCategories.Bullying;
    public const string Radicalisation = RiskCategories.Radicalisation;
    public const string Complaint = RiskCategories.Complaint;

    /// <summary>A moderator escalated an item that screening had not placed; the DSL sets the category.</summary>
    public const string Unclassified = nameof(Unclassified);

    public static IReadOnlyList<string> All { get; } =
        [ChildSexualAbuse, Grooming, ThreatToLife, Hate, AllegationAgainstStaff, Bullying, Radicalisation, Complaint, Unclassified];

    /// <summary>Suspected indecent images of children: the media is never stored, copied or shown (DOMAIN.md).</summary>
    public static bool WithholdsMedia(string category) => category == ChildSexualAbuse;

    /// <summary>Whom the category goes to first: the headteacher for allegations and complaints, otherwise the DSL.</summary>
    public static bool HeadteacherFirst(string category) => category is AllegationAgainstStaff or Complaint;
}

public enum CaseSeverity
{
    Low,
    Medium,
    High,

    /// <summary>Immediate risk of harm: the out-of-hours clock never waits for school to open.</summary>
    Critical,
}

/// <summary>How a case opened.</summary>
public enum CaseSource
{
    /// <summary>A moderator (or anyone on the queue) escalated the item.</summary>
    Escalation,

    /// <summary>Screening raised a safeguarding concern.</summary>
    Screening,

    /// <summary>The headteacher or a DSL opened it by hand.</summary>
    Raised,
}

public enum CaseStatus
{
    /// <summary>Waiting for someone on the chain to acknowledge it within the time limit.</summary>
    Open,
    Acknowledged,

    /// <summary>One person asked to close it; a second must sign off.</summary>
    ClosurePending,
    Closed,
}

/// <summary>
/// A safeguarding escalation case (DOMAIN.md "Safeguarding"): what it is, who raised it, who holds it and until when
/// it must be acknowledged, the evidence snapshot taken when it opened, its legal hold, and its two-person closure.
/// </summary>
public sealed class SafeguardingCase
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }

    /// <summary>The item the case is about; null for a case the headteacher or DSL opened without one.</summary>
    public Guid? ItemId { get; set; }
    public required string Category { get; set; }
    public CaseSeverity Severity { get; set; }
    public CaseSource Source { get; set; }

    /// <summary>An allegation about the headteacher: the chair of governors takes it, and the headteacher never sees it.</summary>
    public bool AboutHeadteacher { get; set; }
    public required string Summary { get; set; }
    public Guid? RaisedById { get; set; }
    public required string RaisedBy { get; set; }
    public DateTimeOffset RaisedAt { get; set; }
    public CaseStatus Status { get; set; }

    /// <summary>Who holds the case now: the first person on its current chain step, or whoever acknowledged it.</summary>
    public Guid? OwnerId { get; set; }

    /// <summary>0 for the first step of the chain (<see cref="CaseChain"/>), then 1, 2...</summary>
    public int ChainStep { get; set; }
    public DateTimeOffset? AckDueAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public Guid? AcknowledgedById { get; set; }

    public DateTimeOffset? EvidenceCapturedAt { get; set; }

    /// <summary>SHA-256 over the evidence manifest (<see cref="Evidence.EvidenceManifest.BundleHash"/>).</summary>
    public string? EvidenceSha256 { get; set; }

    public bool LegalHold { get; set; }
    public DateTimeOffset? LegalHoldAt { get; set; }
    public Guid? LegalHoldById { get; set; }
    public string? LegalHoldReason { get; set; }

    public DateTimeOffset? ClosureRequestedAt { get; set; }
    public Guid? ClosureRequestedById { get; set; }
    public string? ClosureOutcome { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>The second person, who signed off the closure.</summary>
    public Guid? ClosedById { get; set; }

    /// <summary>PostgreSQL's xmin, so two people cannot change the case at once.</summary>
    public uint Version { get; set; }
}

/// <summary>A confidential note: only the people who may see the case read it; nobody else learns it exists.</summary>
public sealed class CaseNote
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public Guid AuthorId { get; set; }
    public required string Author { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Text { get; set; }
}

public enum ReferralAgency
{
    Ceop,
    Police101,
    Police999,
    Lado,
    ChildrensSocialCare,
    Prevent,
    Iwf,
    Platform,
}

/// <summary>A referral made to an outside agency: when, by whom, its reference number, and later its outcome.</summary>
public sealed class CaseReferral
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public ReferralAgency Agency { get; set; }
    public DateTimeOffset MadeAt { get; set; }
    public Guid MadeById { get; set; }
    public required string MadeBy { get; set; }
    public string? Reference { get; set; }
    public string? Outcome { get; set; }
    public DateTimeOffset? OutcomeAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

public enum EvidenceKind
{
    Item,
    Text,
    Payload,
    Media,
}

/// <summary>
/// One part of a case's evidence snapshot with its SHA-256. <see cref="Content"/> is null when the part is withheld:
/// the media of suspected child sexual abuse material is hashed in memory and never stored.
/// </summary>
public sealed class EvidencePart
{
    public Guid Id { get; set; }
    public Guid CaseId { get; set; }
    public int Position { get; set; }
    public EvidenceKind Kind { get; set; }

    /// <summary>The file's path inside an export, such as <c>evidence/text.txt</c>.</summary>
    public required string Name { get; set; }
    public required string ContentType { get; set; }
    public long Length { get; set; }
    public required string Sha256 { get; set; }
    public byte[]? Content { get; set; }
    public bool Withheld { get; set; }

    /// <summary>Where the part came from on the platform, if it has an address.</summary>
    public string? SourceUrl { get; set; }
    public DateTimeOffset CapturedAt { get; set; }
}

/// <summary>What the retention job deleted, so leadership can see it; never the content itself.</summary>
public sealed class RetentionPurge
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public DateTimeOffset PurgedAt { get; set; }

    /// <summary>RejectedItem or Case.</summary>
    public required string Kind { get; set; }
    public Guid SubjectId { get; set; }
    public required string RetentionClass { get; set; }
    public int RetentionDays { get; set; }
    public required string Detail { get; set; }
}
