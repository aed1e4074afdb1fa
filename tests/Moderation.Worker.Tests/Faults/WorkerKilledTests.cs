using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Testing;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests.Faults;

/// <summary>Fault test "worker killed": <c>kill -9</c> of the worker process mid-load, then a restart.</summary>
public sealed class WorkerKilledTests(WorkerFixture fixture, ITestOutputHelper output) : WorkerTest(fixture)
{
    [Fact]
    public async Task A_worker_killed_with_SIGKILL_mid_load_and_restarted_screens_and_assigns_every_item_exactly_once()
    {
        // Arrange: a rota that takes every item, so each one is assigned on arrival.
        const int count = 200;
        await using (var setup = Fixture.Db())
        {
            await FaultSchool.SetRotaAsync(setup);
        }

        var ids = await FaultSchool.IngestAsync(Fixture.Services, count, "crash");
        using var first = Fixture.StartWorkerProcess();

        // Act: kill -9 once some, but not all, items are through.
        int before;
        try
        {
            before = await Eventually.WaitForAsync(
                () => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n >= 20, "the first worker to make progress", TimeSpan.FromSeconds(180));
        }
        finally
        {
            // Killed however the wait ends: a worker left running would take the next test's messages.
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        var atKill = await Fixture.CountInStateAsync(ids, ItemState.AwaitingReview);
        using var second = Fixture.StartWorkerProcess();
        try
        {
            await Eventually.WaitForAsync(
                async () =>
                {
                    await using var db = Fixture.Db();
                    return await FaultCounts.AssignedNowAsync(db);
                },
                n => n == count, "the restarted worker to screen and assign every item", TimeSpan.FromSeconds(180));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var counts = await FaultCounts.ReadAsync(check, count);
        var screened = await check.AuditEntries.Where(a => a.Action == "screened").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        var started = await check.AuditEntries.Where(a => a.Action == "screening-started").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        var assigned = await check.AuditEntries.Where(a => a.Action == "assigned").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        output.WriteLine(counts.ToString());
        output.WriteLine($"screened before kill {atKill} (first seen {before}), screened in the end {screened.Count}, assigned in the end {assigned.Count}");
        atKill.Should().BeLessThan(count, "the kill must land mid-load for this test to mean anything");
        counts.ShouldBeExactlyOnce();
        screened.Should().HaveCount(count).And.OnlyContain(n => n == 1);
        started.Should().HaveCount(count).And.OnlyContain(n => n == 1);
        assigned.Should().HaveCount(count).And.OnlyContain(n => n == 1);
        (await AuditLog.VerifyAsync(check, (await check.Items.FirstAsync()).SchoolId, CancellationToken.None)).Intact.Should().BeTrue();
        (await Fixture.Env.QueueStatsAsync("screening_error")).Messages.Should().Be(0);
        (await Fixture.Env.QueueStatsAsync("routing_error")).Messages.Should().Be(0);
    }
}
