using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;

namespace Moderation.Domain.Tests.Routing;

public sealed class RoutingSettingsTests
{
    private static readonly Guid Admin = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid Head = Guid.Parse("00000000-0000-0000-0000-0000000000b1");
    private static readonly Guid Dsl = Guid.Parse("00000000-0000-0000-0000-0000000000c1");
    private static readonly Guid Moderator = Guid.Parse("00000000-0000-0000-0000-0000000000d1");
    private static readonly Guid Author = Guid.Parse("00000000-0000-0000-0000-0000000000e1");
    private static readonly Guid Stranger = Guid.Parse("00000000-0000-0000-0000-0000000000f1");

    private static readonly Dictionary<Guid, SchoolStaff> Staff = new()
    {
        [Admin] = new(Admin, "Priya Shah", new HashSet<string> { Roles.Administrator }),
        [Head] = new(Head, "Helen Carter", new HashSet<string> { Roles.Headteacher }),
        [Dsl] = new(Dsl, "David Lowe", new HashSet<string> { Roles.Dsl }),
        [Moderator] = new(Moderator, "Amy Reed", new HashSet<string> { Roles.Moderator }),
        [Author] = new(Author, "Kate Lane", new HashSet<string> { Roles.Author }),
    };

    private static Dictionary<Guid, IReadOnlySet<string>> Roles_ => Staff.ToDictionary(s => s.Key, s => s.Value.Roles);

    [Fact]
    public void The_defaults_are_valid_and_survive_a_round_trip_through_JSON()
    {
        var defaults = RoutingSettings.Defaults;

        defaults.Validate(Roles_).Should().BeEmpty();
        RoutingSettings.FromJson(defaults.ToJson()).Should().BeEquivalentTo(defaults);
        defaults.OpenItemCap.Should().Be(15);
        defaults.SchoolHours.Should().HaveCount(5);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_under_the_field_it_belongs_to()
    {
        // Arrange
        var settings = new RoutingSettings
        {
            OpenItemCap = 0,
            MaxReassignments = -1,
            ClaimLeaseMinutes = 0,
            SafeguardingAcknowledgeMinutes = 1000,
            DueTimes =
            [
                new("Tweets", 30, 240),
                new("Grooming", 5, 5),
                new("InboundComment", 0, 240),
                new("InboundComment", 30, 240),
            ],
            EscalationLevels = [[Moderator, Author], [], [Stranger, Moderator]],
            Dsls = [Moderator],
            DeputyDsls = [Dsl],
        };

        // Act
        var errors = settings.Validate(Roles_);

        // Assert
        errors.Keys.Should().BeEquivalentTo(
            "openItemCap", "maxReassignments", "claimLeaseMinutes", "safeguardingAcknowledgeMinutes",
            "dueTimes[0].appliesTo", "dueTimes[1].appliesTo", "dueTimes[2].inSchoolHoursMinutes", "dueTimes[3].appliesTo",
            "escalationLevels[0][1]", "escalationLevels[1]", "escalationLevels[2][0]", "escalationLevels[2][1]",
            "dsls[0]");
        errors["dueTimes[1].appliesTo"].Should().ContainSingle().Which.Should().Contain("safeguardingAcknowledgeMinutes");
        errors["escalationLevels[0][1]"].Should().ContainSingle().Which.Should().Contain("cannot review");
        errors["escalationLevels[2][0]"].Should().ContainSingle().Which.Should().Contain("not a member");
        errors["escalationLevels[2][1]"].Should().ContainSingle().Which.Should().Contain("more than once");
    }

    [Fact]
    public void Without_configured_levels_the_administrators_come_first_and_the_headteacher_last()
    {
        var routing = SchoolRouting.Build(Guid.NewGuid(), RoutingSettings.Defaults, Staff);

        routing.Escalation.Levels.Should().HaveCount(2);
        routing.Escalation.Levels[0].Should().Equal(Admin);
        routing.Escalation.Levels[1].Should().Equal(Head);
        routing.Leads.Dsls.Should().Equal(Dsl);
        routing.Leads.Deputies.Should().BeEmpty();
        routing.AlertRecipients.Should().BeEquivalentTo([Admin, Head]);
    }

    [Fact]
    public void Configured_levels_keep_the_headteacher_as_the_last_and_drop_people_who_can_no_longer_review()
    {
        var settings = new RoutingSettings { EscalationLevels = [[Moderator], [Author, Admin]] };

        var routing = SchoolRouting.Build(Guid.NewGuid(), settings, Staff);

        routing.Escalation.Levels.Select(l => l.ToList()).Should().BeEquivalentTo(
            new List<List<Guid>> { new() { Moderator }, new() { Admin }, new() { Head } }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void The_rules_for_an_item_are_its_kind_and_each_category_it_was_flagged_for()
    {
        var settings = new RoutingSettings { DueTimes = [new("Bullying", 10, 60), new("InboundComment", 20, 120)] };

        var comment = settings.RulesFor(ItemKind.InboundComment, ["Bullying", "Links"]).ToList();
        var draft = settings.RulesFor(ItemKind.OutboundDraft, []).ToList();

        comment.Select(r => r.AppliesTo).Should().Equal("InboundComment", "Bullying");
        comment[0].InSchoolHoursMinutes.Should().Be(20);
        draft.Should().ContainSingle().Which.Should().Be(new DueTimeRule("OutboundDraft", 240, 1440), "a kind left out keeps its default");
    }

    [Fact]
    public void School_hours_can_be_written_as_hours_and_minutes()
    {
        var settings = RoutingSettings.FromJson("""{"schoolHours":[{"day":"Monday","start":"08:30","end":"15:30"}]}""");

        settings.SchoolHours.Should().Equal(new WeeklyWindow(DayOfWeek.Monday, new TimeOnly(8, 30), new TimeOnly(15, 30)));
        settings.OpenItemCap.Should().Be(15, "what is left out keeps its default");
    }
}
