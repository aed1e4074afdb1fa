using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;

namespace Moderation.Testing;

/// <summary>What the API and browser fixtures share: the demo seed, and waiting for the worker to screen and route an item.</summary>
public static class DemoData
{
    /// <summary>Loads seeds/demo.json through the host's services and gives each school's id by slug.</summary>
    public static async Task<Dictionary<string, Guid>> SeedAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider);
        await seeder.SeedAsync(DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json")), CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        return await db.Schools.AsNoTracking().ToDictionaryAsync(s => s.Slug, s => s.Id, StringComparer.Ordinal);
    }

    /// <summary>
    /// Ingests an inbound comment on a school's account (its Facebook account, or the one with
    /// <paramref name="accountHandle"/>) as a connector would, and waits until screening and routing are done.
    /// </summary>
    public static async Task<Guid> IngestAndScreenAsync(IServiceProvider services, TestEnvironment env, Guid schoolId, string text, string? accountHandle = null)
    {
        Guid itemId;
        using (var scope = services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var account = await db.SocialAccounts.AsNoTracking()
                .Where(a => a.SchoolId == schoolId)
                .Where(a => accountHandle == null ? a.Platform == Domain.Schools.Platform.Facebook : a.Handle == accountHandle)
                .FirstAsync();
            var intake = scope.ServiceProvider.GetRequiredService<ItemIntake>();
            var (ingested, _) = await intake.IngestAsync(
                new InboundItem(account.Id, ItemKind.InboundComment, $"test-{Guid.NewGuid():N}", "A Parent", "p-1", text, null), CancellationToken.None);
            itemId = ingested;
        }

        await WaitForRoutedAsync(env, itemId);
        return itemId;
    }

    /// <summary>
    /// Waits until screening and routing are both done: the item awaits review, or (a safeguarding concern) is
    /// escalated to the DSL, and has been given its owner, so nothing in the worker changes it after the test looks.
    /// </summary>
    public static async Task<ModerationItem> WaitForRoutedAsync(TestEnvironment env, Guid itemId)
    {
        var item = await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = env.CreateDbContext();
                return await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId);
            },
            i => i is { State: ItemState.AwaitingReview or ItemState.Escalated, AssignedAt: not null },
            $"item {itemId} to be screened and routed");
        return item!;
    }
}
