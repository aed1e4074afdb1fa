using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Worker.Tests.Routing;

/// <summary>Assignment on arrival, through the router the routing consumer uses, on a clock the test sets.</summary>
public sealed class AssignmentTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private async Task<RoutingWorld> WorldAsync() => await new RoutingWorld(Fixture).LoadAsync();

    [Fact]
    public async Task A_screened_comment_goes_to_the_moderator_on_duty_due_thirty_minutes_later_in_school_hours()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ScreenedCommentAsync();

        // Act
        var outcome = await world.ArriveAsync(id);

        // Assert
        outcome.Result.Should().Be(RoutingResult.Assigned);
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Amy);
        item.DueAt.Should().Be(RoutingWorld.Tuesday10am.AddMinutes(30));
        item.EscalationLevel.Should().Be(0);
        item.State.Should().Be(ItemState.AwaitingReview);
        var assignment = (await world.AssignmentsAsync(id)).Should().ContainSingle().Subject;
        assignment.Reason.Should().Be("OnDuty");
        (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "assigned")
            .Which.Detail.Should().Contain("Ms Amy Reed").And.Contain("10:30");
        var notice = (await world.NotificationsAsync(id)).Should().ContainSingle().Subject;
        notice.RecipientId.Should().Be(world.Amy);
        notice.Kind.Should().Be(NotificationKind.Assigned);
        notice.Body.Should().NotContain("fair start", "a notification never carries the item's words");
        (await world.AlertsAsync(id)).Should().BeEmpty();
    }

    [Fact]
    public async Task In_a_write_batch_items_routed_without_a_save_between_them_are_counted_as_each_is_given_or_leaves_review()
    {
        // Arrange: Amy and Tom on duty, a cap of 2, and five screened comments routed in one school write batch (ADR 0601,
        // 0604), with nothing saved until the batch commits. Each must see the ones given before it.
        var world = await WorldAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        await world.SetSettingsAsync(new RoutingSettings { OpenItemCap = 2 });
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await world.ScreenedCommentAsync());
        }

        // Act: four are routed; one of Amy's is then approved in the same transaction, and the fifth is routed.
        var batches = Fixture.Services.GetRequiredService<SchoolWriteBatches>();
        await batches.RunAsync(world.School, async (services, ct) =>
        {
            var db = services.GetRequiredService<ModerationDbContext>();
            var router = world.Router(db);
            var now = world.Clock.GetUtcNow();
            var items = new List<ModerationItem>();
            foreach (var id in ids.Take(4))
            {
                var item = await ItemTransitions.LockAndReadAsync(db, world.School, id, ct);
                (await router.AssignOnArrivalAsync(item!, now, ct)).Result.Should().Be(RoutingResult.Assigned);
                items.Add(item!);
            }

            await ItemTransitions.MoveAsync(db, items.First(i => i.AssignedToId == world.Amy), ItemState.Approved, Actor.System("test"), "approved", now, null, ct);
            var last = await ItemTransitions.LockAndReadAsync(db, world.School, ids[4], ct);
            await router.AssignOnArrivalAsync(last!, now, ct);
        }, CancellationToken.None);

        // Assert: two each before the approval (no one over the cap), and the fifth to Amy, who then had one.
        var owners = new List<Guid?>();
        foreach (var id in ids)
        {
            owners.Add((await world.ItemAsync(id)).AssignedToId);
        }

        owners.Take(4).Count(o => o == world.Amy).Should().Be(2);
        owners.Take(4).Count(o => o == world.Tom).Should().Be(2);
        owners[4].Should().Be(world.Amy, "the approved item left Amy's queue in the same transaction");
        (await world.AssignmentsAsync(ids[4])).Should().ContainSingle().Which.Reason.Should().Be("OnDuty");
    }

    [Fact]
    public async Task When_the_moderator_on_duty_is_absent_their_named_cover_takes_the_item()
    {
        // Arrange: Amy is on leave today with Tom as her cover (the rota schema has no absences yet, so the test adds one).
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        world.AdjustRota = rota => rota with
        {
            Absences = [new Absence(world.Amy, RoutingWorld.Tuesday10am.AddHours(-10), RoutingWorld.Tuesday10am.AddHours(10), AbsenceKind.Leave, world.Tom)],
        };
        var id = await world.ScreenedCommentAsync();

        // Act
        await world.ArriveAsync(id);

        // Assert
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Tom);
        var assignment = (await world.AssignmentsAsync(id)).Should().ContainSingle().Subject;
        assignment.Reason.Should().Be("Cover");
        assignment.Explanation.Should().Contain("cover for Ms Amy Reed");
        (await world.AlertsAsync(id)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_moderator_at_their_cap_is_passed_over_and_the_item_overflows_to_the_next_on_duty()
    {
        // Arrange: a cap of 2, and Amy already holds two open items.
        var world = await WorldAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        await world.SetSettingsAsync(new RoutingSettings { OpenItemCap = 2 });
        await world.GiveOpenItemsAsync(world.Amy, 2);
        var id = await world.ScreenedCommentAsync();

        // Act
        await world.ArriveAsync(id);

        // Assert
        (await world.ItemAsync(id)).AssignedToId.Should().Be(world.Tom);
        var assignment = (await world.AssignmentsAsync(id)).Should().ContainSingle().Subject;
        assignment.Reason.Should().Be("Overflow");
        assignment.Explanation.Should().Contain("overflow from Ms Amy Reed");
        (await world.AlertsAsync(id)).Should().BeEmpty("overflow to another moderator on duty is routine");
    }

    [Fact]
    public async Task With_nobody_on_the_rota_the_item_escalates_to_the_administrators_and_an_alert_reaches_administrators_and_the_headteacher()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync();
        var id = await world.ScreenedCommentAsync();

        // Act
        var outcome = await world.ArriveAsync(id);

        // Assert
        outcome.AlertRaised.Should().BeTrue();
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Admin);
        item.EscalationLevel.Should().Be(1);
        var alert = (await world.AlertsAsync(id)).Should().ContainSingle().Subject;
        alert.Reasons.Should().Contain(nameof(AlertReasons.NobodyOnDuty));
        alert.ResolvedAt.Should().BeNull();
        var notices = await world.NotificationsAsync(id);
        notices.Where(n => n.Kind == NotificationKind.Alert).Select(n => n.RecipientId).Should().BeEquivalentTo([world.Admin, world.Head]);
        notices.Should().ContainSingle(n => n.Kind == NotificationKind.Assigned && n.RecipientId == world.Admin);
        (await world.AuditAsync(id)).Select(a => a.Action).Should().Equal("assigned", "alert-raised");
    }

    [Fact]
    public async Task In_a_burst_with_nobody_on_duty_the_items_are_folded_into_one_open_alert_told_once_and_a_new_one_is_raised_once_resolved_or_old()
    {
        // Arrange: nobody on the rota, so each comment escalates to the administrators with a school-wide alert.
        var world = await WorldAsync();
        await world.SetRotaAsync();
        var burst = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };

        // Act: three arrive one after another.
        var raisedAt = world.Clock.GetUtcNow();
        foreach (var id in burst)
        {
            (await world.ArriveAsync(id)).AlertRaised.Should().BeTrue();
        }

        // Assert: one open alert, the first item's, standing for all three; each item audited; told once.
        var alert = (await world.AlertsAsync(burst[0])).Should().ContainSingle().Subject;
        alert.Reasons.Should().Be(nameof(AlertReasons.NobodyOnDuty));
        alert.ResolvedAt.Should().BeNull();
        alert.ItemCount.Should().Be(3);
        alert.LastRaisedAt.Should().Be(raisedAt);
        (await OpenAlertsAsync(world)).Should().ContainSingle();
        (await world.AuditAsync(burst[0])).Should().ContainSingle(a => a.Action == "alert-raised");
        foreach (var id in burst.Skip(1))
        {
            (await world.AlertsAsync(id)).Should().BeEmpty("it is counted in the first item's alert");
            (await world.ItemAsync(id)).AssignedToId.Should().Be(world.Admin);
            (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "alert-folded")
                .Which.Detail.Should().StartWith("NobodyOnDuty: counted in the alert raised 10:00 on Tue");
        }

        (await Task.WhenAll(burst.Select(world.NotificationsAsync))).Select(n => n.Count(x => x.Kind == NotificationKind.Alert)).Should().Equal(2, 0, 0);

        // Act: once it is resolved, the cause is raised and told again; the next is folded into that; and once that
        // one is older than the quiet period, a new one is raised and told.
        await using (var db = Fixture.Db())
        {
            await db.Alerts.Where(a => a.SchoolId == world.School).ExecuteUpdateAsync(x => x.SetProperty(a => a.ResolvedAt, world.Clock.GetUtcNow()));
        }

        var afterResolved = await world.ArrivedCommentAsync();
        var sameMinute = await world.ArrivedCommentAsync();
        world.Clock.Advance(ItemRouter.AlertQuietPeriod + TimeSpan.FromMinutes(1));
        var later = await world.ArrivedCommentAsync();

        // Assert
        (await world.AlertsAsync(afterResolved)).Should().ContainSingle().Which.ItemCount.Should().Be(2);
        (await world.NotificationsAsync(afterResolved)).Count(n => n.Kind == NotificationKind.Alert).Should().Be(2);
        (await world.AlertsAsync(sameMinute)).Should().BeEmpty();
        (await world.NotificationsAsync(sameMinute)).Count(n => n.Kind == NotificationKind.Alert).Should().Be(0);
        (await world.AlertsAsync(later)).Should().ContainSingle().Which.ItemCount.Should().Be(1);
        (await world.NotificationsAsync(later)).Count(n => n.Kind == NotificationKind.Alert).Should().Be(2);
        (await OpenAlertsAsync(world)).Should().HaveCount(2, "the one older than the quarter of an hour stays open until resolved");

        // Act: past the quiet period again, two routed in one write with nothing saved between them, then two as two
        // writes of one batch, each saved and the batch's tracker cleared after it.
        world.Clock.Advance(ItemRouter.AlertQuietPeriod + TimeSpan.FromMinutes(1));
        var together = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };
        var writesOfOneBatch = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };
        await world.ArriveTogetherAsync(together);
        await world.ArriveAsWritesOfOneBatchAsync(writesOfOneBatch);

        // Assert: the first of them raised it and was told; the three after it were folded into it.
        (await world.AlertsAsync(together[0])).Should().ContainSingle().Which.ItemCount.Should().Be(4);
        (await world.NotificationsAsync(together[0])).Count(n => n.Kind == NotificationKind.Alert).Should().Be(2);
        foreach (var id in together.Skip(1).Concat(writesOfOneBatch))
        {
            (await world.AlertsAsync(id)).Should().BeEmpty();
            (await world.NotificationsAsync(id)).Count(n => n.Kind == NotificationKind.Alert).Should().Be(0);
            (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "alert-folded");
        }

        await using var check = Fixture.Db();
        (await AuditLog.VerifyAsync(check, world.School, CancellationToken.None)).Intact.Should().BeTrue();
    }

    private async Task<List<RoutingAlert>> OpenAlertsAsync(RoutingWorld world)
    {
        await using var db = Fixture.Db();
        return await db.Alerts.AsNoTracking().Where(a => a.SchoolId == world.School && a.ResolvedAt == null).ToListAsync();
    }

    [Fact]
    public async Task In_a_burst_a_moderator_is_told_of_new_items_once_while_unread_and_the_later_ones_are_folded_into_it()
    {
        // Arrange: Amy alone on duty, and the school's webhook set, so each notification told is also a delivery.
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        await using (var db = Fixture.Db())
        {
            await db.Schools.Where(s => s.Id == world.School)
                .ExecuteUpdateAsync(x => x.SetProperty(s => s.NotificationWebhookUrl, "https://hooks.example.org/services/secret"));
        }

        var oneByOne = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };
        var together = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };
        var writesOfOneBatch = new[] { await world.ScreenedCommentAsync(), await world.ScreenedCommentAsync() };

        // Act: three arrive one after another; two are routed in one write with nothing saved between them; and two
        // are routed as two writes of one batch, each saved and the batch's tracker cleared after it.
        foreach (var id in oneByOne)
        {
            (await world.ArriveAsync(id)).Result.Should().Be(RoutingResult.Assigned);
        }

        await world.ArriveTogetherAsync(together);
        var batchesRun = await world.ArriveAsWritesOfOneBatchAsync(writesOfOneBatch);

        // Assert: all seven are Amy's, each with its own audit entry, and she was told once, of seven.
        batchesRun.Should().Be(2, "the holding write ran alone; the two queued behind it shared one transaction");
        foreach (var id in oneByOne.Concat(together).Concat(writesOfOneBatch))
        {
            (await world.ItemAsync(id)).AssignedToId.Should().Be(world.Amy);
            (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "assigned");
        }

        var told = (await AssignedNoticesAsync(world)).Should().ContainSingle().Subject;
        told.ItemId.Should().Be(oneByOne[0], "the first item's notification is the one the others are folded into");
        told.ItemCount.Should().Be(7, "the second write of the batch folds into the row the first one changed");
        told.Title.Should().Be("7 new items to review");
        told.Body.Should().StartWith("7 items have been given to you to review since 10:00 on Tue").And.NotContain("fair start");
        (await DeliveriesAsync(told.Id)).Should().Be(1, "the webhook is posted once, when she is first told");

        // Act: Amy reads it; the next item is told anew.
        await using (var db = Fixture.Db())
        {
            await db.Notifications.Where(n => n.Id == told.Id).ExecuteUpdateAsync(x => x.SetProperty(n => n.ReadAt, world.Clock.GetUtcNow()));
        }

        var afterRead = await world.ArrivedCommentAsync();
        var sameMinute = await world.ArrivedCommentAsync();

        // Assert
        var second = (await world.NotificationsAsync(afterRead)).Should().ContainSingle().Subject;
        second.ItemCount.Should().Be(2, "the one after it is folded into the new unread one");
        (await world.NotificationsAsync(sameMinute)).Should().BeEmpty();
        (await DeliveriesAsync(second.Id)).Should().Be(1);

        // Act: left unread past the quiet period, it no longer stands for new items.
        world.Clock.Advance(Notifier.AssignedQuietPeriod + TimeSpan.FromMinutes(1));
        var later = await world.ArrivedCommentAsync();

        // Assert
        var third = (await world.NotificationsAsync(later)).Should().ContainSingle().Subject;
        third.ItemCount.Should().Be(1);
        third.Title.Should().StartWith("New item to review: ");
        (await AssignedNoticesAsync(world)).Should().HaveCount(3);
    }

    private async Task<List<Notification>> AssignedNoticesAsync(RoutingWorld world)
    {
        await using var db = Fixture.Db();
        return await db.Notifications.AsNoTracking()
            .Where(n => n.RecipientId == world.Amy && n.SchoolId == world.School && n.Kind == NotificationKind.Assigned)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync();
    }

    private async Task<int> DeliveriesAsync(Guid notificationId)
    {
        await using var db = Fixture.Db();
        return await db.NotificationDeliveries.CountAsync(d => d.NotificationId == notificationId);
    }

    [Fact]
    public async Task When_everyone_on_duty_is_absent_without_cover_the_item_escalates_with_an_alert()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        var day = (RoutingWorld.Tuesday10am.AddHours(-10), RoutingWorld.Tuesday10am.AddHours(10));
        world.AdjustRota = rota => rota with
        {
            Absences = [new Absence(world.Amy, day.Item1, day.Item2, AbsenceKind.Sickness), new Absence(world.Tom, day.Item1, day.Item2, AbsenceKind.Training)],
        };
        var id = await world.ScreenedCommentAsync();

        // Act
        await world.ArriveAsync(id);

        // Assert
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Admin);
        (await world.AlertsAsync(id)).Should().ContainSingle().Which.Reasons.Should().Contain(nameof(AlertReasons.NobodyOnDuty));
    }

    [Fact]
    public async Task A_school_with_nobody_at_all_leaves_the_item_without_an_owner_but_with_an_open_alert_and_the_sweep_does_not_repeat_it()
    {
        // Arrange: a school with no staff, and so no rota, administrators or headteacher.
        var world = await WorldAsync();
        Guid itemId;
        await using (var db = Fixture.Db())
        {
            var school = new Domain.Schools.School { Id = Guid.NewGuid(), Slug = $"empty-{Guid.NewGuid():N}", Name = "Empty School", CreatedAt = world.Clock.GetUtcNow() };
            db.Schools.Add(school);
            var item = new ModerationItem
            {
                Id = Guid.NewGuid(), SchoolId = school.Id, Kind = ItemKind.InboundComment, State = ItemState.AwaitingReview,
                Text = "Hello", RedactedText = "Hello", ReceivedAt = world.Clock.GetUtcNow(), UpdatedAt = world.Clock.GetUtcNow(),
            };
            db.Items.Add(item);
            await db.SaveChangesAsync();
            itemId = item.Id;
        }

        // Act
        await world.ArriveAsync(itemId);
        world.Clock.Advance(TimeSpan.FromHours(5));
        var report = await world.SweepAsync();

        // Assert
        var routed = await world.ItemAsync(itemId);
        routed.AssignedToId.Should().BeNull();
        routed.AssignedAt.Should().NotBeNull("the item has been through routing");
        routed.DueAt.Should().BeAfter(world.Clock.GetUtcNow(), "the sweep tries again after another time limit");
        report.Kept.Should().Be(1);
        var alert = (await world.AlertsAsync(itemId)).Should().ContainSingle().Subject;
        alert.Reasons.Should().Contain(nameof(AlertReasons.NoOwner));
        alert.ResolvedAt.Should().BeNull();
    }

    [Fact]
    public async Task A_safeguarding_item_skips_the_rota_goes_to_the_DSL_as_escalated_and_must_be_acknowledged_within_fifteen_minutes()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ScreenedCommentAsync(RiskCategories.Grooming);

        // Act
        await world.ArriveAsync(id);

        // Assert
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Dsl);
        item.Safeguarding.Should().BeTrue();
        item.State.Should().Be(ItemState.Escalated, "only the headteacher or the DSL may decide it");
        item.DueAt.Should().Be(RoutingWorld.Tuesday10am.AddMinutes(15));
        (await world.AssignmentsAsync(id)).Should().ContainSingle().Which.Reason.Should().Be("SafeguardingDsl");
        (await world.NotificationsAsync(id)).Should().BeEmpty("the safeguarding-concern consumer has told the DSLs and the headteacher, with the deadline");
        (await world.AuditAsync(id)).Select(a => a.Action).Should().Equal("escalated", "assigned");
        (await world.AlertsAsync(id)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_category_with_a_stricter_limit_than_the_kind_sets_the_due_time()
    {
        // Arrange: bullying must be seen within 10 minutes in school hours.
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        await world.SetSettingsAsync(new RoutingSettings { DueTimes = [new(RiskCategories.Bullying, 10, 60)] });
        var id = await world.ScreenedCommentAsync(RiskCategories.Bullying);

        // Act
        await world.ArriveAsync(id);

        // Assert
        (await world.ItemAsync(id)).DueAt.Should().Be(RoutingWorld.Tuesday10am.AddMinutes(10));
    }

    [Fact]
    public async Task An_administrator_reassigns_to_a_reviewer_of_the_school_and_is_refused_for_anyone_else()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ArrivedCommentAsync();
        var admin = await world.StaffAsync(world.Admin, Roles.Administrator);
        world.Clock.Advance(TimeSpan.FromMinutes(5));

        // Act
        Outcome toAuthor, toTom, again;
        await using (var db = Fixture.Db())
        {
            toAuthor = await new AssignmentCommands(db, world.Router(db), world.Clock).ReassignAsync(id, admin, world.Author, "she knows the family", CancellationToken.None);
        }

        await using (var db = Fixture.Db())
        {
            toTom = await new AssignmentCommands(db, world.Router(db), world.Clock).ReassignAsync(id, admin, world.Tom, "Amy is in a meeting", CancellationToken.None);
        }

        await using (var db = Fixture.Db())
        {
            again = await new AssignmentCommands(db, world.Router(db), world.Clock).ReassignAsync(id, admin, world.Tom, "again", CancellationToken.None);
        }

        // Assert
        toAuthor.Kind.Should().Be(OutcomeKind.Invalid);
        toAuthor.Detail.Should().Contain("cannot decide");
        toTom.Kind.Should().Be(OutcomeKind.Ok);
        again.Kind.Should().Be(OutcomeKind.Conflict);
        (await world.ItemAsync(id)).AssignedToId.Should().Be(world.Tom);
        var assignments = await world.AssignmentsAsync(id);
        assignments.Should().HaveCount(2);
        assignments[0].EndedAt.Should().NotBeNull();
        assignments[1].Should().Match<ItemAssignment>(a => a.Reason == "Manual" && a.AssignedById == world.Admin && a.EndedAt == null);
        (await world.NotificationsAsync(id)).Should().Contain(n => n.RecipientId == world.Tom && n.Kind == NotificationKind.Reassigned && n.Body.Contains("Amy is in a meeting"));
    }

    [Fact]
    public async Task A_staff_draft_goes_to_an_approver_of_the_schools_posts_never_the_moderator_on_duty_or_its_author()
    {
        // Arrange: Amy is on duty, but moderators do not approve the school's own posts.
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ScreenedCommentAsync();
        await using (var db = Fixture.Db())
        {
            await db.Items.Where(i => i.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Kind, ItemKind.OutboundDraft).SetProperty(i => i.DraftAuthorId, world.Author).SetProperty(i => i.Platform, (Domain.Schools.Platform?)null));
        }

        // Act
        await world.ArriveAsync(id);

        // Assert
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Admin);
        item.DueAt.Should().Be(RoutingWorld.Tuesday10am.AddHours(4), "drafts have four hours in school hours by default");
        (await world.AlertsAsync(id)).Should().BeEmpty("an approver taking a draft is routine");
        (await world.NotificationsAsync(id)).Should().ContainSingle().Which.Body.Should().Contain("you approve the school's own posts");
    }
}
