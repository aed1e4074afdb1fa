namespace Moderation.Contracts;

/// <summary>
/// An item entered the queue (polled from a platform or submitted as a staff draft) and is to be screened. A webhook's
/// comments are screened as they are stored, with no message, unless that fails (ADR 0604).
/// </summary>
public sealed record ItemReceived(Guid ItemId, Guid SchoolId, string Kind, DateTimeOffset ReceivedAt);

/// <summary>
/// Screening finished; <paramref name="ScreeningComplete"/> is false when a check could not run. Screening now routes
/// the item in the same transaction and no longer publishes this (ADR 0603); the worker still routes from one that a
/// version before that left in the queue.
/// </summary>
public sealed record ItemScreened(Guid ItemId, Guid SchoolId, bool ScreeningComplete, int FindingCount, DateTimeOffset ScreenedAt);

/// <summary>An authorised person approved or rejected an item; <paramref name="PlatformAction"/> is what is left to do on the platform.</summary>
public sealed record ItemDecided(
    Guid ItemId,
    Guid SchoolId,
    string Decision,
    string PlatformAction,
    Guid DecidedBy,
    string? ReasonCode,
    DateTimeOffset DecidedAt);

/// <summary>A person escalated an item for the headteacher or DSL.</summary>
public sealed record ItemEscalated(Guid ItemId, Guid SchoolId, Guid EscalatedBy, string Reason, DateTimeOffset EscalatedAt);

/// <summary>Screening found something that must reach the DSL at once (DOMAIN.md "Safeguarding").</summary>
public sealed record SafeguardingConcernRaised(
    Guid ItemId,
    Guid SchoolId,
    string Category,
    string Severity,
    string Rule,
    string Explanation,
    DateTimeOffset RaisedAt);

/// <summary>An administrator asked for a consent reconciliation run; the worker carries it out.</summary>
public sealed record ConsentReconciliationRequested(Guid RunId, Guid SchoolId, DateTimeOffset RequestedAt);
