using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>
/// Taking a chain's lock reads its head in the same round trip (docs/benchmarks.md, issue 9, ninth pass). The head must
/// still be read after the lock is granted, or a writer that waited would chain onto a stale head.
/// </summary>
public sealed class AuditChainLockTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly Actor s_actor = Actor.System("test");

    [Fact]
    public async Task A_writer_that_waited_for_the_chains_lock_appends_after_the_entry_committed_while_it_waited()
    {
        // Arrange: the first writer holds the chain's lock with an entry saved and not yet committed.
        await using var first = Fixture.Db();
        await using var second = Fixture.Db();
        await using var probe = Fixture.Db();
        var chain = await first.Schools.Select(s => s.Id).FirstAsync();
        var at = DateTimeOffset.UtcNow;
        await using var firstTx = await first.Database.BeginTransactionAsync();
        await AuditLog.LockChainAsync(first, chain, CancellationToken.None);
        var before = await AuditLog.AppendAsync(first, chain, s_actor, "first", at);
        await first.SaveChangesAsync();

        // Act: the second writer asks for the lock and waits for it; the first commits meanwhile.
        await using var secondTx = await second.Database.BeginTransactionAsync();
        var waiting = AuditLog.LockChainAsync(second, chain, CancellationToken.None);
        await Eventually.WaitForAsync(
            () => probe.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").SingleAsync(),
            n => n == 1, "the second writer to wait for the chain's lock");
        waiting.IsCompleted.Should().BeFalse("the first writer still holds the chain's lock");
        await firstTx.CommitAsync();
        await waiting;
        var after = await AuditLog.AppendAsync(second, chain, s_actor, "second", at.AddTicks(10));
        await second.SaveChangesAsync();
        await secondTx.CommitAsync();

        // Assert: the second entry follows the first, and the chain verifies.
        after.Position.Should().Be(before.Position + 1);
        after.PrevHash.Should().Be(before.Hash);
        (await AuditLog.VerifyAsync(probe, chain, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task The_head_read_with_the_lock_is_the_one_appended_to_and_entries_of_the_transaction_follow_it()
    {
        // Arrange: the chain has an entry.
        await using var db = Fixture.Db();
        var chain = await db.Schools.Select(s => s.Id).FirstAsync();
        var at = DateTimeOffset.UtcNow;
        AuditEntry last;
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            last = await AuditLog.AppendAsync(db, chain, s_actor, "earlier", at);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        db.ChangeTracker.Clear();

        // Act: lock, append one by one, then many at once, in one transaction.
        List<AuditEntry> appended = [];
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.LockChainAsync(db, chain, CancellationToken.None);
            appended.Add(await AuditLog.AppendAsync(db, chain, s_actor, "one", at.AddTicks(10)));
            appended.Add(await AuditLog.AppendAsync(db, chain, s_actor, "two", at.AddTicks(20)));
            await db.SaveChangesAsync();
            appended.AddRange(await AuditLog.AppendManyAsync(db, chain, [new AuditRecord(s_actor, "three", at.AddTicks(30))], CancellationToken.None));
            await tx.CommitAsync();
        }

        // Assert
        appended.Select(e => e.Position).Should().Equal(last.Position + 1, last.Position + 2, last.Position + 3);
        appended[0].PrevHash.Should().Be(last.Hash);
        (await AuditLog.VerifyAsync(db, chain, CancellationToken.None)).Intact.Should().BeTrue();
    }
}
