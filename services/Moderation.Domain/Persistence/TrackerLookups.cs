using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Moderation.Domain.Items;

namespace Moderation.Domain.Persistence;

/// <summary>
/// Looks at what a context tracks without detecting changes first. <c>DbSet.Local</c> and
/// <c>ChangeTracker.Entries</c> otherwise compare every property of every tracked entity on each call, and a school's
/// write batch (ADR 0601) tracks hundreds: asked once per item, that grew with the square of the batch. These answer
/// only what detection cannot change: which instance is tracked under a key, and which entities were added (an added
/// entity is tracked by <c>Add</c> itself). SaveChanges still detects changes once, as it always does.
/// </summary>
public static class TrackerLookups
{
    /// <summary>The item instance this context tracks under the id, if any.</summary>
    public static ModerationItem? TrackedItem(this DbContext context, Guid itemId) =>
        Undetected(context, c => c.Set<ModerationItem>().Local.FindEntry(itemId)?.Entity);

    /// <summary>The entities of this type added to this context and not yet saved.</summary>
    public static List<T> Added<T>(this DbContext context) where T : class =>
        context.AddedEntries<T>().Select(e => e.Entity).ToList();

    /// <summary>The tracking entries of the entities of this type added to this context and not yet saved.</summary>
    public static List<EntityEntry<T>> AddedEntries<T>(this DbContext context) where T : class =>
        Undetected(context, c => c.ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added).ToList());

    /// <summary>
    /// Marks a new item's photos as loaded: those it was added with are all it has, as no one else can see a row the
    /// transaction has not committed. Without detecting every tracked entity's changes first, as <c>Entry</c> would.
    /// </summary>
    public static void PhotosLoaded(this DbContext context, ModerationItem item) =>
        Undetected(context, c => c.Entry(item).Collection(i => i.Media).IsLoaded = true);

    /// <summary>The items tracked with unsaved changes: each item's own changes detected, not every tracked entity's.</summary>
    public static List<EntityEntry<ModerationItem>> ChangedItems(this DbContext context) =>
        Undetected(context, c => c.ChangeTracker.Entries<ModerationItem>().Where(e =>
        {
            e.DetectChanges();
            return e.State == EntityState.Modified;
        }).ToList());

    private static TResult Undetected<TResult>(DbContext context, Func<DbContext, TResult> look)
    {
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return look(context);
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }
}
