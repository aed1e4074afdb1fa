using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>
/// Group commit per school (ADR 0601): writes queued while a school's batch runs share the next transaction, each is
/// undone alone when it fails, nothing is acknowledged before the commit, and the school's audit chain stays whole.
/// </summary>
public sealed class SchoolWriteBatchesTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task Writes_queued_behind_a_running_batch_commit_together_and_the_chain_verifies()
    {
        // Arrange: the first write holds its batch open until every other write is queued behind it.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();

        // Act
        var (gate, first, before) = await HeldBatches.HoldOpenAsync(batches, school, (services, ct) => IngestAsync(services, account, "first", ct));
        var queued = Enumerable.Range(0, 30)
            .Select(i => batches.RunAsync(school, (services, ct) => IngestAsync(services, account, $"queued-{i}", ct), CancellationToken.None))
            .ToList();
        ReleaseWhenQueued(gate, batches, before);
        var ids = new[] { await first }.Concat(await Task.WhenAll(queued)).ToList();

        // Assert
        var after = batches.Counts;
        (after.Writes - before.Writes).Should().Be(31);
        (after.Batches - before.Batches).Should().Be(2, "the first write ran alone; the 30 queued behind it shared one transaction");
        await using var db = Fixture.Db();
        (await db.Items.CountAsync(i => ids.Contains(i.Id))).Should().Be(31);
        (await db.AuditEntries.CountAsync(e => e.ChainId == school && e.Action == "received" && ids.Contains(e.ItemId!.Value))).Should().Be(31);
        (await AuditLog.VerifyAsync(db, school, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_write_that_fails_is_undone_alone_and_the_others_in_its_batch_commit_with_an_unbroken_chain()
    {
        // Arrange: three writes in one batch; the middle one appends to the chain and then fails.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();
        var (gate, holder, before) = await HeldBatches.HoldOpenAsync(batches, school);
        string? failedText = null;

        // Act
        var good1 = batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "good-1", ct), CancellationToken.None);
        var bad = batches.RunAsync(school, async (services, ct) =>
        {
            var id = await IngestAsync(services, account, "bad", ct);
            failedText = id.ToString();
            throw new InvalidOperationException("this write fails after its audit entry was appended");
        }, CancellationToken.None);
        var good2 = batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "good-2", ct), CancellationToken.None);
        ReleaseWhenQueued(gate, batches, before, queued: 3);
        await holder;

        // Assert
        var ok = new[] { await good1, await good2 };
        var failing = async () => await bad;
        await failing.Should().ThrowAsync<InvalidOperationException>().WithMessage("*fails after its audit entry*");
        (batches.Counts.Batches - before.Batches).Should().Be(2);
        failedText.Should().NotBeNull();
        await using var db = Fixture.Db();
        (await db.Items.CountAsync(i => ok.Contains(i.Id))).Should().Be(2);
        (await db.Items.AnyAsync(i => i.Id == Guid.Parse(failedText!))).Should().BeFalse("the failed write's item was rolled back with its savepoint");
        var pattern = $"%{failedText}%";
        (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM outbox WHERE payload::text LIKE {pattern}").SingleAsync())
            .Should().Be(0, "its ItemReceived went with it");
        (await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM outbox WHERE payload::text LIKE {$"%{ok[0]}%"}").SingleAsync())
            .Should().Be(1, "a committed write's ItemReceived is in the outbox");
        var verified = await AuditLog.VerifyAsync(db, school, CancellationToken.None);
        verified.Intact.Should().BeTrue("the write after the failed one chains on the last committed entry, not the rolled-back one");
    }

    [Fact]
    public async Task A_batch_whose_connection_dies_commits_nothing_and_fails_every_write_in_it()
    {
        // Arrange
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();
        var (gate, holder, before) = await HeldBatches.HoldOpenAsync(batches, school);

        // Act: the second write kills the batch's own connection after the first wrote its item.
        var written = batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "before-the-crash", ct), CancellationToken.None);
        var killer = batches.RunAsync(school, async (services, ct) =>
        {
            var db = services.GetRequiredService<ModerationDbContext>();
            await db.Database.ExecuteSqlRawAsync("SELECT pg_terminate_backend(pg_backend_pid())", ct);
            return Guid.Empty;
        }, CancellationToken.None);
        ReleaseWhenQueued(gate, batches, before, queued: 2);
        await holder;

        // Assert
        var first = async () => await written;
        var second = async () => await killer;
        await first.Should().ThrowAsync<Exception>("its write was in the transaction that never committed");
        await second.Should().ThrowAsync<Exception>();
        await using var db = Fixture.Db();
        (await db.Items.AnyAsync(i => i.PlatformItemId!.StartsWith("before-the-crash"))).Should().BeFalse();
        (await AuditLog.VerifyAsync(db, school, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_batch_that_adds_outbox_rows_wakes_the_relay_once_it_has_committed()
    {
        // Arrange: a listener on the relay's channel, as the relay listens.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();
        await using var listener = new Npgsql.NpgsqlConnection(Fixture.Env.ConnectionString);
        await listener.OpenAsync();
        var notified = 0;
        listener.Notification += (_, e) => notified += e.Channel == Moderation.Domain.Messaging.Outbox.Channel ? 1 : 0;
        await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {Moderation.Domain.Messaging.Outbox.Channel}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var (gate, holder, before) = await HeldBatches.HoldOpenAsync(batches, school);

        // Act: two writes in one batch, each adding an ItemReceived to the outbox.
        var writes = new[]
        {
            batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "notify-1", ct), CancellationToken.None),
            batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "notify-2", ct), CancellationToken.None),
        };
        ReleaseWhenQueued(gate, batches, before, queued: 2);
        await holder;
        await Task.WhenAll(writes);

        // Assert: PostgreSQL delivers the NOTIFY with the commit (waiting up to 10 s for it, not timing anything).
        (await listener.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the batch's commit notified the relay's channel");
        notified.Should().Be(1, "one commit, one notification for both writes' outbox rows");
    }

    [Fact]
    public async Task A_context_appending_in_a_new_transaction_reads_the_chain_head_again_after_another_writer_appended()
    {
        // Arrange: one context appends and commits; another writer appends after it.
        var (school, _) = await FirstAccountAsync();
        var actor = Actor.System("test");
        await using var db = Fixture.Db();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(db, school, actor, "first", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        await using (var other = Fixture.Db())
        await using (var tx = await other.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(other, school, actor, "other", DateTimeOffset.UtcNow);
            await other.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Act: the first context's next transaction (Npgsql may hand back the same transaction object).
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(db, school, actor, "second", DateTimeOffset.UtcNow);
            await AuditLog.AppendAsync(db, school, actor, "third", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            await AuditLog.AppendAsync(db, school, actor, "fourth", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var actions = await check.AuditEntries.Where(e => e.ChainId == school && e.Actor == "system:test").OrderBy(e => e.Position).Select(e => e.Action).ToListAsync();
        actions.Should().Equal("first", "other", "second", "third", "fourth");
        (await AuditLog.VerifyAsync(check, school, CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Locking_and_reading_an_item_in_one_statement_holds_its_row_until_the_commit()
    {
        // Arrange
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();
        var id = await batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "locked", ct), CancellationToken.None);
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();

        // Act
        var item = await ItemTransitions.LockAndReadAsync(db, school, id, CancellationToken.None);
        var missing = await ItemTransitions.LockAndReadAsync(db, school, Guid.NewGuid(), CancellationToken.None);

        // Assert
        item.Should().NotBeNull();
        item!.Id.Should().Be(id);
        item.Version.Should().NotBe(0u, "xmin is read with the row");
        missing.Should().BeNull();
        await using var other = new Npgsql.NpgsqlConnection(Fixture.Env.ConnectionString);
        await other.OpenAsync();
        await using var probe = new Npgsql.NpgsqlCommand("SELECT id FROM items WHERE id = @id FOR UPDATE NOWAIT", other);
        probe.Parameters.AddWithValue("id", id);
        var taking = async () => await probe.ExecuteScalarAsync();
        (await taking.Should().ThrowAsync<Npgsql.PostgresException>()).Which.SqlState.Should().Be("55P03", "the row is locked by the first transaction");
    }

    [Fact]
    public async Task Routing_checks_the_version_of_an_instance_read_before_the_lock_and_finds_it_changed()
    {
        // Arrange: the item is read (and tracked) first, then changed by someone else, then locked and "read" again.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (school, account) = await FirstAccountAsync();
        var id = await batches.RunAsync(school, (services, ct) => IngestAsync(services, account, "stale", ct), CancellationToken.None);
        await using var scope = Fixture.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        var stale = await db.Items.FirstAsync(i => i.Id == id);
        await using (var other = Fixture.Db())
        {
            await other.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.UpdatedAt, DateTimeOffset.UtcNow));
        }

        await using var tx = await db.Database.BeginTransactionAsync();
        var locked = await ItemTransitions.LockAndReadAsync(db, school, id, CancellationToken.None);

        // Act
        var outcome = await scope.ServiceProvider.GetRequiredService<Moderation.Domain.Routing.ItemRouter>()
            .AssignOnArrivalAsync(locked!, DateTimeOffset.UtcNow, CancellationToken.None);

        // Assert
        locked.Should().BeSameAs(stale, "EF hands back the instance it tracks, with the values it had");
        outcome.Result.Should().Be(Moderation.Domain.Routing.RoutingResult.Conflict,
            "only an instance read under the lock skips the version check; this one is out of date");
    }

    private async Task<(Guid School, Guid Account)> FirstAccountAsync()
    {
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.AsNoTracking().OrderBy(a => a.Handle).FirstAsync();
        return (account.SchoolId, account.Id);
    }

    private static async Task<Guid> IngestAsync(IServiceProvider services, Guid account, string prefix, CancellationToken ct)
    {
        var (ingested, created) = await services.GetRequiredService<ItemIntake>().IngestAsync(
            new InboundItem(account, ItemKind.InboundComment, $"{prefix}-{Guid.NewGuid():N}", "Parent", "p", $"{prefix}: well done everyone", null), ct);
        created.Should().BeTrue();
        return ingested;
    }

    /// <summary>
    /// Checks every write is queued (they are by the time RunAsync hands back its task) behind the batch still held
    /// open, then lets that batch finish, whatever the check found, so no test leaves a batch hanging.
    /// </summary>
    private static void ReleaseWhenQueued(TaskCompletionSource gate, SchoolWriteBatches batches, (long Batches, long Writes) before, int queued = 30)
    {
        try
        {
            batches.Queued.Should().Be(queued);
            batches.Counts.Batches.Should().Be(before.Batches, "the first batch is still held open");
        }
        finally
        {
            gate.SetResult();
        }
    }
}
