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

    /// <summary>
    /// <see cref="LockAsync"/> and the read that follows it in one statement: the item's row is locked and returned
    /// together, tracked, or null if there is no such item. Routing, in the same transaction, then knows the item
    /// cannot have changed since and does not check its version again.
    /// </summary>
    public static async Task<ModerationItem?> LockAndReadAsync(ModerationDbContext db, Guid schoolId, Guid itemId, CancellationToken cancellationToken) =>
        (await LockAndReadManyAsync(db, schoolId, [itemId], cancellationToken)).FirstOrDefault();

    /// <summary>
    /// <see cref="LockAndReadAsync"/> for several items of one school at once: their rows are locked in id order and
    /// returned tracked; an item that does not exist is missing from the result.
    /// </summary>
    public static async Task<IReadOnlyList<ModerationItem>> LockAndReadManyAsync(
        ModerationDbContext db, Guid schoolId, IReadOnlyCollection<Guid> itemIds, CancellationToken cancellationToken)
    {
        await AuditLog.LockChainAsync(db, schoolId, cancellationToken);
        // An instance tracked already would be returned as it is, not as read here: only a fresh one counts as read under the lock.
        var fresh = itemIds.Where(id => db.TrackedItem(id) is null).ToHashSet();
        var ids = itemIds.ToArray();
        var rows = await db.Items.FromSql($"SELECT items.*, items.xmin FROM items WHERE id = ANY({ids}) ORDER BY id FOR UPDATE").ToListAsync(cancellationToken);
        foreach (var row in rows.Where(r => fresh.Contains(r.Id)))
        {
            db.HeldInTransaction.ReadUnderLock(db, row.Id);
        }

        return rows;
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
        if (InOwnersQueue(from) != InOwnersQueue(to))
        {
            // Its owner's workload, as routing keeps it for the rest of this transaction.
            db.HeldInTransaction.CountOpenItem(db, item.AssignedToId, InOwnersQueue(to) ? 1 : -1);
        }

        item.State = to;
        item.UpdatedAt = now;
        await AuditLog.AppendAsync(db, item.SchoolId, actor, action, now, item.Id, from.ToString(), to.ToString(), detail, cancellationToken);
    }

    /// <summary>The states in which an item counts towards its owner's workload (routing's open-item cap).</summary>
    public static bool InOwnersQueue(ItemState state) => state is ItemState.AwaitingReview or ItemState.Escalated;
}
