using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Testing;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests;

public sealed class CrashTests(WorkerFixture fixture, ITestOutputHelper output) : WorkerTest(fixture)
{
    [Fact]
    public async Task A_worker_killed_with_SIGKILL_mid_load_and_restarted_screens_every_item_exactly_once()
    {
        // Arrange
        const int count = 400;
        var ids = await Fixture.IngestAsync(count, "crash");
        using var first = Fixture.StartWorkerProcess();

        // Act: kill -9 once some, but not all, items are through.
        var before = await Eventually.WaitForAsync(
            () => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n >= 20, "the first worker to make progress", TimeSpan.FromSeconds(120));
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var atKill = await Fixture.CountInStateAsync(ids, ItemState.AwaitingReview);
        using var second = Fixture.StartWorkerProcess();
        try
        {
            await Eventually.WaitForAsync(
                () => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == count, "the restarted worker to finish", TimeSpan.FromSeconds(180));
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }

        // Assert
        await using var db = Fixture.Db();
        var screened = await db.AuditEntries.Where(a => a.Action == "screened").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        var started = await db.AuditEntries.Where(a => a.Action == "screening-started").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        var published = await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemScreened");
        output.WriteLine($"sent {count}, screened before kill {atKill} (first seen {before}), screened in the end {screened.Count}, ItemScreened rows {published}");
        atKill.Should().BeLessThan(count, "the kill must land mid-load for this test to mean anything");
        screened.Should().HaveCount(count).And.OnlyContain(n => n == 1);
        started.Should().HaveCount(count).And.OnlyContain(n => n == 1);
        published.Should().Be(count);
        (await AuditLog.VerifyAsync(db, (await db.Items.FirstAsync()).SchoolId, CancellationToken.None)).Intact.Should().BeTrue();
        (await Fixture.Env.QueueStatsAsync("screening_error")).Messages.Should().Be(0);
    }
}
