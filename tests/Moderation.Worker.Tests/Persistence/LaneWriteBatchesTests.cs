using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Testing;
using Npgsql;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>
/// Writes across schools in a lane (ADR 0609): a lane's batch is one transaction for every school its writes name, takes
/// all their chain locks before any write runs, and carries at most <see cref="SchoolWriteBatches.MaxBatchItems"/> items.
/// The schools here are chain ids only: a lane's batch locks and appends to chains, whatever else its writes do.
/// </summary>
public sealed class LaneWriteBatchesTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly Actor Test = Actor.System("lane-test");

    [Fact]
    public async Task A_lanes_batch_locks_every_school_its_writes_name_before_the_first_runs_and_commits_them_together()
    {
        // Arrange: four schools of one lane; the first already has entries, so its head must be read, not assumed.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var schools = SchoolsInOneLane(4);
        await AppendCommittedAsync(schools[0], "before");
        var (gate, holder, before) = await HoldLaneOpenAsync(batches, schools[0]);
        var probing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probed = new TaskCompletionSource<bool[]>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act: three writes queue behind the held batch; the first of them waits while another connection tries each
        // school's lock, then each appends to two schools' chains.
        var writes = new[]
        {
            batches.RunInLaneAsync([schools[0], schools[1]], 1, async (services, ct) =>
            {
                probing.SetResult();
                await probed.Task;
                return await AppendAsync(services, [schools[0], schools[1]], "first", ct);
            }, CancellationToken.None),
            batches.RunInLaneAsync([schools[2], schools[1]], 1, (services, ct) => AppendAsync(services, [schools[2], schools[1]], "second", ct), CancellationToken.None),
            batches.RunInLaneAsync([schools[3]], 1, (services, ct) => AppendAsync(services, [schools[3]], "third", ct), CancellationToken.None),
        };
        await WaitUntilQueuedAsync(batches, 3);
        gate.SetResult();
        await holder;
        await probing.Task;
        probed.SetResult(await TryLocksAsync(schools));
        await Task.WhenAll(writes);

        // Assert
        (await probed.Task).Should().Equal([false, false, false, false],
            "the batch held every school's lock, those of writes not yet run included, while its first write ran");
        var after = batches.Counts;
        (after.Batches - before.Batches).Should().Be(2, "the held write ran alone; the three queued behind it shared one transaction");
        (after.Writes - before.Writes).Should().Be(4);
        await using var db = Fixture.Db();
        var writers = await db.Database.SqlQuery<long>(
            $"SELECT DISTINCT xmin::text::bigint AS \"Value\" FROM audit_entries WHERE chain_id = ANY({schools}) AND actor = 'system:lane-test' AND action <> 'before' AND action <> 'held'")
            .ToListAsync();
        writers.Should().ContainSingle("every entry of the three writes was written by one transaction");
        var actions = await db.AuditEntries.Where(e => e.ChainId == schools[0]).OrderBy(e => e.Position).Select(e => e.Action).ToListAsync();
        actions.Should().Equal("before", "held", "first");
        (await db.AuditEntries.Where(e => e.ChainId == schools[1]).OrderBy(e => e.Position).Select(e => e.Action).ToListAsync())
            .Should().Equal("first", "second");
        foreach (var school in schools)
        {
            (await AuditLog.VerifyAsync(db, school, CancellationToken.None)).Intact.Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_lanes_batch_carries_at_most_the_item_limit_and_a_larger_write_goes_alone()
    {
        // Arrange
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var schools = SchoolsInOneLane(2);
        var (gate, holder, before) = await HoldLaneOpenAsync(batches, schools[0]);
        var half = SchoolWriteBatches.MaxBatchItems / 2;

        // Act: behind the held batch, writes of half the limit, half plus one, half less one, the limit plus one, and one.
        int[] sizes = [half, half + 1, half - 1, SchoolWriteBatches.MaxBatchItems + 1, 1];
        var writes = sizes.Select((size, i) => batches.RunInLaneAsync(
                [schools[i % 2]], size, (services, ct) => AppendAsync(services, [schools[i % 2]], $"size-{size}", ct), CancellationToken.None))
            .ToList();
        await WaitUntilQueuedAsync(batches, sizes.Length);
        gate.SetResult();
        await holder;
        await Task.WhenAll(writes);

        // Assert: [half] (half + 1 more would pass the limit), [half + 1, half - 1] (exactly the limit), [limit + 1] alone, [1].
        var after = batches.Counts;
        (after.Batches - before.Batches).Should().Be(5, "the held write, then four batches none of which passes the limit but the one write larger than it");
        (after.Writes - before.Writes).Should().Be(6);
        await using var db = Fixture.Db();
        foreach (var school in schools)
        {
            (await AuditLog.VerifyAsync(db, school, CancellationToken.None)).Intact.Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_write_naming_schools_of_two_lanes_or_none_is_refused_and_nothing_runs()
    {
        // Arrange
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var first = SchoolsInOneLane(1)[0];
        var other = Enumerable.Range(0, 100).Select(_ => Guid.NewGuid()).First(g => Batches.LaneOf(g) != Batches.LaneOf(first));
        var ran = false;
        var before = batches.Counts;

        // Act
        var twoLanes = async () => await batches.RunInLaneAsync([first, other], 1, (_, _) => Task.FromResult(ran = true), CancellationToken.None);
        var none = async () => await batches.RunInLaneAsync([], 1, (_, _) => Task.FromResult(ran = true), CancellationToken.None);

        // Assert
        await twoLanes.Should().ThrowAsync<ArgumentException>().WithMessage("*must all be in that lane*");
        await none.Should().ThrowAsync<ArgumentException>().WithMessage("*at least one school*");
        ran.Should().BeFalse();
        batches.Counts.Should().Be(before);
    }

    [Fact]
    public async Task Several_chains_locked_at_once_each_continue_from_their_committed_head()
    {
        // Arrange: two chains with history, one without.
        var chains = SchoolsInOneLane(3);
        await AppendCommittedAsync(chains[0], "a-1");
        await AppendCommittedAsync(chains[0], "a-2");
        await AppendCommittedAsync(chains[2], "c-1");

        // Act
        await using (var db = Fixture.Db())
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.LockChainsAsync(db, [chains[2], chains[0], chains[1], chains[0]], CancellationToken.None);
            foreach (var chain in chains)
            {
                await AuditLog.AppendAsync(db, chain, Test, "after-lock", DateTimeOffset.UtcNow);
            }

            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var positions = await check.AuditEntries.Where(e => chains.Contains(e.ChainId) && e.Action == "after-lock")
            .ToDictionaryAsync(e => e.ChainId, e => e.Position);
        positions[chains[0]].Should().Be(3);
        positions[chains[1]].Should().Be(1);
        positions[chains[2]].Should().Be(2);
        foreach (var chain in chains)
        {
            (await AuditLog.VerifyAsync(check, chain, CancellationToken.None)).Intact.Should().BeTrue();
        }
    }

    /// <summary>New chain ids that all fall in one lane, in no particular order.</summary>
    private SchoolWriteBatches Batches => Fixture.Services.GetRequiredService<SchoolWriteBatches>();

    private Guid[] SchoolsInOneLane(int count)
    {
        var lane = Batches.LaneOf(Guid.NewGuid());
        return Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()).Where(g => Batches.LaneOf(g) == lane).Take(count).ToArray();
    }

    private static async Task<Guid> AppendAsync(IServiceProvider services, Guid[] chains, string action, CancellationToken ct)
    {
        var db = services.GetRequiredService<ModerationDbContext>();
        foreach (var chain in chains)
        {
            await AuditLog.AppendAsync(db, chain, Test, action, DateTimeOffset.UtcNow, cancellationToken: ct);
        }

        return chains[0];
    }

    private async Task AppendCommittedAsync(Guid chain, string action)
    {
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        await AuditLog.AppendAsync(db, chain, Test, action, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }

    /// <summary>Starts a batch in the school's lane and holds it open until released; its write appends "held".</summary>
    private static async Task<(TaskCompletionSource Gate, Task<Guid> Holder, (long Batches, long Writes) Before)> HoldLaneOpenAsync(
        SchoolWriteBatches batches, Guid school)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = batches.Counts;
        var holder = batches.RunInLaneAsync([school], 1, async (services, ct) =>
        {
            running.SetResult();
            await gate.Task;
            return await AppendAsync(services, [school], "held", ct);
        }, CancellationToken.None);
        await running.Task;
        return (gate, holder, before);
    }

    private static Task WaitUntilQueuedAsync(SchoolWriteBatches batches, int count) =>
        Eventually.WaitForAsync(() => Task.FromResult(batches.Queued), n => n >= count, $"{count} writes to queue behind the held batch");

    /// <summary>Whether another connection could take each school's chain lock (each released again at once).</summary>
    private async Task<bool[]> TryLocksAsync(Guid[] schools)
    {
        await using var other = new NpgsqlConnection(Fixture.Env.ConnectionString);
        await other.OpenAsync();
        var taken = new bool[schools.Length];
        for (var i = 0; i < schools.Length; i++)
        {
            await using var probe = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtextextended(@chain, 7))", other);
            probe.Parameters.AddWithValue("chain", schools[i].ToString());
            taken[i] = (bool)(await probe.ExecuteScalarAsync())!;
        }

        return taken;
    }
}
