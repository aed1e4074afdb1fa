using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Testing;
using Moderation.Worker.Tests.Platforms;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests.Faults;

/// <summary>
/// Fault test "a platform API down for a while": decisions taken during the outage wait, and each is carried out once
/// when the platform is back. (One decision and a burst of six failures: PlatformActionTests; this is a whole batch.)
/// </summary>
public sealed class PlatformDownTests(WorkerFixture fixture, ITestOutputHelper output) : WorkerTest(fixture)
{
    [Fact]
    public async Task Decisions_taken_while_the_platform_is_down_wait_and_are_carried_out_exactly_once_when_it_is_back()
    {
        // Arrange: twenty public comments arrive, are hidden, screened and assigned.
        const int count = 20;
        await using (var setup = Fixture.Db())
        {
            await FaultSchool.SetRotaAsync(setup);
        }

        await using var world = await PlatformWorld.StartAsync(Fixture);
        using var worker = await WorkerFixture.StartWorkerAsync(null, PlatformActionTests.FastSettings);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await world.CommentArrivesAsync($"Comment {i}: thank you for the harvest festival"));
        }

        await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                return await db.Items.CountAsync(i => ids.Contains(i.Id) && i.HiddenOnPlatform && i.AssignedAt != null);
            },
            n => n == count, "every comment to be hidden and assigned");

        // Act: the platform goes down; half are approved, half rejected while it is down.
        world.Graph.Down = true;
        var downFrom = world.Graph.RequestCount;
        for (var i = 0; i < count; i++)
        {
            await world.DecideAsync(ids[i], approve: i % 2 == 0);
        }

        await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                return await db.PlatformActions.CountAsync(a => a.Purpose == ActionPurpose.Decision && a.Status == ActionStatus.Waiting && a.LastError != null);
            },
            n => n == count, "every decision to fail on the platform and wait");
        await using (var db = Fixture.Db())
        {
            (await db.Items.CountAsync(i => i.State == ItemState.Actioned)).Should().Be(0, "nothing is carried out while the platform is down");
        }

        var refused = world.Graph.RequestCount - downFrom;
        refused.Should().BeGreaterThan(0, "the decisions were tried while the platform was down");
        world.Graph.Down = false;

        // Assert: all carried out once it is back.
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.Actioned), n => n == count, "every decision once the platform is back");
        await using var check = Fixture.Db();
        var counts = await FaultCounts.ReadAsync(check, count);
        var actions = await check.PlatformActions.AsNoTracking().Where(a => a.Purpose == ActionPurpose.Decision).ToListAsync();
        var items = await check.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id);
        output.WriteLine(counts.ToString());
        output.WriteLine($"requests refused while down {refused}; decision attempts {actions.Sum(a => a.Attempts)}; applied {world.Applied.Count}");
        counts.ShouldBeExactlyOnce(decided: count);
        actions.Should().HaveCount(count).And.OnlyContain(a => a.Status == ActionStatus.Done);
        for (var i = 0; i < count; i++)
        {
            var commentId = items[ids[i]].PlatformItemId!;
            world.AppliedTo(commentId, i % 2 == 0 ? "show" : "delete").Should().Be(1, $"comment {i}'s decision took effect once");
            world.Applied.Count(a => a.CommentId == commentId).Should().Be(2, "hidden on arrival, then the decision; nothing else");
        }
    }
}
