using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Presence;

/// <summary>One person viewing an item, as others see them.</summary>
public sealed record Viewer(Guid UserId, string Name);

/// <summary>
/// "N viewing": each open item page sends a heartbeat every <see cref="HeartbeatInterval"/>; a person counts as viewing
/// until <see cref="Expiry"/> has passed since their last one, or until the page says it is leaving. Rows live in
/// PostgreSQL, so two API instances agree (ADR 0503).
/// </summary>
public sealed class ItemPresence(ModerationDbContext db, TimeProvider time)
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>Three missed heartbeats: a closed laptop or a lost connection stops counting within 45 seconds.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(45);

    /// <summary>Rows older than this are deleted by the next heartbeat anywhere, so the table stays small.</summary>
    private static readonly TimeSpan s_purgeAfter = TimeSpan.FromMinutes(10);

    /// <summary>Records that <paramref name="me"/> is viewing the item; false when it is not an item of their schools.</summary>
    public async Task<bool> HeartbeatAsync(Guid itemId, StaffMember me, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var schools = me.SchoolIds.ToArray();
        var written = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO item_viewers (item_id, user_id, user_name, seen_at)
            SELECT i.id, {me.UserId}, {me.Name}, {now} FROM items i WHERE i.id = {itemId} AND i.school_id = ANY({schools})
            ON CONFLICT (item_id, user_id) DO UPDATE SET seen_at = excluded.seen_at, user_name = excluded.user_name
            """, ct);
        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM item_viewers WHERE seen_at < {now - s_purgeAfter}", ct);
        return written > 0;
    }

    /// <summary>The page was closed or left: stop counting at once rather than at expiry.</summary>
    public Task LeaveAsync(Guid itemId, StaffMember me, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM item_viewers WHERE item_id = {itemId} AND user_id = {me.UserId}", ct);

    /// <summary>Who else is viewing each of <paramref name="itemIds"/> now (never <paramref name="me"/> themself).</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<Viewer>>> OthersViewingAsync(IReadOnlyCollection<Guid> itemIds, StaffMember me, CancellationToken ct)
    {
        if (itemIds.Count == 0)
        {
            return new Dictionary<Guid, IReadOnlyList<Viewer>>();
        }

        var since = time.GetUtcNow() - Expiry;
        var ids = itemIds.ToArray();
        var rows = await db.Set<ItemViewer>().AsNoTracking()
            .Where(v => ids.Contains(v.ItemId) && v.UserId != me.UserId && v.SeenAt > since)
            .OrderBy(v => v.UserName)
            .ToListAsync(ct);
        return rows.GroupBy(v => v.ItemId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<Viewer>)[.. g.Select(v => new Viewer(v.UserId, v.UserName))]);
    }
}
