using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Queue;

public sealed record QueueFilter(Guid? School, ItemState? State, ItemKind? Kind, Platform? Platform, bool AssignedToMe, int Page, int PageSize)
{
    /// <summary>One of the school's connected accounts (a Facebook page, a blog).</summary>
    public Guid? Account { get; init; }

    /// <summary>Clear: screening found nothing at all; Flagged: anything else a person must look at (ADR 0503).</summary>
    public ScreeningFilter? Screening { get; init; }

    /// <summary>Open items whose owner's time limit has run out.</summary>
    public bool Overdue { get; init; }
}

public enum ScreeningFilter
{
    Clear,
    Flagged,
}

/// <summary>The queue's reads, shared by the REST API and the web pages; every query is limited to the caller's schools.</summary>
public sealed class QueueQueries(ModerationDbContext db, TimeProvider time, Domain.Platforms.PlatformConnectors connectors)
{
    public const int MaxPageSize = 100;

    /// <summary>Null when the filter names a school the caller does not belong to.</summary>
    public async Task<QueuePage?> ListAsync(StaffMember me, QueueFilter filter, CancellationToken ct)
    {
        if (filter.School is { } s && !me.BelongsTo(s))
        {
            return null;
        }

        var query = db.Items.AsNoTracking().Where(i => me.SchoolIds.Contains(i.SchoolId));
        if (filter.School is { } only)
        {
            query = query.Where(i => i.SchoolId == only);
        }

        if (filter.Kind is { } k)
        {
            query = query.Where(i => i.Kind == k);
        }

        if (filter.Platform is { } p)
        {
            query = query.Where(i => i.Platform == p);
        }

        if (filter.Account is { } account)
        {
            query = query.Where(i => i.SocialAccountId == account);
        }

        if (filter.Screening is { } screening)
        {
            query = query.Where(screening == ScreeningFilter.Clear ? QueueClearance.ScreenedClear(db) : QueueClearance.Flagged(db));
        }

        if (filter.Overdue)
        {
            var now = time.GetUtcNow();
            query = query.Where(i => (i.State == ItemState.AwaitingReview || i.State == ItemState.Escalated) && i.DueAt < now);
        }

        if (filter.AssignedToMe)
        {
            var now = time.GetUtcNow();
            query = query.Where(i => i.AssignedToId == me.UserId || (i.ClaimedById == me.UserId && i.ClaimExpiresAt > now));
        }

        var counts = await query.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        if (filter.State is { } st)
        {
            query = query.Where(i => i.State == st);
        }

        var total = await query.CountAsync(ct);
        var rows = await query
            .OrderBy(i => i.ReceivedAt).ThenBy(i => i.Id)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize)
            .Select(i => new ItemSummary(
                i.Id, i.SchoolId, i.Kind, i.State, i.Platform, i.AuthorName,
                i.RedactedText == null
                    ? (i.State == ItemState.Received || i.State == ItemState.Screening ? QueueMappings.AwaitingScreening : i.Text.Length > 140 ? i.Text.Substring(0, 140) + "…" : i.Text)
                    : i.RedactedText.Length > 140 ? i.RedactedText.Substring(0, 140) + "…" : i.RedactedText,
                i.Media.Count, i.ScreeningComplete, i.AssignedToId, i.ClaimedById, i.ReceivedAt, i.Version))
            .ToListAsync(ct);
        return new QueuePage(rows, total, filter.Page, filter.PageSize, counts.ToDictionary(c => c.Key.ToString(), c => c.Count));
    }

    public async Task<ItemDetail?> GetAsync(StaffMember me, Guid id, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().AsSplitQuery()
            .Include(i => i.Media).Include(i => i.Targets)
            .FirstOrDefaultAsync(i => i.Id == id && me.SchoolIds.Contains(i.SchoolId), ct);
        if (item is null)
        {
            return null;
        }

        var findings = await db.ScreeningFindings.AsNoTracking().Where(f => f.ItemId == id).OrderBy(f => f.Offset).ToListAsync(ct);
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.ItemId == id).OrderBy(a => a.Seq).ToListAsync(ct);
        var actions = await db.PlatformActions.AsNoTracking().Where(a => a.ItemId == id).OrderBy(a => a.CreatedAt).ToListAsync(ct);
        return item.ToDetail(findings, history, actions, item.Platform is { } platform ? connectors.CapabilitiesOf(platform) : default);
    }
}
