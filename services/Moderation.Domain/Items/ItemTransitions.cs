using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Items;

public static class ItemTransitions
{
    /// <summary>Moves an item and appends the audit entry for the move in the caller's transaction.</summary>
    public static async Task MoveAsync(
        ModerationDbContext db,
        ModerationItem item,
        ItemState to,
        Actor actor,
        string action,
        DateTimeOffset now,
        string? detail,
        CancellationToken cancellationToken)
    {
        if (!ItemLifecycle.CanMove(item.State, to))
        {
            throw new InvalidTransitionException(item.State, to);
        }

        var from = item.State;
        item.State = to;
        item.UpdatedAt = now;
        await AuditLog.AppendAsync(db, item.SchoolId, actor, action, now, item.Id, from.ToString(), to.ToString(), detail, cancellationToken);
    }
}
