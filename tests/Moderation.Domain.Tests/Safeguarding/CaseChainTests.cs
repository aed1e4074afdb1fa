using Moderation.Domain.Accounts;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Domain.Tests.Safeguarding;

/// <summary>Who a case goes to, when it is due, who may see it, and what its settings allow: pure rules, no database.</summary>
public sealed class CaseChainTests
{
    private static readonly Guid s_dsl = Guid.NewGuid(), s_deputy = Guid.NewGuid(), s_head = Guid.NewGuid(), s_chair = Guid.NewGuid(), s_onCall = Guid.NewGuid();

    private static readonly SafeguardingPeople s_people = new([s_dsl], [s_deputy], [s_head], [s_chair], new Dictionary<Guid, string>());

    private static readonly IReadOnlyList<WeeklyWindow> s_schoolHours = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(16, 0));

    private static List<Guid> Owners(string category, bool aboutHead = false, bool outOfHours = false, SafeguardingSettings? settings = null, SafeguardingPeople? people = null) =>
        [.. CaseChain.Steps(category, aboutHead, outOfHours, people ?? s_people, settings ?? SafeguardingSettings.Defaults).Select(s => s.People[0])];

    [Theory]
    [InlineData(CaseCategories.Grooming)]
    [InlineData(CaseCategories.ChildSexualAbuse)]
    [InlineData(CaseCategories.ThreatToLife)]
    [InlineData(CaseCategories.Radicalisation)]
    [InlineData(CaseCategories.Bullying)]
    [InlineData(CaseCategories.Unclassified)]
    public void A_child_protection_concern_goes_to_the_DSL_then_the_deputy_then_the_headteacher(string category) =>
        Owners(category).Should().Equal(s_dsl, s_deputy, s_head);

    [Theory]
    [InlineData(CaseCategories.AllegationAgainstStaff)]
    [InlineData(CaseCategories.Complaint)]
    public void An_allegation_against_staff_or_a_complaint_goes_to_the_headteacher_first(string category) =>
        Owners(category).Should().Equal(s_head, s_dsl, s_deputy);

    [Fact]
    public void An_allegation_about_the_headteacher_goes_to_the_chair_and_never_to_the_headteacher_even_one_who_is_also_the_DSL()
    {
        // Arrange: a small primary where the head is also the DSL.
        var people = s_people with { Dsls = [s_head, s_dsl] };

        // Act
        var steps = CaseChain.Steps(CaseCategories.AllegationAgainstStaff, true, false, people, SafeguardingSettings.Defaults);

        // Assert
        steps.Select(s => s.Role).Should().Equal("chair of governors", "DSL", "deputy DSL");
        steps.SelectMany(s => s.People).Should().NotContain(s_head);
    }

    [Fact]
    public void Out_of_hours_the_on_call_people_come_first_and_in_hours_they_do_not()
    {
        var settings = new SafeguardingSettings { OutOfHours = new OutOfHoursRules { OnCall = [s_onCall] } };
        Owners(CaseCategories.ThreatToLife, outOfHours: true, settings: settings).Should().Equal(s_onCall, s_dsl, s_deputy, s_head);
        Owners(CaseCategories.ThreatToLife, outOfHours: false, settings: settings).Should().Equal(s_dsl, s_deputy, s_head);
    }

    [Fact]
    public void A_school_without_a_deputy_skips_that_step()
    {
        Owners(CaseCategories.Hate, people: s_people with { Deputies = [] }).Should().Equal(s_dsl, s_head);
    }

    [Theory]
    // Tuesday 8 December 2026 at 10:00 (school hours): the severity's own limit.
    [InlineData("2026-12-08T10:00:00Z", CaseSeverity.Critical, "2026-12-08T10:15:00Z")]
    [InlineData("2026-12-08T10:00:00Z", CaseSeverity.Low, "2026-12-08T18:00:00Z")]
    // 21:00: the out-of-hours limit for urgent cases; low and medium wait for 08:00 on Wednesday.
    [InlineData("2026-12-08T21:00:00Z", CaseSeverity.High, "2026-12-08T21:30:00Z")]
    [InlineData("2026-12-08T21:00:00Z", CaseSeverity.Medium, "2026-12-09T10:00:00Z")]
    // Friday night: a low case waits for Monday morning.
    [InlineData("2026-12-11T20:00:00Z", CaseSeverity.Low, "2026-12-14T16:00:00Z")]
    // British Summer Time: school opens at 08:00 London, 07:00 UTC.
    [InlineData("2026-06-09T21:00:00Z", CaseSeverity.Medium, "2026-06-10T09:00:00Z")]
    public void The_acknowledgement_deadline_follows_severity_school_hours_and_the_out_of_hours_rules(string raised, CaseSeverity severity, string due) =>
        CaseChain.AckDueAt(DateTimeOffset.Parse(raised, System.Globalization.CultureInfo.InvariantCulture), severity, SafeguardingSettings.Defaults, s_schoolHours)
            .Should().Be(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_school_that_turns_off_waiting_gets_the_out_of_hours_limit_for_every_case()
    {
        var settings = new SafeguardingSettings { OutOfHours = new OutOfHoursRules { NonUrgentWaitForSchoolHours = false, AcknowledgeMinutes = 45 } };
        CaseChain.AckDueAt(new DateTimeOffset(2026, 12, 8, 21, 0, 0, TimeSpan.Zero), CaseSeverity.Low, settings, s_schoolHours)
            .Should().Be(new DateTimeOffset(2026, 12, 8, 21, 45, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(Roles.Dsl, false, true)]
    [InlineData(Roles.DeputyDsl, false, true)]
    [InlineData(Roles.Headteacher, false, true)]
    [InlineData(Roles.ChairOfGovernors, false, false)]
    [InlineData(Roles.Moderator, false, false)]
    [InlineData(Roles.Administrator, false, false)]
    [InlineData(Roles.Author, false, false)]
    [InlineData(Roles.Dsl, true, true)]
    [InlineData(Roles.Headteacher, true, false)]
    [InlineData(Roles.ChairOfGovernors, true, true)]
    [InlineData(Roles.Administrator, true, false)]
    public void Who_may_see_a_case(string role, bool aboutHeadteacher, bool sees) =>
        CaseAccess.CanSee(new HashSet<string> { role }, aboutHeadteacher).Should().Be(sees);

    [Fact]
    public void A_headteacher_who_is_also_the_DSL_still_cannot_see_a_case_about_the_headteacher() =>
        CaseAccess.CanSee(new HashSet<string> { Roles.Headteacher, Roles.Dsl }, aboutHeadteacher: true).Should().BeFalse();

    [Fact]
    public void Settings_report_every_problem_at_once_by_field()
    {
        // Arrange
        var stranger = Guid.NewGuid();
        var settings = new SafeguardingSettings
        {
            CriticalAcknowledgeMinutes = 0,
            OutOfHours = new OutOfHoursRules { AcknowledgeMinutes = 20_000, OnCall = [stranger] },
            Retention = [new RetentionRule("Gossip", 10), new RetentionRule(SafeguardingSettings.RejectedItems, 0), new RetentionRule(CaseCategories.Hate, 10), new RetentionRule(CaseCategories.Hate, 20)],
        };

        // Act
        var errors = settings.Validate(new HashSet<Guid> { s_dsl });

        // Assert
        errors.Keys.Should().BeEquivalentTo(
            "criticalAcknowledgeMinutes", "outOfHours.acknowledgeMinutes", "outOfHours.onCall", "retention[0].appliesTo", "retention[1].days", "retention[3].appliesTo");
        SafeguardingSettings.Defaults.Validate(new HashSet<Guid>()).Should().BeEmpty();
    }

    [Fact]
    public void The_bundle_hash_changes_when_any_part_is_renamed_altered_withheld_or_dropped()
    {
        // Arrange
        var parts = new List<EvidenceManifest.Entry>
        {
            new("evidence/text.txt", "Text", "text/plain", 10, new string('a', 64), false, null),
            new("evidence/media/01-a.png", "Media", "image/png", 20, new string('b', 64), false, null),
        };
        var original = EvidenceManifest.BundleHash(parts);

        // Act and assert
        EvidenceManifest.BundleHash([parts[0] with { Name = "evidence/other.txt" }, parts[1]]).Should().NotBe(original);
        EvidenceManifest.BundleHash([parts[0] with { Sha256 = new string('c', 64) }, parts[1]]).Should().NotBe(original);
        EvidenceManifest.BundleHash([parts[0], parts[1] with { Withheld = true }]).Should().NotBe(original);
        EvidenceManifest.BundleHash([parts[0]]).Should().NotBe(original);
        EvidenceManifest.BundleHash(parts).Should().Be(original);
    }

    [Fact]
    public void The_csv_report_quotes_awkward_cells_and_defuses_formulas()
    {
        // Arrange
        var report = new LeadershipReport(Guid.NewGuid(), new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), DateTimeOffset.UnixEpoch, 1, 0,
            [new CategoryCount("=cmd|' /C calc'!A0", 1, 0, 1, 0, 0)], new AcknowledgementStats(0, 0, 0, null, null, null), [],
            [new OverdueCase(Guid.Empty, "Hate", CaseSeverity.High, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "=HYPERLINK(\"x\"), \"Evil\"", 5)], []);

        // Act
        var csv = report.ToCsv();

        // Assert
        csv.Should().Contain("\"Hate (High); due 1970-01-01 00:00 UTC; with =HYPERLINK(\"\"x\"\"), \"\"Evil\"\"\"\n");
        csv.Should().Contain("incidents by category,'=cmd|' /C calc'!A0,1,");
        csv.Should().Contain("period,from,2026-11-01,\n");
    }
}
