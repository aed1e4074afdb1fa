using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Safeguarding;
using Moderation.Testing;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>Cases open from screening, from a moderator's escalation and from the headteacher, and are acknowledged.</summary>
public sealed class CaseApiTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    [Fact]
    public async Task A_screening_concern_opens_a_case_for_the_DSL_with_an_evidence_snapshot()
    {
        // Act
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);
        var opened = await WaitForCaseAsync(itemId);

        // Assert
        opened.Category.Should().Be(CaseCategories.Grooming);
        opened.Source.Should().Be(CaseSource.Screening);
        opened.Status.Should().Be(CaseStatus.Open);
        opened.OwnerId.Should().Be(await UserIdAsync(Dsl));
        opened.EvidenceSha256.Should().MatchRegex("^[0-9a-f]{64}$");
        await using var db = Fixture.Db();
        var parts = await db.EvidenceParts.AsNoTracking().Where(p => p.CaseId == opened.Id).OrderBy(p => p.Position).ToListAsync();
        parts.Select(p => p.Name).Should().Equal("evidence/item.json", "evidence/text.txt");
        System.Text.Encoding.UTF8.GetString(parts[1].Content!).Should().Be(Grooming);
        (await db.AuditEntries.AnyAsync(a => a.ItemId == itemId && a.Action == "case-opened")).Should().BeTrue();
    }

    [Fact]
    public async Task A_case_on_a_comment_from_a_platform_keeps_the_platforms_own_payload_and_address_as_evidence()
    {
        // Arrange: a Facebook comment as a connector stores it, with the Graph's JSON and its permalink.
        const string payload = """{"id":"100200300400500_77","message":"hey, this is our little secret ok? meet me at the park after school","from":{"id":"9001","name":"Stranger"}}""";
        Guid itemId;
        using (var scope = Fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Domain.Persistence.ModerationDbContext>();
            var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Handle == "@FlemingPrimary" && a.Platform == Domain.Schools.Platform.Facebook);
            var (ingested, _) = await scope.ServiceProvider.GetRequiredService<Domain.Items.ItemIntake>().IngestAsync(
                new Domain.Items.InboundItem(account.Id, Domain.Items.ItemKind.InboundComment, "100200300400500_77", "Stranger", "9001", Grooming, null,
                    Url: "https://www.facebook.com/100200300400500_77", RawJson: payload),
                CancellationToken.None);
            itemId = ingested;
        }

        // Act: screening raises the concern, which opens the case.
        var opened = await WaitForCaseAsync(itemId);

        // Assert
        await using var check = Fixture.Db();
        var parts = await check.EvidenceParts.AsNoTracking().Where(p => p.CaseId == opened.Id).OrderBy(p => p.Position).ToListAsync();
        var raw = parts.Should().ContainSingle(p => p.Name == "evidence/payload.json").Subject;
        System.Text.Encoding.UTF8.GetString(raw.Content!).Should().Be(payload, "the platform's JSON is kept byte for byte");
        raw.Sha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(payload))));
        raw.SourceUrl.Should().Be("https://www.facebook.com/100200300400500_77");
    }

    [Fact]
    public async Task A_moderators_escalation_opens_an_unclassified_case_and_tells_the_DSL()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Is this the boy from Year 5 in the photo? Someone should sort him out");
        using var moderator = await Fixture.As(Moderator);

        // Act
        using var escalated = await moderator.PostAsJsonAsync($"/api/items/{itemId}/escalate", new { reason = "Looks like a threat to a pupil" });
        var opened = await WaitForCaseAsync(itemId);

        // Assert
        escalated.StatusCode.Should().Be(HttpStatusCode.OK);
        opened.Source.Should().Be(CaseSource.Escalation);
        opened.Category.Should().Be(CaseCategories.Unclassified);
        opened.Severity.Should().Be(CaseSeverity.High);
        opened.RaisedById.Should().Be(await UserIdAsync(Moderator));
        await using var db = Fixture.Db();
        var dsl = await UserIdAsync(Dsl);
        (await db.Notifications.AnyAsync(n => n.RecipientId == dsl && n.Kind == NotificationKind.SafeguardingConcern && n.Title.StartsWith("Safeguarding case opened")))
            .Should().BeTrue();
    }

    [Fact]
    public async Task The_headteacher_opens_a_case_by_hand_the_DSL_sees_it_and_acknowledges_it_once()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Everyone laugh at the new girl in Year 6");
        using var dsl = await Fixture.As(Dsl);

        // Act
        var raised = await RaiseAboutItemAsync(itemId, email: Head);
        var listed = await dsl.GetFromJsonAsync<List<CaseDto>>($"/api/schools/{Fleming}/safeguarding/cases", ApiFixture.Json);
        using var acknowledged = await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/acknowledge", null);
        using var again = await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/acknowledge", null);

        // Assert
        raised.Source.Should().Be(CaseSource.Raised);
        raised.OwnerId.Should().Be(await UserIdAsync(Dsl));
        raised.SuggestedReferrals.Should().ContainSingle(r => r.Agency == ReferralAgency.Platform && !r.Made);
        listed.Should().ContainSingle(c => c.Id == raised.Id);
        acknowledged.StatusCode.Should().Be(HttpStatusCode.OK);
        (await acknowledged.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!.Status.Should().Be(CaseStatus.Acknowledged);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Acknowledging_the_case_of_a_screened_item_acknowledges_the_item_too_so_routing_stops_moving_it()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);
        var opened = await WaitForCaseAsync(itemId);
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/safeguarding/cases/{opened.Id}/acknowledge", null);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
        item.AcknowledgedById.Should().Be(await UserIdAsync(Dsl));
    }

    [Fact]
    public async Task Acknowledging_the_item_through_routing_acknowledges_its_case()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);
        var opened = await WaitForCaseAsync(itemId);
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/items/{itemId}/acknowledge", null);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = Fixture.Db();
        (await db.SafeguardingCases.AsNoTracking().SingleAsync(c => c.Id == opened.Id)).Status.Should().Be(CaseStatus.Acknowledged);
    }

    [Fact]
    public async Task A_case_about_the_headteacher_goes_to_the_chair_and_the_headteacher_cannot_see_it()
    {
        // Arrange
        using var head = await Fixture.As(Head);
        using var chair = await Fixture.As(Chair);

        // Act
        var raised = await RaiseAsync(Dsl, new { category = "AllegationAgainstStaff", severity = "High", summary = "A parent alleges the head shouted at a pupil", aboutHeadteacher = true });
        using var byHead = await head.GetAsync($"/api/safeguarding/cases/{raised.Id}");
        var headList = await head.GetFromJsonAsync<List<CaseDto>>($"/api/schools/{Fleming}/safeguarding/cases", ApiFixture.Json);
        using var byChair = await chair.GetAsync($"/api/safeguarding/cases/{raised.Id}");

        // Assert
        raised.OwnerId.Should().Be(await UserIdAsync(Chair));
        raised.SuggestedReferrals.Should().ContainSingle(r => r.Agency == ReferralAgency.Lado);
        byHead.StatusCode.Should().Be(HttpStatusCode.NotFound);
        headList.Should().BeEmpty();
        byChair.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_headteacher_cannot_open_a_case_about_the_headteacher()
    {
        // Arrange
        using var head = await Fixture.As(Head);

        // Act
        using var response = await head.PostAsJsonAsync($"/api/schools/{Fleming}/safeguarding/cases",
            new { category = "AllegationAgainstStaff", severity = "High", summary = "About me", aboutHeadteacher = true });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await RowCountAsync("safeguarding_cases")).Should().Be(0);
    }

    public static TheoryData<string, string> BadCases => new()
    {
        { """{"severity":"High","summary":"x"}""", "category" },
        { """{"category":"Gossip","severity":"High","summary":"x"}""", "category" },
        { """{"category":"Hate","summary":"x"}""", "severity" },
        { """{"category":"Hate","severity":"High","summary":"   "}""", "summary" },
        { """{"category":"Hate","severity":"High","summary":"x","url":"javascript:alert(1)"}""", "url" },
        { """{"category":"Hate","severity":"High","summary":"x","files":[{"fileName":"a.png","contentType":"image/png","contentBase64":"not base64!"}]}""", "files[0].contentBase64" },
        { """{"category":"Hate","severity":"High","summary":"x","files":[{"contentType":"image/png","contentBase64":"AAAA"}]}""", "files[0].fileName" },
    };

    [Theory]
    [MemberData(nameof(BadCases))]
    public async Task A_bad_case_gets_a_validation_problem_and_stores_nothing(string json, string field)
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/schools/{Fleming}/safeguarding/cases", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Should().ContainKey(field);
        (await RowCountAsync("safeguarding_cases")).Should().Be(0);
        (await RowCountAsync("evidence_parts")).Should().Be(0);
    }

    [Theory]
    [InlineData("""{"category":"Hate","severity":"Apocalyptic","summary":"x"}""")]
    [InlineData("""{"category":"Hate",""")]
    public async Task A_malformed_case_gets_problem_details_and_stores_nothing(string json)
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/schools/{Fleming}/safeguarding/cases", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await RowCountAsync("safeguarding_cases")).Should().Be(0);
    }

    [Fact]
    public async Task A_case_about_another_schools_item_is_refused_and_stores_nothing()
    {
        // Arrange
        var stMarys = await Fixture.IngestAndScreenAsync("st-marys-ce", "A comment at St Mary's");
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsJsonAsync($"/api/schools/{Fleming}/safeguarding/cases", new { itemId = stMarys, category = "Hate", severity = "High", summary = "x" });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await RowCountAsync("safeguarding_cases")).Should().Be(0);
    }

    [Fact]
    public async Task A_second_case_for_an_item_with_an_open_case_conflicts()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Everyone laugh at the new girl in Year 6");
        await RaiseAboutItemAsync(itemId);
        using var head = await Fixture.As(Head);

        // Act
        using var response = await head.PostAsJsonAsync($"/api/schools/{Fleming}/safeguarding/cases", new { itemId, category = "Bullying", severity = "High", summary = "again" });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await RowCountAsync("safeguarding_cases")).Should().Be(1);
    }

    [Fact]
    public async Task Safeguarding_settings_are_the_defaults_until_the_DSL_saves_them_and_bad_settings_are_refused()
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);
        var url = $"/api/schools/{Fleming}/safeguarding/settings";
        var outsider = await UserIdAsync("dsl@stmarys.example");

        // Act
        var before = await dsl.GetFromJsonAsync<SafeguardingSettingsResponse>(url, ApiFixture.Json);
        using var bad = await dsl.PutAsJsonAsync(url, new { criticalAcknowledgeMinutes = 0, outOfHours = new { acknowledgeMinutes = 30, onCall = new[] { outsider } }, retention = new[] { new { appliesTo = "Gossip", days = 5 } } });
        using var good = await dsl.PutAsJsonAsync(url, new { criticalAcknowledgeMinutes = 10, outOfHours = new { acknowledgeMinutes = 20, onCall = new[] { await UserIdAsync(Deputy) } }, retention = new[] { new { appliesTo = "RejectedItems", days = 30 } } });
        var after = await dsl.GetFromJsonAsync<SafeguardingSettingsResponse>(url, ApiFixture.Json);

        // Assert
        before!.Saved.Should().BeFalse();
        before.Settings.RetentionDays(SafeguardingSettings.RejectedItems).Should().Be(90);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(bad)).Keys.Should().BeEquivalentTo("criticalAcknowledgeMinutes", "outOfHours.onCall", "retention[0].appliesTo");
        good.StatusCode.Should().Be(HttpStatusCode.OK);
        after!.Saved.Should().BeTrue();
        after.Settings.CriticalAcknowledgeMinutes.Should().Be(10);
        after.Settings.RetentionDays(SafeguardingSettings.RejectedItems).Should().Be(30);
        after.Settings.RetentionDays(CaseCategories.Grooming).Should().Be(25 * 365, "a class left out keeps its default");
    }

    [Fact]
    public async Task A_case_opened_on_an_item_in_review_escalates_it_to_the_headteacher_or_DSL_so_no_moderator_can_approve_it()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Everyone laugh at the new girl in Year 6");
        using var moderator = await Fixture.As(Moderator);

        // Act
        await RaiseAboutItemAsync(itemId);
        using var approve = await moderator.PostAsJsonAsync($"/api/items/{itemId}/approve", new { });

        // Assert
        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
        item.State.Should().Be(ItemState.Escalated);
        new[] { await UserIdAsync(Head), await UserIdAsync(Dsl) }.Should().Contain(item.AssignedToId!.Value);
        approve.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await db.SafeguardingCases.CountAsync(c => c.ItemId == itemId)).Should().Be(1, "the escalation adds to the open case, not a second one");
    }

    [Fact]
    public async Task A_case_opened_on_an_approved_item_queues_its_takedown_on_the_platform()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Great assembly today");
        using var moderator = await Fixture.As(Moderator);
        (await moderator.PostAsJsonAsync($"/api/items/{itemId}/approve", new { })).EnsureSuccessStatusCode();

        // The approval's own platform action settles first (the demo account is not connected, so it waits).
        await Eventually.WaitForAsync(async () =>
        {
            await using var check = Fixture.Db();
            return await check.PlatformActions.CountAsync(a => a.ItemId == itemId && a.Status == Domain.Platforms.ActionStatus.Blocked);
        }, n => n == 1, "the approval's platform action to settle");

        // Act
        await RaiseAboutItemAsync(itemId, CaseCategories.Hate);

        // Assert
        await using var db = Fixture.Db();
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId)).PendingAction.Should().Be(PlatformAction.Hide);
        (await db.AuditEntries.AnyAsync(a => a.ItemId == itemId && a.Action == "hide-requested")).Should().BeTrue();
        var takedown = await db.PlatformActions.AsNoTracking().SingleAsync(a => a.ItemId == itemId && a.Purpose == Domain.Platforms.ActionPurpose.Takedown);
        takedown.Action.Should().Be(PlatformAction.Hide, "Facebook can hide a comment, which the school can undo");
    }
}
