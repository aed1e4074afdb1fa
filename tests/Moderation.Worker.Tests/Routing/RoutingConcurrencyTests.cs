using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Routing;

public sealed class RoutingConcurrencyTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly string[] s_routingActions = ["assigned", "reassigned", "assignment-escalated"];

    private async Task<List<Guid>> IngestFlemingAsync(int count)
    {
        using var scope = Fixture.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Domain.Persistence.ModerationDbContext>();
        var account = await db.SocialAccounts.AsNoTracking().FirstAsync(a => a.Handle == "@FlemingPrimary" && a.Platform == Platform.Facebook);
        var intake = scope.ServiceProvider.GetRequiredService<ItemIntake>();
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var (ingested, _) = await intake.IngestAsync(
                new InboundItem(account.Id, ItemKind.InboundComment, $"load-{i}-{Guid.NewGuid():N}", "Parent", "p", $"Comment {i}: lovely assembly", null),
                CancellationToken.None);
            ids.Add(ingested);
        }

        return ids;
    }

    [Fact]
    public async Task Many_items_screened_at_once_and_two_sweeps_racing_never_assign_an_item_twice_and_leave_none_without_an_owner_or_an_alert()
    {
        // Arrange: two moderators with a cap of 3 each, so most of the load overflows into escalation.
        var world = await new RoutingWorld(Fixture).LoadAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        await world.SetSettingsAsync(new RoutingSettings { OpenItemCap = 3, MaxReassignments = 1 });
        const int count = 30;
        var ids = await IngestFlemingAsync(count);

        // Act 1: the real worker screens and routes them all, many consumers at once.
        using (var worker = await WorkerFixture.StartWorkerAsync(null, "--Routing:SweepEnabled=false"))
        {
            await Eventually.WaitForAsync(
                async () =>
                {
                    await using var db = Fixture.Db();
                    return await db.Items.CountAsync(i => ids.Contains(i.Id) && i.AssignedAt != null);
                },
                n => n == count, "every item to be routed", TimeSpan.FromSeconds(120));
            await worker.StopAsync();
        }

        await using (var db = Fixture.Db())
        {
            var perModerator = await db.Items.Where(i => ids.Contains(i.Id) && (i.AssignedToId == world.Amy || i.AssignedToId == world.Tom))
                .GroupBy(i => i.AssignedToId).Select(g => g.Count()).ToListAsync();
            perModerator.Should().AllSatisfy(n => n.Should().BeLessThanOrEqualTo(3, "the cap holds even when items are routed concurrently"));
        }

        // Act 2: three rounds in which every item is overdue and two sweepers race over them.
        for (var round = 0; round < 3; round++)
        {
            await using (var db = Fixture.Db())
            {
                var latest = await db.Items.Where(i => ids.Contains(i.Id)).MaxAsync(i => i.DueAt);
                var target = latest!.Value + TimeSpan.FromMinutes(1);
                if (target > world.Clock.GetUtcNow())
                {
                    world.Clock.Advance(target - world.Clock.GetUtcNow());
                }
            }

            await using var one = Fixture.Db();
            await using var two = Fixture.Db();
            var reports = await Task.WhenAll(world.Sweep(one).RunAsync(CancellationToken.None), world.Sweep(two).RunAsync(CancellationToken.None));
            (reports[0].HandedOn + reports[0].Kept + reports[1].HandedOn + reports[1].Kept).Should().Be(count, "each overdue item is handled by exactly one sweeper");
        }

        // Assert
        await using var check = Fixture.Db();
        var items = await check.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync();
        var assignments = await check.ItemAssignments.AsNoTracking().Where(a => ids.Contains(a.ItemId)).ToListAsync();
        var audit = await check.AuditEntries.AsNoTracking().Where(a => a.ItemId != null && ids.Contains(a.ItemId.Value)).ToListAsync();
        var openAlerts = await check.Alerts.AsNoTracking().Where(a => a.ItemId != null && ids.Contains(a.ItemId.Value) && a.ResolvedAt == null)
            .Select(a => a.ItemId!.Value).ToListAsync();
        foreach (var item in items)
        {
            var mine = assignments.Where(a => a.ItemId == item.Id).ToList();
            mine.Count(a => a.EndedAt == null).Should().Be(1, $"item {item.Id} has exactly one current assignment");
            mine.Single(a => a.EndedAt == null).UserId.Should().Be(item.AssignedToId);
            audit.Count(a => a.ItemId == item.Id && a.Action == "assigned").Should().Be(1, "an item is assigned on arrival once");
            audit.Count(a => a.ItemId == item.Id && s_routingActions.Contains(a.Action)).Should()
                .Be(mine.Count, "every routing decision has exactly one audit entry and one assignment row");
            (item.AssignedToId is not null || openAlerts.Contains(item.Id)).Should().BeTrue($"item {item.Id} has an owner or an open alert");
        }

        (await Domain.Audit.AuditLog.VerifyAsync(check, world.School, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task The_worker_runs_the_sweep_on_clustered_Quartz_and_it_releases_an_expired_claim_and_hands_an_overdue_item_on()
    {
        // Arrange: an item with Amy, overdue by the real clock, and a claim that ran out.
        var world = await new RoutingWorld(Fixture).LoadAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        var id = await world.ArrivedCommentAsync();
        await using (var db = Fixture.Db())
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-1);
            await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.DueAt, past).SetProperty(i => i.ClaimedById, world.Tom).SetProperty(i => i.ClaimExpiresAt, past));
        }

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync(null, "--Routing:SweepInterval=00:00:01");
        var item = await Eventually.WaitForAsync(() => world.ItemAsync(id), i => i.AssignedToId == world.Tom && i.ClaimedById == null, "the sweep to run");
        await using var check = Fixture.Db();
        var instances = await check.Database.SqlQueryRaw<int>(
            "SELECT count(*)::int AS \"Value\" FROM qrtz_scheduler_state WHERE sched_name = 'moderation'").SingleAsync();
        await worker.StopAsync();

        // Assert
        item.ClaimExpiresAt.Should().BeNull();
        instances.Should().BeGreaterThan(0, "a clustered scheduler checks in to the shared job store");
        (await check.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM qrtz_triggers WHERE trigger_name = 'routing-sweep'").SingleAsync())
            .Should().Be(1, "the trigger lives in the shared job store");
        (await world.AuditAsync(id)).Select(a => a.Action).Should().Contain(["claim-expired", "reassigned"]);
    }
}
