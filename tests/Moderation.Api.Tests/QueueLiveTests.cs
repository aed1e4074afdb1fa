using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Queue;
using Moderation.Domain.Items;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>Bulk decisions for screened-clear items, the queue's live state and "N viewing" presence (ADR 0503).</summary>
public sealed class QueueLiveTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Clear1 = "Lovely photos from sports day, well done everyone!";
    private const string Clear2 = "What time does the summer fair start on Saturday?";
    private const string WithPhone = "Please ring me on 07700 900123 about the trip";

    [Fact]
    public async Task Bulk_approve_decides_clear_items_one_by_one_and_refuses_one_that_is_not_clear()
    {
        // Arrange
        var a = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var b = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);
        var flagged = await Fixture.IngestAndScreenAsync("fleming-primary", WithPhone);
        using var moderator = await Fixture.As("moderator@fleming.example");

        // Act
        using var response = await moderator.PostAsJsonAsync("/api/items/bulk", new { verb = "Approve", ids = new[] { a, b, flagged } });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<BulkResult>(ApiFixture.Json);
        result!.Decided.Should().Be(2);
        result.Refused.Should().Be(1);
        var refused = result.Items.Single(i => !i.Done);
        refused.ItemId.Should().Be(flagged);
        refused.Detail.Should().Contain("Not screened clear").And.Contain("screening found");

        await using var db = Fixture.Db();
        var states = await db.Items.AsNoTracking().Where(i => i.Id == a || i.Id == b || i.Id == flagged).ToDictionaryAsync(i => i.Id, i => i.State);
        states[a].Should().Be(ItemState.Approved);
        states[b].Should().Be(ItemState.Approved);
        states[flagged].Should().Be(ItemState.AwaitingReview);
        var moderatorId = await Fixture.UserIdAsync("moderator@fleming.example");
        var approvals = await db.AuditEntries.AsNoTracking().Where(e => e.Action == "approved").ToListAsync();
        approvals.Select(e => e.ItemId).Should().BeEquivalentTo([a, b]);
        approvals.Should().OnlyContain(e => e.ActorId == moderatorId && e.ToState == "Approved");
        (await db.AuditEntries.AnyAsync(e => e.ItemId == flagged && e.Action == "approved")).Should().BeFalse();
    }

    [Fact]
    public async Task Bulk_reject_needs_a_reason_and_records_it_on_each_item()
    {
        // Arrange
        var a = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var b = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);
        using var moderator = await Fixture.As("moderator@fleming.example");

        // Act
        using var noReason = await moderator.PostAsJsonAsync("/api/items/bulk", new { verb = "Reject", ids = new[] { a, b } });
        using var noIds = await moderator.PostAsJsonAsync("/api/items/bulk", new { verb = "Approve", ids = Array.Empty<Guid>() });
        using var noVerb = await moderator.PostAsJsonAsync("/api/items/bulk", new { ids = new[] { a } });
        using var otherWithoutNote = await moderator.PostAsJsonAsync("/api/items/bulk", new { verb = "Reject", ids = new[] { a }, reason = "Other" });
        await using (var db = Fixture.Db())
        {
            (await db.Items.CountAsync(i => i.State != ItemState.AwaitingReview)).Should().Be(0, "a bad request decides nothing");
        }

        using var rejected = await moderator.PostAsJsonAsync("/api/items/bulk", new { verb = "Reject", ids = new[] { a, b }, reason = "Spam", note = "same advert twice" });

        // Assert
        noReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await noReason.Content.ReadAsStringAsync()).Should().Contain("needs a reason");
        noIds.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        noVerb.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        otherWithoutNote.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        rejected.StatusCode.Should().Be(HttpStatusCode.OK);
        (await rejected.Content.ReadFromJsonAsync<BulkResult>(ApiFixture.Json))!.Decided.Should().Be(2);
        await using var check = Fixture.Db();
        var items = await check.Items.AsNoTracking().Where(i => i.Id == a || i.Id == b).ToListAsync();
        items.Should().OnlyContain(i => i.State == ItemState.Rejected && i.RejectionReason == RejectionReason.Spam && i.DecisionNote == "same advert twice");
        (await check.AuditEntries.CountAsync(e => e.Action == "rejected" && e.Detail == "reason: Spam")).Should().Be(2);
    }

    [Fact]
    public async Task Bulk_decisions_keep_to_the_callers_schools_and_roles()
    {
        // Arrange
        var fleming = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        using var stMarys = await Fixture.As("moderator@stmarys.example");
        using var dsl = await Fixture.As("dsl@fleming.example");

        // Act
        var foreign = await (await stMarys.PostAsJsonAsync("/api/items/bulk", new { verb = "Approve", ids = new[] { fleming } })).Content.ReadFromJsonAsync<BulkResult>(ApiFixture.Json);
        var byDsl = await (await dsl.PostAsJsonAsync("/api/items/bulk", new { verb = "Approve", ids = new[] { fleming } })).Content.ReadFromJsonAsync<BulkResult>(ApiFixture.Json);

        // Assert
        foreign!.Items.Single().Detail.Should().Be("No such item in your schools.");
        byDsl!.Items.Single().Done.Should().BeFalse();
        byDsl.Items.Single().Detail.Should().Contain("may not approve");
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == fleming)).State.Should().Be(ItemState.AwaitingReview);
    }

    [Fact]
    public async Task The_live_state_changes_when_an_item_arrives_or_is_decided_and_filters_clear_from_flagged()
    {
        // Arrange
        var a = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var flagged = await Fixture.IngestAndScreenAsync("fleming-primary", WithPhone);
        using var moderator = await Fixture.As("moderator@fleming.example");
        var before = await LiveAsync(moderator, "state=AwaitingReview");

        // Act
        var b = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);
        var afterArrival = await LiveAsync(moderator, "state=AwaitingReview");
        (await moderator.PostAsJsonAsync($"/api/items/{a}/approve", new { })).EnsureSuccessStatusCode();
        var afterDecision = await LiveAsync(moderator, "state=AwaitingReview");
        var clear = await moderator.GetFromJsonAsync<JsonElement>("/api/items?screening=Clear&state=AwaitingReview");
        var flaggedOnly = await moderator.GetFromJsonAsync<JsonElement>("/api/items?screening=Flagged");
        using var bad = await moderator.GetAsync("/api/items/live?pageSize=0");

        // Assert
        before.Total.Should().Be(2);
        afterArrival.Total.Should().Be(3);
        afterArrival.Fingerprint.Should().NotBe(before.Fingerprint);
        afterDecision.Total.Should().Be(2);
        afterDecision.CountsByState["Approved"].Should().Be(1);
        afterDecision.Fingerprint.Should().NotBe(afterArrival.Fingerprint);
        (await LiveAsync(moderator, "state=AwaitingReview")).Fingerprint.Should().Be(afterDecision.Fingerprint, "nothing changed since");
        Ids(clear).Should().BeEquivalentTo([b]);
        Ids(flaggedOnly).Should().BeEquivalentTo([flagged]);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Presence_shows_who_else_is_viewing_until_they_leave_or_their_heartbeat_expires()
    {
        // Arrange
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = Fixture.WithClock(clock);
        using var amy = await ApiFixture.SignInAsync(factory, "moderator@fleming.example");
        using var tom = await ApiFixture.SignInAsync(factory, "moderator2@fleming.example");
        using var stMarys = await ApiFixture.SignInAsync(factory, "moderator@stmarys.example");

        // Act
        var first = await BeatAsync(amy, item);
        var second = await BeatAsync(tom, item);
        var seenByAmy = await BeatAsync(amy, item);
        var queue = await LiveAsync(amy, "");
        using var foreign = await stMarys.PostAsync($"/api/items/{item}/presence", null);
        (await tom.PostAsync($"/api/items/{item}/presence/leave", null)).EnsureSuccessStatusCode();
        var afterLeave = await BeatAsync(amy, item);
        await BeatAsync(tom, item);
        clock.Advance(TimeSpan.FromSeconds(46));
        var afterExpiry = await LiveAsync(tom, "");

        // Assert
        first.Viewing.Should().BeEmpty();
        second.Viewing.Should().Equal("Ms Amy Reed");
        seenByAmy.Viewing.Should().Equal("Mr Tom Price");
        queue.Viewing[item].Should().Equal("Mr Tom Price");
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        afterLeave.Viewing.Should().BeEmpty();
        afterExpiry.Viewing.Should().BeEmpty("Amy's last heartbeat is more than 45 seconds old");
    }

    [Fact]
    public async Task The_queue_filters_by_account_and_by_overdue()
    {
        // Arrange: one comment on Facebook, one on the blog; both due some hours from now
        var facebook = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var blog = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2, "fleming-blog");
        Guid blogAccount;
        await using (var db = Fixture.Db())
        {
            blogAccount = await db.Items.Where(i => i.Id == blog).Select(i => i.SocialAccountId!.Value).SingleAsync();
        }

        using var moderator = await Fixture.As("moderator@fleming.example");
        await using var later = Fixture.WithClock(new ManualTimeProvider(DateTimeOffset.UtcNow.AddDays(3)));
        using var moderatorLater = await ApiFixture.SignInAsync(later, "moderator@fleming.example");

        // Act
        var byAccount = await moderator.GetFromJsonAsync<JsonElement>($"/api/items?account={blogAccount}");
        var overdueNow = await moderator.GetFromJsonAsync<JsonElement>("/api/items?overdue=true");
        var overdueLater = await moderatorLater.GetFromJsonAsync<JsonElement>("/api/items?overdue=true");
        using var badScreening = await moderator.GetAsync("/api/items?screening=Maybe");

        // Assert
        Ids(byAccount).Should().BeEquivalentTo([blog]);
        Ids(overdueNow).Should().BeEmpty();
        Ids(overdueLater).Should().BeEquivalentTo([facebook, blog]);
        badScreening.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static async Task<QueueLiveState> LiveAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<QueueLiveState>("/api/items/live?" + query, ApiFixture.Json))!;

    private static async Task<PresenceState> BeatAsync(HttpClient client, Guid item)
    {
        using var response = await client.PostAsync($"/api/items/{item}/presence", null);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<PresenceState>(ApiFixture.Json))!;
    }

    private static IEnumerable<Guid> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid());
}
