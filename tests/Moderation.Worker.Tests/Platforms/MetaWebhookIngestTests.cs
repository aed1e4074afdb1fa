using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;
using Fault = Moderation.Testing.Platforms.Fault;

namespace Moderation.Worker.Tests.Platforms;

/// <summary>A stored Meta webhook body becomes items, once, however often its message arrives.</summary>
public sealed class MetaWebhookIngestTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private const string PageId = "100200300400500";

    private static string CommentChange(string commentId, string message) =>
        $$$"""{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"{{{commentId}}}","post_id":"{{{PageId}}}_7001","parent_id":"{{{PageId}}}_7001","from":{"id":"5550001","name":"A Parent"},"message":"{{{message}}}","created_time":1795600800}}""";

    private const string Reaction =
        $$$"""{"field":"feed","value":{"item":"reaction","verb":"add","post_id":"{{{PageId}}}_7001","reaction_type":"like","from":{"id":"5550002","name":"B"},"created_time":1795600801}}""";

    /// <summary>A Page body with comments and a reaction, as Meta batches changes.</summary>
    private static string PageBody(params (string CommentId, string Message)[] comments) =>
        $$$"""{"object":"page","entry":[{"id":"{{{PageId}}}","time":1795600805,"changes":[{{{string.Join(",", comments.Select(c => CommentChange(c.CommentId, c.Message)).Append(Reaction))}}}]}]}""";

    /// <summary>Stores a body and its message as the webhook endpoint does; returns the delivery and the message's id.</summary>
    private async Task<(Guid DeliveryId, Guid MessageId)> StoreAsync(Platform platform, string body)
    {
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Platform == platform && a.ExternalId == PageId);
        var now = DateTimeOffset.UtcNow;
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(now),
            Platform = platform,
            SocialAccountId = account.Id,
            Body = body,
            BodySha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))),
            ReceivedAt = now,
        };
        await using var tx = await db.Database.BeginTransactionAsync();
        db.WebhookDeliveries.Add(delivery);
        var message = Outbox.Enqueue(db, new WebhookReceived(delivery.Id, platform.ToString()), now);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return (delivery.Id, message.MessageId);
    }

    private async Task<WebhookDelivery> WaitForProcessedAsync(Guid deliveryId) =>
        await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                return await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId);
            },
            d => d.ProcessedAt is not null,
            $"delivery {deliveryId} to be processed");

    [Fact]
    public async Task A_stored_delivery_is_ingested_into_items_once_even_when_its_message_comes_again()
    {
        // Arrange
        var (deliveryId, messageId) = await StoreAsync(Platform.Facebook, PageBody(("7001_9001", "Is the trip still on?"), ("7001_9002", "Well done all")));
        var counter = new ConsumeCounter(typeof(WebhookReceived));
        using var worker = await WorkerFixture.StartWorkerAsync(counter);
        var processed = await WaitForProcessedAsync(deliveryId);

        // Act: the broker hands the same message over twice more, and a second message names the same delivery.
        var bus = worker.Services.GetRequiredService<IBus>();
        await bus.Publish(new WebhookReceived(deliveryId, "Facebook"), c => c.MessageId = messageId);
        await bus.Publish(new WebhookReceived(deliveryId, "Facebook"), c => c.MessageId = messageId);
        var other = NewId.NextGuid();
        await bus.Publish(new WebhookReceived(deliveryId, "Facebook"), c => c.MessageId = other);
        await Eventually.WaitForAsync(() => Task.FromResult(counter[messageId] + counter[other]), n => n == 4, "the redeliveries to be consumed");
        await worker.StopAsync();

        // Assert
        processed.CommentCount.Should().Be(2, "the reaction is not a comment");
        processed.Error.Should().BeNull();
        await using var db = Fixture.Db();
        var items = await db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).OrderBy(i => i.PlatformItemId).ToListAsync();
        items.Select(i => i.PlatformItemId).Should().Equal("7001_9001", "7001_9002");
        var item = items[0];
        item.Kind.Should().Be(ItemKind.InboundComment);
        item.Text.Should().Be("Is the trip still on?");
        item.AuthorName.Should().Be("A Parent");
        item.AuthorPlatformId.Should().Be("5550001");
        item.ReceivedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1795600800));
        item.PlatformUrl.Should().Be($"https://www.facebook.com/{PageId}/posts/7001?comment_id=9001");
        item.PlatformParentId.Should().Be($"{PageId}_7001");
        item.PlatformPayload.Should().Contain("\"comment_id\":\"7001_9001\"").And.Contain("Is the trip still on?");
        (await db.AuditEntries.CountAsync(a => a.Action == "received")).Should().Be(2);
        foreach (var stored in items)
        {
            // Stored, screened and routed in one transaction (ADR 0604): one writer for all three entries, and one owner.
            stored.State.Should().Be(ItemState.AwaitingReview);
            var writers = await db.Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM audit_entries WHERE item_id = {stored.Id} AND action IN ('received', 'screened', 'assigned')").ToListAsync();
            writers.Should().HaveCount(3).And.OnlyContain(x => x == writers[0], "the comment was stored, screened and routed in one transaction");
            (await db.ItemAssignments.CountAsync(a => a.ItemId == stored.Id)).Should().Be(1);
        }

        (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemReceived")).Should().Be(0, "no message goes between intake and screening");
        (await db.Inbox.CountAsync(i => i.Consumer == "screening")).Should().Be(0);
        (await db.PlatformActions.CountAsync(a => a.Purpose == ActionPurpose.Arrival && a.Action == PlatformAction.Hide))
            .Should().Be(2, "Facebook already shows them and the account is pre-moderated");
        (await db.Inbox.CountAsync(i => i.Consumer == "platform-webhooks")).Should().Be(1, "the first delivery did the work; the others found it processed");
    }

    [Fact]
    public async Task Comments_that_cannot_be_screened_as_they_are_stored_are_stored_anyway_and_screened_apart()
    {
        // Arrange: the first two "screened" entries fail to be written (a sequence is not rolled back with them), which
        // rolls back screening on intake; the comments must then go the two-stage way, and get there.
        await using (await FailingWrites.InstallAsync(Fixture.Db, "audit_entries", "INSERT", "NEW.action = 'screened'", times: 2))
        {
            var (deliveryId, _) = await StoreAsync(Platform.Facebook, PageBody(("7001_9101", "Is the trip still on?"), ("7001_9102", "Well done all")));

            // Act
            using var worker = await WorkerFixture.StartWorkerAsync();
            var processed = await WaitForProcessedAsync(deliveryId);
            await using var db = Fixture.Db();
            var items = await Eventually.WaitForAsync(
                () => db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).ToListAsync(),
                found => found.Count == 2 && found.All(i => i.State == ItemState.AwaitingReview && i.AssignedAt != null),
                "both comments to be screened and assigned");
            await worker.StopAsync();

            // Assert: stored once, screened through their messages, each assigned once; nothing of the failed attempt stayed.
            processed.CommentCount.Should().Be(2);
            (await db.AuditEntries.CountAsync(a => a.Action == "received")).Should().Be(2);
            (await db.AuditEntries.CountAsync(a => a.Action == "screened")).Should().Be(2);
            (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemReceived")).Should().Be(2, "the comments went the two-stage way");
            (await db.Inbox.CountAsync(i => i.Consumer == "screening")).Should().Be(2);
            foreach (var item in items)
            {
                (await db.ItemAssignments.CountAsync(a => a.ItemId == item.Id)).Should().Be(1);
            }
        }
    }

    [Fact]
    public async Task A_bodys_hides_on_arrival_go_as_one_message_and_each_is_carried_out_once_with_a_failing_one_settled_alone()
    {
        // Arrange: the Page is connected to a fake Graph API and pre-moderated; a body of twenty public comments
        // arrives, and the platform answers 503 to both attempts at hiding one of them.
        const int count = 20;
        await using var world = await PlatformWorld.StartAsync(Fixture);
        var comments = Enumerable.Range(0, count).Select(i => ($"7001_93{i:D2}", $"Comment {i}: lovely assembly")).ToArray();
        var failing = comments[5].Item1;
        world.Graph.Enqueue(new Fault.Status(503) { PathContains = failing }, new Fault.Status(503) { PathContains = failing });
        var (deliveryId, _) = await StoreAsync(Platform.Facebook, PageBody(comments));

        // Act: eight calls at a time, so the twenty go in three rounds.
        var counter = new ConsumeCounter(typeof(PlatformActionsRequested));
        using var worker = await WorkerFixture.StartWorkerAsync(counter, [.. PlatformActionTests.FastSettings, "--Platforms:ActionsCalledAtOnce=8"]);
        await WaitForProcessedAsync(deliveryId);
        await using var db = Fixture.Db();
        var items = await Eventually.WaitForAsync(
            () => db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).ToListAsync(),
            found => found.Count == count && found.All(i => i.HiddenOnPlatform),
            "every comment to be hidden on the platform");

        // The message comes again (a redelivery): every action is done already, and nothing is called twice.
        var again = NewId.NextGuid();
        var actionIds = await db.PlatformActions.Where(a => a.Purpose == ActionPurpose.Arrival).Select(a => a.Id).ToArrayAsync();
        await worker.Services.GetRequiredService<IBus>().Publish(new PlatformActionsRequested(actionIds), c => c.MessageId = again);
        await Eventually.WaitForAsync(() => Task.FromResult(counter[again]), n => n == 1, "the redelivery to be consumed");
        await worker.StopAsync();

        // Assert: one message started them all, and one more put off the one that failed; none went alone.
        var started = await db.Outbox.AsNoTracking().Where(o => o.Type == "Moderation.Contracts.PlatformActionsRequested").OrderBy(o => o.Seq).ToListAsync();
        started.Should().HaveCount(2);
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var arrivalIds = await db.PlatformActions.Where(a => a.Purpose == ActionPurpose.Arrival).Select(a => a.Id).ToListAsync();
        System.Text.Json.JsonSerializer.Deserialize<PlatformActionsRequested>(started[0].Payload, web)!.ActionIds
            .Should().BeEquivalentTo(arrivalIds, "the body's message starts every one of its hides");
        var failingItemId = items.Single(i => i.PlatformItemId == failing).Id;
        var failingActionId = await db.PlatformActions.Where(a => a.ItemId == failingItemId && a.Purpose == ActionPurpose.Arrival).Select(a => a.Id).SingleAsync();
        System.Text.Json.JsonSerializer.Deserialize<PlatformActionsRequested>(started[1].Payload, web)!.ActionIds
            .Should().Equal([failingActionId], "only the failed hide is put off");
        started[1].DueAt.Should().BeAfter(started[1].CreatedAt, "the failed hide waits before it is tried again");
        (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.PlatformActionRequested")).Should().Be(0);
        foreach (var (commentId, _) in comments)
        {
            world.AppliedTo(commentId, "hide").Should().Be(1, $"comment {commentId} is hidden exactly once");
        }

        var actions = await db.PlatformActions.AsNoTracking().Where(a => a.Purpose == ActionPurpose.Arrival).ToListAsync();
        actions.Should().HaveCount(count).And.OnlyContain(a => a.Status == ActionStatus.Done && a.LeaseUntil == null && a.CompletedAt != null);
        var retried = actions.Single(a => a.Id == failingActionId);
        retried.Attempts.Should().Be(2);
        actions.Should().OnlyContain(a => a.Result!.EndsWith("hidden from the public"));
        actions.Where(a => a != retried).Should().OnlyContain(a => a.Attempts == 1);
        foreach (var item in items)
        {
            (await db.AuditEntries.CountAsync(a => a.ItemId == item.Id && a.Action == "platform-hide")).Should().Be(1);
            item.State.Should().Be(ItemState.AwaitingReview, "hiding it does not change where it is in review");
        }
    }

    [Fact]
    public async Task Hides_of_comments_stored_before_the_delivery_was_marked_processed_start_when_its_message_comes_again()
    {
        // Arrange: marking the delivery processed fails once, after its comments (and their hides, not yet started)
        // were committed; the retry finds every comment stored already.
        await using var world = await PlatformWorld.StartAsync(Fixture);
        await using (await FailingWrites.InstallAsync(Fixture.Db, "webhook_deliveries", "UPDATE", "NEW.processed_at IS NOT NULL", times: 1))
        {
            var comments = new[] { ("7001_9401", "Is the trip still on?"), ("7001_9402", "Well done all"), ("7001_9403", "Thank you") };
            var (deliveryId, _) = await StoreAsync(Platform.Facebook, PageBody(comments));

            // Act
            using var worker = await WorkerFixture.StartWorkerAsync(null, PlatformActionTests.FastSettings);
            var processed = await WaitForProcessedAsync(deliveryId);
            await using var db = Fixture.Db();
            await Eventually.WaitForAsync(
                () => db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).ToListAsync(),
                found => found.Count == comments.Length && found.All(i => i.HiddenOnPlatform),
                "every comment to be hidden on the platform");
            await worker.StopAsync();

            // Assert: stored once, and each hidden once, started by the message the retry sent.
            processed.CommentCount.Should().Be(comments.Length);
            (await db.AuditEntries.CountAsync(a => a.Action == "received")).Should().Be(comments.Length);
            (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.PlatformActionsRequested")).Should().Be(1);
            foreach (var (commentId, _) in comments)
            {
                world.AppliedTo(commentId, "hide").Should().Be(1);
            }
        }
    }

    [Fact]
    public async Task A_comment_that_comes_twice_in_one_body_is_stored_screened_and_assigned_once()
    {
        // Arrange: Meta repeats a change within one body; the comments are stored together, in one write.
        var (deliveryId, _) = await StoreAsync(Platform.Facebook, PageBody(("7001_9501", "See you at sports day"), ("7001_9502", "Thank you"), ("7001_9501", "See you at sports day")));

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync();
        var processed = await WaitForProcessedAsync(deliveryId);
        await worker.StopAsync();

        // Assert
        processed.CommentCount.Should().Be(3);
        await using var db = Fixture.Db();
        var items = await db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).OrderBy(i => i.PlatformItemId).ToListAsync();
        items.Select(i => i.PlatformItemId).Should().Equal("7001_9501", "7001_9502");
        foreach (var item in items)
        {
            item.State.Should().Be(ItemState.AwaitingReview);
            (await db.AuditEntries.CountAsync(a => a.ItemId == item.Id && a.Action == "received")).Should().Be(1);
            (await db.AuditEntries.CountAsync(a => a.ItemId == item.Id && a.Action == "screened")).Should().Be(1);
            (await db.ItemAssignments.CountAsync(a => a.ItemId == item.Id)).Should().Be(1);
            (await db.PlatformActions.CountAsync(a => a.ItemId == item.Id && a.Purpose == ActionPurpose.Arrival)).Should().Be(1);
        }
    }

    [Fact]
    public async Task A_pupil_added_to_the_roster_between_two_bodies_is_redacted_in_the_second_and_not_the_first()
    {
        // Arrange: the first body names a child who is not on the roll yet, so screening has nothing to redact.
        var (first, _) = await StoreAsync(Platform.Facebook, PageBody(("7001_9601", "Well done Ottoline Fairbairn on the relay")));
        using var worker = await WorkerFixture.StartWorkerAsync();
        await WaitForProcessedAsync(first);

        // Act: the child joins the roll, which moves the school's screening version (as a roster import does); then a
        // second body names them. Its schools' profile keys are read with its accounts, not kept from the first.
        await using (var db = Fixture.Db())
        {
            var schoolId = await db.SocialAccounts.Where(a => a.Platform == Platform.Facebook && a.ExternalId == PageId).Select(a => a.SchoolId).SingleAsync();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Pupils.Add(new Moderation.Domain.Consent.Pupil
            {
                Id = Guid.CreateVersion7(), SchoolId = schoolId, MisId = "TEST-9601", LegalForename = "Ottoline", Surname = "Fairbairn", YearGroup = "Year 4",
            });
            await db.SaveChangesAsync();
            await Moderation.Domain.Screening.SchoolScreeningProfiles.BumpVersionAsync(db, schoolId, CancellationToken.None);
            await tx.CommitAsync();
        }

        var (second, _) = await StoreAsync(Platform.Facebook, PageBody(("7001_9602", "Well done Ottoline Fairbairn again")));
        await WaitForProcessedAsync(second);
        await worker.StopAsync();

        // Assert
        await using var check = Fixture.Db();
        var before = await check.Items.AsNoTracking().SingleAsync(i => i.PlatformItemId == "7001_9601");
        var after = await check.Items.AsNoTracking().SingleAsync(i => i.PlatformItemId == "7001_9602");
        before.State.Should().Be(ItemState.AwaitingReview);
        (before.RedactedText ?? before.Text).Should().Contain("Ottoline Fairbairn", "she was not on the roll when it was screened");
        after.State.Should().Be(ItemState.AwaitingReview);
        after.RedactedText.Should().NotBeNull().And.NotContain("Fairbairn", "the profile was rebuilt for the new screening version");
    }

    [Fact]
    public async Task A_body_for_two_schools_of_one_lane_is_stored_screened_assigned_and_hidden_in_one_transaction_each_with_both_chains_whole()
    {
        // Arrange: both schools' Pages pre-moderated on the fake Graph API, and one body with an entry for each, as Meta
        // batches the Pages an app is subscribed to. The worker runs with one lane, so the two schools share it.
        const string otherPage = "200300400500600";
        await using var world = await PlatformWorld.StartAsync(Fixture);
        await world.ConnectPageAsync(otherPage);
        string Entry(string page, params (string Id, string Message)[] comments) =>
            $$$"""{"id":"{{{page}}}","time":1795600805,"changes":[{{{string.Join(",", comments.Select(c =>
                $$$$"""{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"{{{{c.Id}}}}","post_id":"{{{{page}}}}_7001","from":{"id":"5550001","name":"A Parent"},"message":"{{{{c.Message}}}}","created_time":1795600800}}"""))}}}]}""";
        var body = $$"""{"object":"page","entry":[{{Entry(PageId, ("7001_9701", "Lovely assembly"), ("7001_9702", "Is it PE on Friday?"), ("7001_9703", "Thank you"))}},{{Entry(otherPage, ("7001_9711", "Great concert"), ("7001_9712", "When is the fair?"))}}]}""";
        var (deliveryId, _) = await StoreAsync(Platform.Facebook, body);

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync(null, [.. PlatformActionTests.FastSettings, "--WriteBatches:Lanes=1"]);
        var processed = await WaitForProcessedAsync(deliveryId);
        await using var db = Fixture.Db();
        var items = await Eventually.WaitForAsync(
            () => db.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).ToListAsync(),
            found => found.Count == 5 && found.All(i => i.HiddenOnPlatform),
            "every comment to be hidden on the platform");
        await worker.StopAsync();

        // Assert
        processed.CommentCount.Should().Be(5);
        processed.Error.Should().BeNull();
        var schools = await db.SocialAccounts.AsNoTracking().Where(a => a.Platform == Platform.Facebook && (a.ExternalId == PageId || a.ExternalId == otherPage))
            .ToDictionaryAsync(a => a.ExternalId, a => a.SchoolId);
        items.Count(i => i.SchoolId == schools[PageId]).Should().Be(3);
        items.Count(i => i.SchoolId == schools[otherPage]).Should().Be(2);
        var stored = new List<long>();
        var hidden = new List<long>();
        foreach (var item in items)
        {
            item.State.Should().Be(ItemState.AwaitingReview);
            var owner = (await db.ItemAssignments.SingleAsync(a => a.ItemId == item.Id)).UserId;
            (await db.Memberships.AnyAsync(m => m.UserId == owner && m.SchoolId == item.SchoolId)).Should().BeTrue("an item goes to its own school's staff");
            var written = await db.Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM audit_entries WHERE item_id = {item.Id} AND action IN ('received', 'screened', 'assigned')").ToListAsync();
            written.Should().HaveCount(3);
            stored.AddRange(written);
            hidden.AddRange(await db.Database.SqlQuery<long>(
                $"SELECT xmin::text::bigint AS \"Value\" FROM audit_entries WHERE item_id = {item.Id} AND action = 'platform-hide'").ToListAsync());
            world.AppliedTo(item.PlatformItemId!, "hide").Should().Be(1);
        }

        stored.Distinct().Should().ContainSingle("both schools' comments were stored, screened and routed in the lane's one transaction (ADR 0609)");
        hidden.Should().HaveCount(5);
        hidden.Distinct().Should().ContainSingle("the hides, carried out together, were recorded on both schools' items in one transaction");
        foreach (var school in schools.Values)
        {
            (await Moderation.Domain.Audit.AuditLog.VerifyAsync(db, school, CancellationToken.None)).Intact.Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_comment_the_poller_stored_first_is_not_stored_again_when_its_webhook_comes()
    {
        // Arrange: the account's poll stored one comment (the two-stage way, with its ItemReceived message) before the
        // webhook naming it and a new one was processed.
        Guid polledId;
        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Platform == Platform.Facebook && a.ExternalId == PageId);
            (polledId, _) = await scope.ServiceProvider.GetRequiredService<ItemIntake>().IngestAsync(
                new InboundItem(account.Id, ItemKind.InboundComment, "7001_9601", "A Parent", "5550001", "Is the trip still on?", DateTimeOffset.UtcNow),
                CancellationToken.None);
        }

        var (deliveryId, _) = await StoreAsync(Platform.Facebook, PageBody(("7001_9601", "Is the trip still on?"), ("7001_9602", "Well done all")));

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync();
        var processed = await WaitForProcessedAsync(deliveryId);
        await using var check = Fixture.Db();
        await Eventually.WaitForAsync(
            () => check.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).ToListAsync(),
            found => found.Count == 2 && found.All(i => i.State == ItemState.AwaitingReview),
            "both comments to be screened");
        await worker.StopAsync();

        // Assert: the polled comment kept its row and was screened apart; the new one was stored once, screened and routed.
        processed.CommentCount.Should().Be(2);
        var items = await check.Items.AsNoTracking().Where(i => i.Platform == Platform.Facebook).OrderBy(i => i.PlatformItemId).ToListAsync();
        items.Select(i => i.PlatformItemId).Should().Equal("7001_9601", "7001_9602");
        items[0].Id.Should().Be(polledId);
        foreach (var item in items)
        {
            (await check.AuditEntries.CountAsync(a => a.ItemId == item.Id && a.Action == "received")).Should().Be(1);
            (await check.AuditEntries.CountAsync(a => a.ItemId == item.Id && a.Action == "screened")).Should().Be(1);
            (await check.ItemAssignments.CountAsync(a => a.ItemId == item.Id)).Should().Be(1);
        }

        (await check.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemReceived")).Should().Be(1, "only the polled comment went the two-stage way");
    }

    [Fact]
    public async Task A_body_that_cannot_be_parsed_is_marked_with_the_reason_and_not_retried()
    {
        // Arrange: signed and stored, but not a Page body after all.
        var (deliveryId, messageId) = await StoreAsync(Platform.Facebook, """{"object":"page","entry":[{"id":"100200300400500","changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}""");
        var counter = new ConsumeCounter(typeof(WebhookReceived));

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync(counter);
        var processed = await WaitForProcessedAsync(deliveryId);
        await Eventually.WaitForAsync(() => Task.FromResult(counter[messageId]), n => n == 1, "the message to be consumed");
        await worker.StopAsync();

        // Assert
        processed.CommentCount.Should().Be(0);
        processed.Error.Should().Contain("could not be parsed").And.Contain("comment_id");
        counter[messageId].Should().Be(1, "a payload error is recorded, not retried");
        await using var db = Fixture.Db();
        (await db.Items.CountAsync()).Should().Be(0);
    }
}
