using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Worker.Tests.Routing;

/// <summary>The time-limit sweep, called as the Quartz job calls it, with a clock the test moves (never a sleep).</summary>
public sealed class SweepTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private async Task<RoutingWorld> WorldAsync() => await new RoutingWorld(Fixture).LoadAsync();

    [Fact]
    public async Task An_overdue_item_moves_to_the_next_moderator_then_up_the_escalation_levels_after_the_repeat_limit_then_stays_with_the_headteacher()
    {
        // Arrange: Amy and Tom are on duty together; one reassignment is allowed before escalation.
        var world = await WorldAsync();
        await world.SetRotaAsync(("A first", 1, [world.Amy]), ("B second", 1, [world.Tom]));
        await world.SetSettingsAsync(new RoutingSettings { MaxReassignments = 1 });
        var id = await world.ArrivedCommentAsync();

        // Act and assert, one time limit at a time.
        async Task<ModerationItem> OverdueAsync()
        {
            var item = await world.ItemAsync(id);
            world.Clock.Advance(item.DueAt!.Value - world.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
            await world.SweepAsync();
            return await world.ItemAsync(id);
        }

        var notYet = await world.SweepAsync();
        notYet.HandedOn.Should().Be(0, "nothing is due yet");

        var second = await OverdueAsync();
        second.AssignedToId.Should().Be(world.Tom);
        second.EscalationLevel.Should().Be(0);
        second.ReassignmentCount.Should().Be(1);

        var third = await OverdueAsync();
        third.AssignedToId.Should().Be(world.Admin, "the repeat limit is reached, so level 1: the administrators");
        third.EscalationLevel.Should().Be(1);

        var fourth = await OverdueAsync();
        fourth.AssignedToId.Should().Be(world.Head);
        fourth.EscalationLevel.Should().Be(2);

        var fifth = await OverdueAsync();
        fifth.AssignedToId.Should().Be(world.Head, "there is nobody after the headteacher");
        fifth.DueAt.Should().BeAfter(world.Clock.GetUtcNow());

        var assignments = await world.AssignmentsAsync(id);
        assignments.Select(a => a.UserId).Should().Equal(world.Amy, world.Tom, world.Admin, world.Head);
        assignments.Should().ContainSingle(a => a.EndedAt == null).Which.UserId.Should().Be(world.Head);
        (await world.AuditAsync(id)).Select(a => a.Action).Where(a => a != "alert-raised").Should()
            .Equal("assigned", "reassigned", "assignment-escalated", "assignment-escalated", "assignment-kept");
        var notices = await world.NotificationsAsync(id);
        notices.Should().Contain(n => n.RecipientId == world.Tom && n.Kind == NotificationKind.Reassigned && n.Body.Contains("overdue with Ms Amy Reed"));
        notices.Should().Contain(n => n.RecipientId == world.Admin && n.Kind == NotificationKind.Escalated);
        notices.Should().Contain(n => n.RecipientId == world.Head && n.Kind == NotificationKind.Escalated);
        var alert = (await world.AlertsAsync(id)).Should().ContainSingle("one open alert per item, however often it escalates").Subject;
        alert.Reasons.Should().Contain(nameof(AlertReasons.RepeatLimitReached));
    }

    [Fact]
    public async Task An_unacknowledged_safeguarding_item_goes_from_the_DSL_to_the_headteacher_and_stops_once_acknowledged()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ArrivedCommentAsync(RiskCategories.ThreatToLife);

        // Act: fifteen minutes pass without an acknowledgement; there is no deputy DSL.
        world.Clock.Advance(TimeSpan.FromMinutes(16));
        await world.SweepAsync();
        var escalated = await world.ItemAsync(id);

        // The headteacher acknowledges.
        var head = await world.StaffAsync(world.Head, Roles.Headteacher);
        Outcome acknowledged;
        await using (var db = Fixture.Db())
        {
            acknowledged = await new AssignmentCommands(db, world.Router(db), world.Clock).AcknowledgeAsync(id, head, CancellationToken.None);
        }

        world.Clock.Advance(TimeSpan.FromHours(3));
        var report = await world.SweepAsync();

        // Assert
        escalated.AssignedToId.Should().Be(world.Head);
        (await world.NotificationsAsync(id)).Should().Contain(n =>
            n.RecipientId == world.Head && n.Kind == NotificationKind.Escalated && n.Title.Contains("acknowledge by 10:31"));
        (await world.AlertsAsync(id)).Should().ContainSingle().Which.Reasons.Should().Contain(nameof(AlertReasons.SafeguardingLeadsUnavailable));
        acknowledged.Kind.Should().Be(OutcomeKind.Ok);
        report.HandedOn.Should().Be(0, "an acknowledged safeguarding item is no longer moved on");
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Head);
        item.AcknowledgedById.Should().Be(world.Head);
        (await world.AuditAsync(id)).Select(a => a.Action).Should().Contain(["assignment-escalated", "acknowledged"]);
    }

    [Fact]
    public async Task A_DSL_who_acknowledges_in_time_keeps_the_item_and_a_moderator_cannot_acknowledge()
    {
        // Arrange
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ArrivedCommentAsync(RiskCategories.Grooming);
        var moderator = await world.StaffAsync(world.Amy, Roles.Moderator);
        var dsl = await world.StaffAsync(world.Dsl, Roles.Dsl);

        // Act
        world.Clock.Advance(TimeSpan.FromMinutes(5));
        Outcome byModerator, byDsl, twice;
        await using (var db = Fixture.Db())
        {
            byModerator = await new AssignmentCommands(db, world.Router(db), world.Clock).AcknowledgeAsync(id, moderator, CancellationToken.None);
        }

        await using (var db = Fixture.Db())
        {
            byDsl = await new AssignmentCommands(db, world.Router(db), world.Clock).AcknowledgeAsync(id, dsl, CancellationToken.None);
        }

        await using (var db = Fixture.Db())
        {
            twice = await new AssignmentCommands(db, world.Router(db), world.Clock).AcknowledgeAsync(id, dsl, CancellationToken.None);
        }

        world.Clock.Advance(TimeSpan.FromHours(1));
        var report = await world.SweepAsync();

        // Assert
        byModerator.Kind.Should().Be(OutcomeKind.Forbidden);
        byDsl.Kind.Should().Be(OutcomeKind.Ok);
        twice.Kind.Should().Be(OutcomeKind.Conflict);
        report.HandedOn.Should().Be(0);
        var item = await world.ItemAsync(id);
        item.AssignedToId.Should().Be(world.Dsl);
        item.AcknowledgedAt.Should().Be(RoutingWorld.Tuesday10am.AddMinutes(5));
        (await world.AssignmentsAsync(id)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_claim_is_a_viewing_lease_that_the_sweep_hands_back_to_the_queue_when_it_runs_out()
    {
        // Arrange: a five-minute lease.
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        await world.SetSettingsAsync(new RoutingSettings { ClaimLeaseMinutes = 5 });
        var id = await world.ArrivedCommentAsync();
        var tom = await world.StaffAsync(world.Tom, Roles.Moderator);
        var amy = await world.StaffAsync(world.Amy, Roles.Moderator);
        await using (var db = Fixture.Db())
        {
            (await new ItemDecisions(db, world.Clock).ClaimAsync(id, tom, CancellationToken.None)).Kind.Should().Be(OutcomeKind.Ok);
        }

        (await world.ItemAsync(id)).ClaimExpiresAt.Should().Be(RoutingWorld.Tuesday10am.AddMinutes(5));

        // Act
        world.Clock.Advance(TimeSpan.FromMinutes(4));
        var early = await world.SweepAsync();
        world.Clock.Advance(TimeSpan.FromMinutes(2));
        var late = await world.SweepAsync();

        // Assert
        early.ClaimsReleased.Should().Be(0);
        late.ClaimsReleased.Should().Be(1);
        var item = await world.ItemAsync(id);
        item.ClaimedById.Should().BeNull();
        item.ClaimExpiresAt.Should().BeNull();
        item.AssignedToId.Should().Be(world.Amy, "a lease is a view, not an assignment");
        (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "claim-expired");
        await using (var db = Fixture.Db())
        {
            (await new ItemDecisions(db, world.Clock).ClaimAsync(id, amy, CancellationToken.None)).Kind.Should().Be(OutcomeKind.Ok, "the item is back in the queue");
        }
    }

    [Fact]
    public async Task A_screened_item_that_was_never_routed_is_routed_by_the_sweep_after_a_grace_period()
    {
        // Arrange: as if its ItemScreened message had been lost.
        var world = await WorldAsync();
        await world.SetRotaAsync(("Weekday moderators", 1, [world.Amy]));
        var id = await world.ScreenedCommentAsync();

        // Act
        var soon = await world.SweepAsync();
        world.Clock.Advance(TimeSpan.FromMinutes(3));
        var later = await world.SweepAsync();

        // Assert
        soon.Routed.Should().Be(0, "the routing consumer is probably about to route it");
        later.Routed.Should().Be(1);
        (await world.ItemAsync(id)).AssignedToId.Should().Be(world.Amy);
        (await world.AuditAsync(id)).Should().ContainSingle(a => a.Action == "assigned");
    }
}
