using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Safeguarding;

namespace Moderation.Worker.Tests.Safeguarding;

/// <summary>The acknowledgement chain, on a clock the test moves (never a sleep): DSL, deputy DSL, headteacher.</summary>
public sealed class CaseChainSweepTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private async Task<CaseWorld> WorldAsync() => await new CaseWorld(Fixture).LoadAsync();

    [Fact]
    public async Task An_unacknowledged_case_goes_from_the_DSL_to_the_deputy_to_the_headteacher_and_then_stays_there()
    {
        // Arrange
        var world = await WorldAsync();
        var opened = await world.OpenAsync(CaseCategories.Grooming, CaseSeverity.Critical);

        // Act
        var notYet = await world.SweepAsync();
        var second = await world.MissDeadlineAsync(opened.Id);
        var third = await world.MissDeadlineAsync(opened.Id);
        var fourth = await world.MissDeadlineAsync(opened.Id);

        // Assert
        opened.OwnerId.Should().Be(world.Dsl);
        opened.AckDueAt.Should().Be(CaseWorld.Tuesday10am.AddMinutes(15), "a critical case must be acknowledged within 15 minutes by default");
        notYet.Reescalated.Should().Be(0, "nothing is due yet");
        second.OwnerId.Should().Be(world.Deputy);
        second.ChainStep.Should().Be(1);
        third.OwnerId.Should().Be(world.Head);
        third.ChainStep.Should().Be(2);
        fourth.OwnerId.Should().Be(world.Head, "nobody comes after the headteacher");
        fourth.AckDueAt.Should().BeAfter(world.Clock.GetUtcNow());
        (await world.AuditActionsAsync()).Should().ContainInOrder("case-opened", "case-reescalated", "case-reescalated", "case-ack-overdue");
        var notices = await world.NotificationsAsync();
        notices.Select(n => n.RecipientId).Should().ContainInOrder(world.Dsl, world.Deputy, world.Head, world.Head);
        notices.Should().OnlyContain(n => !n.Body.Contains("Test concern"), "notifications never carry the case's words");
    }

    [Fact]
    public async Task A_case_acknowledged_in_time_is_not_moved_on_and_a_second_acknowledgement_conflicts()
    {
        // Arrange
        var world = await WorldAsync();
        var opened = await world.OpenAsync(CaseCategories.Hate, CaseSeverity.High);
        var dsl = new StaffMember(world.Dsl, "Mr David Lowe (DSL)", new HashSet<string> { Roles.Dsl }, new HashSet<Guid> { world.School });
        var deputy = dsl with { UserId = world.Deputy, Roles = new HashSet<string> { Roles.DeputyDsl } };

        // Act
        world.Clock.Advance(TimeSpan.FromMinutes(10));
        CaseOutcome first, second;
        await using (var db = Fixture.Db())
        {
            first = await world.Commands(db).AcknowledgeAsync(opened.Id, dsl, CancellationToken.None);
        }

        await using (var db = Fixture.Db())
        {
            second = await world.Commands(db).AcknowledgeAsync(opened.Id, deputy, CancellationToken.None);
        }

        world.Clock.Advance(TimeSpan.FromHours(5));
        var report = await world.SweepAsync();

        // Assert
        first.Kind.Should().Be(OutcomeKind.Ok);
        second.Kind.Should().Be(OutcomeKind.Conflict);
        report.Reescalated.Should().Be(0);
        var c = await world.CaseAsync(opened.Id);
        c.Status.Should().Be(CaseStatus.Acknowledged);
        c.AcknowledgedById.Should().Be(world.Dsl);
        c.OwnerId.Should().Be(world.Dsl);
    }

    [Fact]
    public async Task An_allegation_about_the_headteacher_goes_to_the_chair_of_governors_then_the_DSLs_and_never_to_the_headteacher()
    {
        // Arrange
        var world = await WorldAsync();
        var opened = await world.OpenAsync(CaseCategories.AllegationAgainstStaff, CaseSeverity.High, aboutHeadteacher: true);

        // Act
        var second = await world.MissDeadlineAsync(opened.Id);
        var third = await world.MissDeadlineAsync(opened.Id);
        var fourth = await world.MissDeadlineAsync(opened.Id);

        // Assert
        opened.OwnerId.Should().Be(world.Chair);
        second.OwnerId.Should().Be(world.Dsl);
        third.OwnerId.Should().Be(world.Deputy);
        fourth.OwnerId.Should().Be(world.Deputy);
        (await world.NotificationsAsync()).Should().NotContain(n => n.RecipientId == world.Head, "the headteacher is never told of a case about the headteacher");
    }

    [Fact]
    public async Task An_allegation_against_other_staff_goes_to_the_headteacher_first()
    {
        // Arrange
        var world = await WorldAsync();

        // Act
        var opened = await world.OpenAsync(CaseCategories.AllegationAgainstStaff, CaseSeverity.High);
        var next = await world.MissDeadlineAsync(opened.Id);

        // Assert
        opened.OwnerId.Should().Be(world.Head);
        next.OwnerId.Should().Be(world.Dsl);
    }

    [Fact]
    public async Task Out_of_hours_the_on_call_person_comes_first_with_the_out_of_hours_limit_and_a_low_case_waits_for_school_to_open()
    {
        // Arrange: Tuesday 21:00, after school; the deputy DSL is on call.
        var world = await WorldAsync();
        await world.SaveSettingsAsync(new SafeguardingSettings { OutOfHours = new OutOfHoursRules { AcknowledgeMinutes = 20, OnCall = [world.Deputy] } });
        world.Clock.Advance(TimeSpan.FromHours(11));

        // Act
        var urgent = await world.OpenAsync(CaseCategories.ThreatToLife, CaseSeverity.Critical);
        var low = await world.OpenAsync(CaseCategories.Bullying, CaseSeverity.Low);
        var urgentNext = await world.MissDeadlineAsync(urgent.Id);

        // Assert
        urgent.OwnerId.Should().Be(world.Deputy, "out of hours the on-call person takes it first");
        urgent.AckDueAt.Should().Be(world.Clock.GetUtcNow() - TimeSpan.FromMinutes(1), "the out-of-hours limit is 20 minutes");
        urgentNext.OwnerId.Should().Be(world.Dsl, "then the usual chain: the DSL");
        low.AckDueAt.Should().Be(new DateTimeOffset(2026, 12, 9, 8, 0, 0, TimeSpan.Zero) + TimeSpan.FromMinutes(480),
            "a low-severity case's clock starts when school opens on Wednesday at 08:00");
    }

    [Fact]
    public async Task A_screened_safeguarding_item_with_an_open_case_is_moved_on_by_the_case_chain_alone()
    {
        // Arrange: screening flagged the item, routing gave it to the DSL, and its case is open.
        var routing = await new Routing.RoutingWorld(Fixture).LoadAsync();
        await routing.SetRotaAsync(("Weekday moderators", 1, [routing.Amy]));
        var itemId = await routing.ScreenedCommentAsync(Domain.Screening.Risk.RiskCategories.Grooming);
        await routing.ArriveAsync(itemId);
        var world = await WorldAsync();
        var opened = await world.OpenAsync(CaseCategories.Grooming, CaseSeverity.Critical, itemId: itemId);

        // Act: both deadlines pass; both sweeps run.
        world.Clock.Advance(TimeSpan.FromMinutes(16));
        routing.Clock.Advance(TimeSpan.FromMinutes(16));
        var routed = await routing.SweepAsync();
        await world.SweepAsync();

        // Assert
        routed.HandedOn.Should().Be(0, "the case's chain moves the concern on, not the item's");
        (await routing.ItemAsync(itemId)).AssignedToId.Should().Be(routing.Dsl);
        (await world.CaseAsync(opened.Id)).OwnerId.Should().Be(world.Deputy);
        var told = (await world.NotificationsAsync()).Where(n => n.Title.Contains("not acknowledged") || n.Title.Contains("passed to you")).ToList();
        told.Should().ContainSingle().Which.RecipientId.Should().Be(world.Deputy);
    }
}
