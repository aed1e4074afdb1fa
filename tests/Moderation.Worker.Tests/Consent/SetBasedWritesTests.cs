using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;

namespace Moderation.Worker.Tests.Consent;

/// <summary>
/// The set-based writers consent reconciliation uses for its batches write exactly what the per-item path writes:
/// the same audit chain (positions, links, hashes), the same outbox rows, the same platform actions.
/// </summary>
public sealed class SetBasedWritesTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly Actor s_actor = Actor.System("consent-reconciliation");
    private static readonly DateTimeOffset s_at = new(2026, 12, 1, 2, 0, 0, 123, 456, TimeSpan.Zero);

    [Fact]
    public async Task Many_audit_entries_appended_at_once_are_the_entries_appended_one_by_one_and_the_chain_verifies()
    {
        // Arrange: the chain already has an entry, written the usual way.
        await using var db = Fixture.Db();
        var chain = await db.Schools.Select(s => s.Id).FirstAsync();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(db, chain, s_actor, "consent-reconciled", s_at, detail: "run 1");
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        db.ChangeTracker.Clear();
        var item = Guid.NewGuid();
        AuditRecord[] records =
        [
            new(s_actor, "rescreen-consent-changed", s_at, item, "AwaitingReview", "Screening", "the consent of someone in its photos changed"),
            new(s_actor, "consent-takedown", s_at.AddTicks(7), item, Detail: "Hide on Facebook (@fleming): consent withdrawn: naïve café ✓"),
            new(new Actor(Guid.NewGuid(), "Mrs Carter"), "note", s_at),
        ];
        List<(long Position, string PrevHash, string Hash)> oneByOne;
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            foreach (var r in records)
            {
                await AuditLog.AppendAsync(db, chain, r.Actor, r.Action, r.At, r.ItemId, r.FromState, r.ToState, r.Detail);
            }

            oneByOne = [.. db.ChangeTracker.Entries<AuditEntry>().Select(e => e.Entity).OrderBy(e => e.Position).Select(e => (e.Position, e.PrevHash, e.Hash))];
            await tx.RollbackAsync();
        }

        db.ChangeTracker.Clear();

        // Act
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendManyAsync(db, chain, records, CancellationToken.None);
            await tx.CommitAsync();
        }

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(db, chain, s_actor, "consent-reconciled", s_at, detail: "run 2");
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var stored = await check.AuditEntries.Where(e => e.ChainId == chain).OrderBy(e => e.Position).ToListAsync();
        stored.Should().HaveCount(5);
        stored.Skip(1).Take(3).Select(e => (e.Position, e.PrevHash, e.Hash)).Should().Equal(oneByOne);
        stored[4].PrevHash.Should().Be(stored[3].Hash, "an entry appended the usual way afterwards links to the last of the batch");
        stored.Select(e => e.Seq).Should().BeInAscendingOrder();
        var verified = await AuditLog.VerifyAsync(check, chain, CancellationToken.None);
        verified.Intact.Should().BeTrue();
        verified.EntriesChecked.Should().Be(5);
    }

    [Fact]
    public async Task Entries_appended_one_by_one_are_saved_after_the_rest_in_one_statement_and_kept_for_another_save_if_it_fails()
    {
        // Arrange: two schools' chains, appended to in turn, and a change that fails the first save (its recipient does not exist).
        await using var db = Fixture.Db();
        var chains = await db.Schools.OrderBy(s => s.Id).Select(s => s.Id).Take(2).ToListAsync();
        chains.Should().HaveCount(2);
        var heads = await db.AuditEntries.Where(e => chains.Contains(e.ChainId)).GroupBy(e => e.ChainId)
            .ToDictionaryAsync(g => g.Key, g => g.Max(e => e.Position));
        await using var tx = await db.Database.BeginTransactionAsync();
        foreach (var (chain, n) in new[] { (chains[0], 1), (chains[1], 1), (chains[0], 2), (chains[1], 2), (chains[0], 3) })
        {
            await AuditLog.AppendAsync(db, chain, s_actor, "note", s_at.AddTicks(n * 10), detail: $"entry {n}");
        }

        var failing = new Moderation.Domain.Notifications.Notification
        {
            Id = Guid.NewGuid(), SchoolId = chains[0], RecipientId = Guid.NewGuid(), Kind = Moderation.Domain.Notifications.NotificationKind.Alert,
            Title = "t", Body = "b", CreatedAt = s_at,
        };
        db.Notifications.Add(failing);

        // Act: the first save fails; the entries are tracked again; the second, without the failing change, writes them.
        var failed = await Record.ExceptionAsync(() => db.SaveChangesAsync());
        var keptAfterFailure = db.Added<AuditEntry>().Count;
        db.Entry(failing).State = EntityState.Detached;
        var saved = await db.SaveChangesAsync();
        var trackedAfterSave = db.ChangeTracker.Entries<AuditEntry>().Count();
        await tx.CommitAsync();

        // Assert
        failed.Should().BeOfType<DbUpdateException>();
        keptAfterFailure.Should().Be(5);
        saved.Should().Be(5);
        trackedAfterSave.Should().Be(0, "they were written with one statement of their own, not by EF, which would keep tracking them");
        await using var check = Fixture.Db();
        foreach (var (chain, count) in new[] { (chains[0], 3), (chains[1], 2) })
        {
            var head = heads.GetValueOrDefault(chain);
            var stored = await check.AuditEntries.Where(e => e.ChainId == chain && e.Position > head).OrderBy(e => e.Position).ToListAsync();
            stored.Select(e => e.Position).Should().Equal(Enumerable.Range(1, count).Select(i => head + i));
            stored.Select(e => e.Detail).Should().Equal(Enumerable.Range(1, count).Select(i => $"entry {i}"));
            stored.Select(e => e.Seq).Should().BeInAscendingOrder();
            var verified = await AuditLog.VerifyAsync(check, chain, CancellationToken.None);
            verified.Intact.Should().BeTrue();
            verified.EntriesChecked.Should().Be(head + count);
        }
    }

    [Fact]
    public async Task Appending_many_refuses_without_a_transaction_and_while_entries_of_the_chain_are_unsaved()
    {
        // Arrange
        await using var db = Fixture.Db();
        var chain = await db.Schools.Select(s => s.Id).FirstAsync();
        AuditRecord[] records = [new(s_actor, "note", s_at)];

        // Act
        var outside = await Record.ExceptionAsync(() => AuditLog.AppendManyAsync(db, chain, records, CancellationToken.None));
        Exception? unsaved;
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await AuditLog.AppendAsync(db, chain, s_actor, "note", s_at);
            unsaved = await Record.ExceptionAsync(() => AuditLog.AppendManyAsync(db, chain, records, CancellationToken.None));
            await tx.RollbackAsync();
        }

        // Assert
        outside.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("same transaction");
        unsaved.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("Save the audit entries");
        await using var check = Fixture.Db();
        (await check.AuditEntries.CountAsync(e => e.ChainId == chain)).Should().Be(0, "nothing was written");
    }

    [Fact]
    public async Task Messages_enqueued_many_at_once_are_the_rows_enqueued_one_at_a_time()
    {
        // Arrange
        await using var db = Fixture.Db();
        var message = new ItemReceived(Guid.NewGuid(), Guid.NewGuid(), "OutboundDraft", s_at);
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            Outbox.Enqueue(db, message, s_at);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        db.ChangeTracker.Clear();

        // Act
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await Outbox.EnqueueManyAsync(db, [message, message with { Kind = "InboundComment" }], s_at, CancellationToken.None);
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var rows = await check.Outbox.AsNoTracking().OrderBy(o => o.Seq).ToListAsync();
        rows.Should().HaveCount(3);
        rows[1].Should().BeEquivalentTo(rows[0], o => o.Excluding(r => r.Seq).Excluding(r => r.MessageId));
        rows.Select(r => r.MessageId).Should().OnlyHaveUniqueItems();
        JsonSerializer.Deserialize<ItemReceived>(rows[2].Payload, Outbox.s_json)
            .Should().Be(message with { Kind = "InboundComment" }, "the batch keeps its order");
        var outside = () => Outbox.EnqueueManyAsync(check, [message], s_at, CancellationToken.None);
        await outside.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Actions_stored_many_at_once_are_the_rows_and_messages_queued_one_at_a_time()
    {
        // Arrange
        await using var db = Fixture.Db();
        var items = await AddItemsAsync(db, 3);
        var account = await db.SocialAccounts.Where(a => a.SchoolId == items[0].SchoolId).Select(a => a.Id).FirstAsync();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            PlatformActions.Queue(db, items[0].Id, items[0].SchoolId, account, PlatformAction.Hide, ActionPurpose.Takedown, s_at);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        db.ChangeTracker.Clear();
        PlatformActionRecord New(Guid itemId, ActionStatus status, string? error) => new()
        {
            Id = Guid.CreateVersion7(s_at), ItemId = itemId, SchoolId = items[0].SchoolId, SocialAccountId = account, Action = PlatformAction.Hide,
            Purpose = ActionPurpose.Takedown, Status = status, CreatedAt = s_at, NextAttemptAt = s_at, LastError = error,
        };
        var pending = New(items[1].Id, ActionStatus.Pending, null);
        var byHand = New(items[2].Id, ActionStatus.Failed, "needs a human: delete the post by hand");

        // Act
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await PlatformActions.InsertManyAsync(db, [pending, byHand], s_at, CancellationToken.None);
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var queued = await check.PlatformActions.AsNoTracking().SingleAsync(a => a.ItemId == items[0].Id && a.Purpose == ActionPurpose.Takedown);
        var many = await check.PlatformActions.AsNoTracking().SingleAsync(a => a.Id == pending.Id);
        many.Should().BeEquivalentTo(queued, o => o.Excluding(a => a.Id).Excluding(a => a.ItemId));
        (await check.PlatformActions.AsNoTracking().SingleAsync(a => a.Id == byHand.Id)).Should().BeEquivalentTo(byHand);
        var messages = await check.Outbox.AsNoTracking().OrderBy(o => o.Seq).ToListAsync();
        messages.Should().HaveCount(2, "a failed action starts nothing");
        messages[1].Should().BeEquivalentTo(messages[0], o => o.Excluding(m => m.Seq).Excluding(m => m.MessageId).Excluding(m => m.Payload));
        JsonSerializer.Deserialize<PlatformActionRequested>(messages[1].Payload, Outbox.s_json)
            .Should().Be(new PlatformActionRequested(pending.Id, pending.ItemId, pending.SchoolId));
    }

    [Fact]
    public async Task Storing_many_actions_refuses_one_already_attempted_and_writes_nothing()
    {
        // Arrange
        await using var db = Fixture.Db();
        var item = (await AddItemsAsync(db, 1))[0];
        var account = await db.SocialAccounts.Where(a => a.SchoolId == item.SchoolId).Select(a => a.Id).FirstAsync();
        var done = new PlatformActionRecord
        {
            Id = Guid.CreateVersion7(s_at), ItemId = item.Id, SchoolId = item.SchoolId, SocialAccountId = account, Action = PlatformAction.Hide,
            Purpose = ActionPurpose.Takedown, Status = ActionStatus.Done, CreatedAt = s_at, NextAttemptAt = s_at, CompletedAt = s_at,
        };

        // Act
        await using var tx = await db.Database.BeginTransactionAsync();
        var store = () => PlatformActions.InsertManyAsync(db, [done], s_at, CancellationToken.None);

        // Assert
        await store.Should().ThrowAsync<ArgumentException>().WithMessage("*not yet attempted*");
        await tx.RollbackAsync();
        await using var check = Fixture.Db();
        (await check.PlatformActions.AnyAsync(a => a.Purpose == ActionPurpose.Takedown)).Should().BeFalse();
    }

    private static async Task<List<ModerationItem>> AddItemsAsync(ModerationDbContext db, int count)
    {
        var school = await db.Schools.Select(s => s.Id).FirstAsync();
        var items = Enumerable.Range(0, count).Select(n => new ModerationItem
        {
            Id = Guid.CreateVersion7(), SchoolId = school, Kind = ItemKind.OutboundDraft, State = ItemState.Actioned, Text = $"Post {n}", ApprovedText = $"Post {n}",
            ReceivedAt = s_at, UpdatedAt = s_at,
        }).ToList();
        db.Items.AddRange(items);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        return items;
    }
}
