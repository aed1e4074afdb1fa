using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class AssignmentPlannerTests
{
    private static readonly EscalationPolicy Policy = new([[LeadModerator], [Head]]);
    private static readonly SafeguardingLeads Leads = new([Dsl], [DeputyDsl]);

    private static DutyCandidate OnDuty(Guid user, int open = 0, int? cap = 10, Guid? coveringFor = null) =>
        new(user, new Workload(open, cap), coveringFor);

    [Fact]
    public void The_first_moderator_on_duty_with_room_takes_the_item_without_an_alert()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = [OnDuty(Amara, 3), OnDuty(Ben)], Escalation = Policy });

        decision.UserId.Should().Be(Amara);
        decision.Reason.Should().Be(AssignmentReason.OnDuty);
        decision.RaiseAlert.Should().BeFalse();
    }

    [Fact]
    public void A_cover_on_duty_for_an_absent_moderator_takes_it_as_cover()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = [OnDuty(Dev, coveringFor: Amara)] });

        decision.UserId.Should().Be(Dev);
        decision.Reason.Should().Be(AssignmentReason.Cover);
        decision.CoveringFor.Should().Be(Amara);
        decision.Explanation.Should().Contain(Amara.ToString());
    }

    [Fact]
    public void A_moderator_at_their_cap_is_passed_over_and_the_item_overflows_to_the_next_on_duty()
    {
        // Arrange: Amara already holds 10 open items, her cap.
        var request = new AssignmentRequest { OnDuty = [OnDuty(Amara, 10), OnDuty(Ben, 9), OnDuty(Chloe)], Escalation = Policy };

        // Act
        var decision = AssignmentPlanner.Choose(request);

        // Assert
        decision.UserId.Should().Be(Ben);
        decision.Reason.Should().Be(AssignmentReason.Overflow);
        decision.OverflowFrom.Should().Be(Amara);
        decision.RaiseAlert.Should().BeFalse();
    }

    [Fact]
    public void When_everyone_on_duty_is_at_their_cap_the_item_escalates_with_an_alert()
    {
        // Arrange
        var request = new AssignmentRequest { OnDuty = [OnDuty(Amara, 10), OnDuty(Ben, 12)], Escalation = Policy };

        // Act
        var decision = AssignmentPlanner.Choose(request);

        // Assert
        decision.UserId.Should().Be(LeadModerator);
        decision.Reason.Should().Be(AssignmentReason.Escalation);
        decision.EscalationLevel.Should().Be(1);
        decision.OverflowFrom.Should().Be(Amara);
        decision.Alerts.Should().Be(AlertReasons.EveryoneAtCap);
    }

    [Fact]
    public void Escalation_ignores_caps_because_it_guarantees_an_owner()
    {
        // Arrange: the lead is absent, the headteacher's queue is long.
        var request = new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara, 10)],
            Escalation = Policy,
            Absent = new HashSet<Guid> { LeadModerator },
        };

        // Act
        var decision = AssignmentPlanner.Choose(request);

        // Assert
        decision.UserId.Should().Be(Head);
        decision.EscalationLevel.Should().Be(2);
        decision.Alerts.Should().Be(AlertReasons.EveryoneAtCap | AlertReasons.ReachedHeadteacher);
    }

    [Fact]
    public void A_reassignment_skips_everyone_who_has_already_had_the_item()
    {
        // Arrange: the sweep found the item overdue with Amara, then with Ben.
        var onDuty = new[] { OnDuty(Amara), OnDuty(Ben), OnDuty(Chloe) };

        // Act
        var second = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = onDuty, AlreadyTried = new HashSet<Guid> { Amara } });
        var third = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = onDuty, AlreadyTried = new HashSet<Guid> { Amara, Ben } });
        var fourth = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = onDuty,
            Escalation = Policy,
            AlreadyTried = new HashSet<Guid> { Amara, Ben, Chloe, LeadModerator },
        });

        // Assert
        second.UserId.Should().Be(Ben);
        second.Reason.Should().Be(AssignmentReason.OnDuty);
        third.UserId.Should().Be(Chloe);
        fourth.UserId.Should().Be(Head);
        fourth.Alerts.Should().Be(AlertReasons.EveryoneOnDutyTried | AlertReasons.ReachedHeadteacher);
    }

    [Fact]
    public void When_every_route_has_been_tried_the_headteacher_keeps_the_item_as_a_last_resort_with_an_alert()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara)],
            Escalation = Policy,
            AlreadyTried = new HashSet<Guid> { Amara, LeadModerator, Head },
        });

        decision.UserId.Should().Be(Head);
        decision.Reason.Should().Be(AssignmentReason.LastResort);
        decision.Alerts.Should().HaveFlag(AlertReasons.RoutesExhausted);
    }

    [Fact]
    public void With_no_escalation_policy_and_everyone_at_cap_the_first_on_duty_still_owns_it_with_an_alert()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = [OnDuty(Amara, 10), OnDuty(Ben, 10)] });

        decision.UserId.Should().Be(Amara);
        decision.Reason.Should().Be(AssignmentReason.LastResort);
        decision.Alerts.Should().Be(AlertReasons.EveryoneAtCap | AlertReasons.RoutesExhausted);
    }

    [Fact]
    public void When_literally_nobody_exists_there_is_no_owner_and_an_alert()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest());

        decision.UserId.Should().BeNull();
        decision.Reason.Should().Be(AssignmentReason.NoOwner);
        decision.RaiseAlert.Should().BeTrue();
        decision.Alerts.Should().Be(AlertReasons.NobodyOnDuty | AlertReasons.NoOwner);
    }

    [Fact]
    public void A_safeguarding_item_skips_the_rota_and_goes_straight_to_the_DSL()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara)],
            Escalation = Policy,
            IsSafeguarding = true,
            Safeguarding = Leads,
        });

        decision.UserId.Should().Be(Dsl);
        decision.Reason.Should().Be(AssignmentReason.SafeguardingDsl);
        decision.RaiseAlert.Should().BeFalse();
    }

    [Fact]
    public void A_safeguarding_item_goes_to_the_deputy_DSL_when_the_DSL_is_absent_and_ignores_caps()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara)],
            IsSafeguarding = true,
            Safeguarding = Leads,
            Absent = new HashSet<Guid> { Dsl },
        });

        decision.UserId.Should().Be(DeputyDsl);
        decision.Reason.Should().Be(AssignmentReason.SafeguardingDeputy);
    }

    [Fact]
    public void A_safeguarding_item_with_no_DSL_or_deputy_available_goes_to_the_headteacher_never_a_moderator()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara)],
            Escalation = Policy,
            IsSafeguarding = true,
            Safeguarding = Leads,
            Absent = new HashSet<Guid> { Dsl, DeputyDsl },
        });

        decision.UserId.Should().Be(Head);
        decision.EscalationLevel.Should().Be(2);
        decision.Alerts.Should().Be(AlertReasons.SafeguardingLeadsUnavailable | AlertReasons.ReachedHeadteacher);
    }

    [Fact]
    public void A_safeguarding_item_reassigned_past_everyone_stays_with_the_headteacher_not_a_moderator()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = [OnDuty(Amara)],
            Escalation = Policy,
            IsSafeguarding = true,
            Safeguarding = Leads,
            AlreadyTried = new HashSet<Guid> { Dsl, DeputyDsl, Head },
        });

        decision.UserId.Should().Be(Head, "the lead moderator and Amara are not safeguarding routes");
        decision.Reason.Should().Be(AssignmentReason.LastResort);
        decision.RaiseAlert.Should().BeTrue();
    }

    [Fact]
    public void Past_the_repeat_limit_an_overdue_item_skips_the_rota_and_goes_to_the_first_escalation_level_with_an_alert()
    {
        // Arrange: Ben is on duty with room, but the item has been round the rota as often as the school allows.
        var request = new AssignmentRequest
        {
            OnDuty = [OnDuty(Ben)],
            Escalation = Policy,
            AlreadyTried = new HashSet<Guid> { Amara },
            EscalateFromLevel = 1,
        };

        // Act
        var decision = AssignmentPlanner.Choose(request);

        // Assert
        decision.UserId.Should().Be(LeadModerator);
        decision.Reason.Should().Be(AssignmentReason.Escalation);
        decision.EscalationLevel.Should().Be(1);
        decision.Alerts.Should().Be(AlertReasons.RepeatLimitReached);
    }

    [Fact]
    public void An_item_overdue_at_an_escalation_level_moves_up_to_the_next_one_the_headteacher()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            Escalation = Policy,
            AlreadyTried = new HashSet<Guid> { Amara, LeadModerator },
            EscalateFromLevel = 2,
        });

        decision.UserId.Should().Be(Head);
        decision.EscalationLevel.Should().Be(2);
        decision.Alerts.Should().Be(AlertReasons.RepeatLimitReached | AlertReasons.ReachedHeadteacher);
    }

    [Fact]
    public void Beyond_the_last_escalation_level_the_headteacher_keeps_the_item_as_a_last_resort()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            Escalation = Policy,
            AlreadyTried = new HashSet<Guid> { Amara, LeadModerator, Head },
            EscalateFromLevel = 3,
        });

        decision.UserId.Should().Be(Head);
        decision.Reason.Should().Be(AssignmentReason.LastResort);
        decision.Alerts.Should().HaveFlag(AlertReasons.RepeatLimitReached).And.HaveFlag(AlertReasons.RoutesExhausted);
    }

    [Fact]
    public void A_safeguarding_item_ignores_the_escalation_start_level_and_stays_on_the_safeguarding_route()
    {
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            Escalation = Policy,
            IsSafeguarding = true,
            Safeguarding = Leads,
            AlreadyTried = new HashSet<Guid> { Dsl },
            EscalateFromLevel = 1,
        });

        decision.UserId.Should().Be(DeputyDsl);
        decision.Reason.Should().Be(AssignmentReason.SafeguardingDeputy);
    }
}
