using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Testing;

namespace Moderation.Worker.Tests;

public sealed class DeliveryTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task A_message_delivered_twice_is_screened_once()
    {
        // Arrange
        var ids = await Fixture.IngestAsync(1);
        var counter = new ConsumeCounter(typeof(ItemReceived));
        using var worker = await WorkerFixture.StartWorkerAsync(counter);
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == 1, "the item to be screened");
        await using var db = Fixture.Db();
        var original = await db.Outbox.SingleAsync(o => o.Type == "Moderation.Contracts.ItemReceived");

        // Act: the broker hands the same message over again (same MessageId), twice.
        var bus = worker.Services.GetRequiredService<IBus>();
        var message = new ItemReceived(ids[0], (await db.Items.SingleAsync()).SchoolId, "InboundComment", DateTimeOffset.UtcNow);
        await bus.Publish(message, c => c.MessageId = original.MessageId);
        await bus.Publish(message, c => c.MessageId = original.MessageId);
        await Eventually.WaitForAsync(() => Task.FromResult(counter[original.MessageId]), n => n == 3, "the redeliveries to be consumed");
        await worker.StopAsync();

        // Assert
        (await db.AuditEntries.CountAsync(a => a.ItemId == ids[0] && a.Action == "screened")).Should().Be(1);
        (await db.AuditEntries.CountAsync(a => a.ItemId == ids[0] && a.Action == "assigned")).Should().Be(1);
        (await db.ItemAssignments.CountAsync(a => a.ItemId == ids[0])).Should().Be(1, "routed once, in screening's transaction");
        (await db.Inbox.CountAsync(i => i.Consumer == "screening")).Should().Be(1);
    }

    [Fact]
    public async Task A_screened_item_is_routed_in_the_transaction_that_screened_it_with_no_message_between()
    {
        // Arrange
        var ids = await Fixture.IngestAsync(3);

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync();
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == 3, "the items to be screened");
        await worker.StopAsync();

        // Assert: each item's "screened" and "assigned" audit entries were inserted by one transaction (ADR 0603).
        await using var db = Fixture.Db();
        foreach (var id in ids)
        {
            var writers = await db.Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM audit_entries WHERE item_id = {id} AND action IN ('screened', 'assigned')").ToListAsync();
            writers.Should().HaveCount(2).And.OnlyContain(x => x == writers[0], "screening and routing share one transaction");
            (await db.Items.SingleAsync(i => i.Id == id)).AssignedToId.Should().NotBeNull();
        }

        (await db.ItemAssignments.CountAsync(a => ids.Contains(a.ItemId))).Should().Be(3);
        (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemScreened")).Should().Be(0, "no message goes between screening and routing");
        (await db.Inbox.CountAsync(i => i.Consumer == "routing")).Should().Be(0);
    }

    [Fact]
    public async Task An_ItemScreened_message_left_queued_by_an_earlier_version_still_routes_its_item_once()
    {
        // Arrange: an item screened, and its ItemScreened message not yet consumed, when the worker was upgraded.
        var world = await new Routing.RoutingWorld(Fixture).LoadAsync();
        await world.SetRotaAsync(("Everyone", 1, [world.Amy]));
        var id = await world.ScreenedCommentAsync();
        var counter = new ConsumeCounter(typeof(ItemScreened));
        using var worker = await WorkerFixture.StartWorkerAsync(counter);
        var message = new ItemScreened(id, world.School, true, 0, DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        // Act: delivered twice, as a redelivery would.
        var bus = worker.Services.GetRequiredService<IBus>();
        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);
        await using var db = Fixture.Db();
        await Eventually.WaitForAsync(() => Task.FromResult(counter[messageId]), n => n == 2, "both deliveries to be consumed");
        await worker.StopAsync();

        // Assert
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == id)).AssignedToId.Should().Be(world.Amy);
        (await db.ItemAssignments.CountAsync(a => a.ItemId == id)).Should().Be(1);
        (await db.Inbox.CountAsync(i => i.Consumer == "routing")).Should().Be(1);
    }

    [Fact]
    public async Task A_relay_that_crashed_after_publishing_publishes_again_and_the_inbox_absorbs_it()
    {
        // Arrange
        var ids = await Fixture.IngestAsync(3);
        var counter = new ConsumeCounter(typeof(ItemReceived));
        using var worker = await WorkerFixture.StartWorkerAsync(counter);
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == 3, "the items to be screened");
        await Eventually.WaitForAsync(() => Task.FromResult(counter.Total), n => n == 3, "the first deliveries to be counted");

        // Act: as if the relay died between publishing and marking the rows sent.
        await using var db = Fixture.Db();
        await db.Database.ExecuteSqlRawAsync("UPDATE outbox SET sent_at = NULL WHERE type = 'Moderation.Contracts.ItemReceived'");
        await Eventually.WaitForAsync(
            () => db.Outbox.CountAsync(o => o.SentAt == null),
            n => n == 0,
            "the relay to publish the rows again");
        await Eventually.WaitForAsync(() => Task.FromResult(counter.Total), n => n == 6, "the republished messages to be consumed");
        await worker.StopAsync();

        // Assert
        (await db.AuditEntries.CountAsync(a => a.Action == "screened")).Should().Be(3);
        (await db.ItemAssignments.CountAsync()).Should().Be(3, "each item routed once");
        var chain = await AuditLog.VerifyAsync(db, (await db.Items.FirstAsync()).SchoolId, CancellationToken.None);
        chain.Intact.Should().BeTrue();
    }

    [Fact]
    public async Task A_screener_that_throws_never_clears_an_item_it_goes_to_review_marked_incomplete()
    {
        // Arrange
        var ids = await Fixture.IngestAsync(1, "boom");
        var builder = WorkerHost.CreateBuilder([]);
        builder.Services.AddSingleton<Domain.Screening.ITextScreener, ThrowingScreener>();
        using var worker = builder.Build();
        await worker.StartAsync();

        // Act
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == 1, "the item to reach review");
        await worker.StopAsync();

        // Assert
        await using var db = Fixture.Db();
        var item = await db.Items.SingleAsync(i => i.Id == ids[0]);
        item.ScreeningComplete.Should().BeFalse();
        item.ScreeningNote.Should().Contain("Screening incomplete").And.Contain("broken-screener");
        item.DecidedById.Should().BeNull();
    }

    private sealed class ThrowingScreener : Domain.Screening.ITextScreener
    {
        public string Name => "broken-screener";

        public IEnumerable<Domain.Screening.Finding> Screen(string text) => throw new FormatException("lexicon failed to load");
    }
}
