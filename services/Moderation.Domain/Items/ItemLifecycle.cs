namespace Moderation.Domain.Items;

/// <summary>
/// The allowed moves of an item. Anything not listed is refused, so no path (an error path included) can reach
/// Approved except a person's decision from review or escalation.
/// </summary>
public static class ItemLifecycle
{
    private static readonly Dictionary<ItemState, ItemState[]> s_allowed = new()
    {
        [ItemState.Received] = [ItemState.Screening],
        [ItemState.Screening] = [ItemState.AwaitingReview],
        [ItemState.AwaitingReview] = [ItemState.Approved, ItemState.Rejected, ItemState.Escalated, ItemState.Screening],
        [ItemState.Escalated] = [ItemState.Approved, ItemState.Rejected],
        [ItemState.Approved] = [ItemState.Actioned],
        [ItemState.Rejected] = [ItemState.Actioned],
        [ItemState.Actioned] = [],
    };

    public static bool CanMove(ItemState from, ItemState to) => s_allowed[from].Contains(to);

    public static IReadOnlyList<ItemState> NextStates(ItemState from) => s_allowed[from];

    public static bool IsOpen(ItemState state) =>
        state is ItemState.Received or ItemState.Screening or ItemState.AwaitingReview or ItemState.Escalated;
}

/// <summary>Thrown when code asks for a move the lifecycle forbids; the API maps it to 409.</summary>
public sealed class InvalidTransitionException(ItemState from, ItemState to)
    : InvalidOperationException($"An item cannot move from {from} to {to}.")
{
    public ItemState From { get; } = from;
    public ItemState To { get; } = to;
}
