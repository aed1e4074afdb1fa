using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Items;

public static class ItemTransitions
{
    /// <summary>
    /// Locks an item for the rest of the caller's transaction in the order every writer of items uses: the school's
    /// audit chain, then the item's row. A writer that then reads the item sees the last committed version and no one
    /// can change it under it (a platform action finishing, say), so its save never fails on the item's version.
    /// </summary>
    public static async Task LockAsync(ModerationDbContext db, Guid schoolId, Guid itemId, CancellationToken cancellationToken)
    {
        await AuditLog.LockChainAsync(db, schoolId, cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT id FROM items WHERE id = {itemId} FOR UPDATE", cancellationToken);
    }

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
