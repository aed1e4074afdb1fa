namespace Moderation.Contracts;

/// <summary>A platform action was stored and is due; the worker carries it out (exactly once, under a lease).</summary>
public sealed record PlatformActionRequested(Guid ActionId, Guid ItemId, Guid SchoolId);

/// <summary>A webhook body was stored; the worker parses it and ingests the comments it carries.</summary>
public sealed record WebhookReceived(Guid DeliveryId, string Platform);

/// <summary>
/// Several stored platform actions are due together (a webhook body's hides on arrival): the worker carries them out
/// as one batch, each still exactly once under its own lease (ADR 0605).
/// </summary>
public sealed record PlatformActionsRequested(Guid[] ActionIds);
