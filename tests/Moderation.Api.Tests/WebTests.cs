using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Routing;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>The server-rendered pages: cookie sign-in, the queue, an item and its decision forms.</summary>
public sealed partial class WebTests(ApiFixture fixture) : ApiTest(fixture)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();

    private static string TokenIn(string html) => AntiForgery().Match(html).Groups[1].Value;

    private Task<HttpClient> SignedInAsync(string email) => Fixture.CookieClientAsync(email);

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_the_sign_in_page()
    {
        using var client = Fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await client.GetAsync("/");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Contain("/signin");
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_on_the_sign_in_page()
    {
        using var client = Fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/signin");
        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "moderator@fleming.example",
            ["Password"] = "not-the-password",
            ["__RequestVerificationToken"] = TokenIn(form),
        }));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("do not match");
    }

    [Fact]
    public async Task A_moderator_sees_the_queue_highlights_personal_data_and_approves_from_the_item_page()
    {
        // Arrange
        // A blog comment: the school may edit it as it approves it (on Facebook it could only approve it as written).
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Lost coat, ring 07700 900123", "fleming-blog");
        using var client = await SignedInAsync("moderator@fleming.example");

        // Act
        var queue = await client.GetStringAsync("/?state=AwaitingReview");
        var page = await client.GetStringAsync($"/items/{itemId}");
        using var approve = await client.PostAsync($"/items/{itemId}?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["text"] = "Lost coat, ring the school office",
            ["__RequestVerificationToken"] = TokenIn(page),
        }));

        // Assert
        queue.Should().Contain($"/items/{itemId}").And.Contain("Lost coat");
        page.Should().Contain("<mark class=\"warning\" title=\"PersonalData: A UK phone number.\">07700 900123</mark>");
        approve.StatusCode.Should().Be(HttpStatusCode.Redirect);
        await using var db = Fixture.Db();
        var item = await db.Items.SingleAsync(i => i.Id == itemId);
        item.State.Should().Be(ItemState.Approved);
        item.ApprovedText.Should().Be("Lost coat, ring the school office");
    }

    [Fact]
    public async Task A_form_post_without_the_anti_forgery_token_is_refused_and_changes_nothing()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Forged?");
        using var client = await SignedInAsync("moderator@fleming.example");

        // Act
        using var response = await client.PostAsync($"/items/{itemId}?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["text"] = "x" }));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == itemId)).State.Should().Be(ItemState.AwaitingReview);
    }

    [Fact]
    public async Task Another_schools_moderator_gets_404_for_the_item_page_and_its_forms()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Fleming only");
        using var outsider = await SignedInAsync("moderator@stmarys.example");
        var ownQueue = await outsider.GetStringAsync("/");

        // Act
        using var page = await outsider.GetAsync($"/items/{itemId}");
        using var approve = await outsider.PostAsync($"/items/{itemId}?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenIn(ownQueue),
        }));

        // Assert
        ownQueue.Should().NotContain("Fleming only");
        page.StatusCode.Should().Be(HttpStatusCode.NotFound);
        approve.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_author_is_not_shown_the_queue()
    {
        using var client = await SignedInAsync("author@fleming.example");
        using var response = await client.GetAsync("/");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Contain("/denied");
    }

    [Fact]
    public async Task The_item_page_shows_the_redacted_text_with_names_marked_and_the_head_can_reveal_the_original_with_a_reason()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("st-marys-ce", "Millie Hughes sang beautifully");
        using var moderator = await SignedInAsync("moderator@stmarys.example");
        using var head = await SignedInAsync("head@stmarys.example");

        // Act
        var moderatorPage = await moderator.GetStringAsync($"/items/{itemId}");
        var headPage = await head.GetStringAsync($"/items/{itemId}");
        using var reveal = await head.PostAsync($"/items/{itemId}?handler=Reveal", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["reason"] = "Checking a parent's complaint",
            ["__RequestVerificationToken"] = TokenIn(headPage),
        }));
        var revealed = await reveal.Content.ReadAsStringAsync();

        // Assert
        moderatorPage.Should().Contain("<mark class=\"redacted\"").And.Contain("[pupil]</mark> sang beautifully");
        moderatorPage.Should().NotContain("Hughes").And.NotContain("handler=Reveal");
        headPage.Should().Contain("handler=Reveal").And.NotContain("Hughes");
        reveal.StatusCode.Should().Be(HttpStatusCode.OK);
        revealed.Should().Contain("Millie Hughes sang beautifully").And.Contain("your reveal has been recorded");
        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.ItemId == itemId && a.Action == "original-revealed")).Should().Be(1);
    }

    [Fact]
    public async Task The_DSL_sees_a_safeguarding_notification_on_the_notifications_page_and_marks_it_read()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "hey, this is our little secret ok? meet me at the park after school");
        using var dsl = await SignedInAsync("dsl@fleming.example");
        var page = await Eventually.WaitForAsync(
            () => dsl.GetStringAsync("/notifications"), html => html.Contains("Safeguarding concern"), "the notification on the page");

        // Act
        using var read = await dsl.PostAsync("/notifications?handler=Read", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenIn(page),
        }));
        var after = await dsl.GetStringAsync("/notifications");

        // Assert
        page.Should().Contain("class=\"notification unread kind-safeguarding-concern\"").And.Contain($"href=\"/items/{itemId}\"");
        page.Should().NotContain("our little secret", "the item's words stay on the item page");
        read.StatusCode.Should().Be(HttpStatusCode.Redirect);
        after.Should().Contain("class=\"notification read kind-safeguarding-concern\"").And.NotContain("notification unread");
    }

    /// <summary>An open routing alert for Fleming, as the router records one, standing for <paramref name="count"/> items.</summary>
    private async Task<(Guid AlertId, Guid ItemId)> OpenAlertAsync(int count)
    {
        // With the demo rotas the item goes to the moderator on duty, so the router raises no alert of its own for it.
        await Fixture.SeedDemoRotasAsync();
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Is school open on Monday?");
        await using var db = Fixture.Db();
        var alert = new RoutingAlert
        {
            Id = Guid.NewGuid(), SchoolId = Fixture.Schools["fleming-primary"], ItemId = itemId, Reasons = "NobodyOnDuty, EveryoneAtCap",
            Message = "A comment on Facebook went to escalation level 1: nobody on duty.",
            RaisedAt = DateTimeOffset.UtcNow.AddMinutes(-5), ItemCount = count, LastRaisedAt = count > 1 ? DateTimeOffset.UtcNow.AddMinutes(-1) : null,
        };
        db.Alerts.Add(alert);
        await db.SaveChangesAsync();
        return (alert.Id, itemId);
    }

    [Fact]
    public async Task The_headteacher_sees_an_open_alert_on_the_alerts_page_and_resolves_it_with_a_note()
    {
        // Arrange
        var (alertId, itemId) = await OpenAlertAsync(count: 12);
        using var head = await SignedInAsync("head@fleming.example");
        var queue = await head.GetStringAsync("/");
        var page = await head.GetStringAsync("/alerts");
        using var api = await Fixture.As("head@fleming.example");
        var listed = await api.GetFromJsonAsync<List<Routing.AlertDto>>($"/api/schools/{Fixture.Schools["fleming-primary"]}/alerts", ApiFixture.Json);

        // Act
        using var resolve = await head.PostAsync($"/alerts?handler=Resolve&id={alertId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["resolution"] = "Tom added to the rota for Mondays",
            ["__RequestVerificationToken"] = TokenIn(page),
        }));
        var after = await head.GetStringAsync("/alerts");
        var all = await head.GetStringAsync("/alerts?all=true");

        // Assert
        queue.Should().Contain("href=\"/alerts\"", "the people told of alerts have a link to them");
        page.Should().Contain("Nobody on duty; Everyone on duty at their cap").And.Contain("12 items").And.Contain($"href=\"/items/{itemId}\"")
            .And.Contain("nobody on duty.");
        listed.Should().ContainSingle().Which.Id.Should().Be(alertId, "the API shows the headteacher the same alerts");
        resolve.StatusCode.Should().Be(HttpStatusCode.Redirect);
        after.Should().Contain("No open alerts").And.NotContain("Nobody on duty;");
        all.Should().Contain("Tom added to the rota for Mondays").And.Contain("Resolved");
        await using var db = Fixture.Db();
        var stored = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId);
        stored.ResolvedAt.Should().NotBeNull();
        stored.Resolution.Should().Be("Tom added to the rota for Mondays");
        (await db.AuditEntries.CountAsync(a => a.Action == "alert-resolved" && a.Detail == "Tom added to the rota for Mondays")).Should().Be(1);
    }

    [Fact]
    public async Task Resolving_an_alert_without_a_note_shows_why_and_leaves_it_open_and_other_schools_and_moderators_cannot_reach_it()
    {
        // Arrange
        var (alertId, _) = await OpenAlertAsync(count: 1);
        using var admin = await SignedInAsync("admin@riverside.example");
        var page = await admin.GetStringAsync("/alerts");
        using var outsider = await SignedInAsync("webadmin@stmarys.example");
        var outsiderPage = await outsider.GetStringAsync("/alerts");
        using var moderator = await SignedInAsync("moderator@fleming.example");

        // Act
        using var blank = await admin.PostAsync($"/alerts?handler=Resolve&id={alertId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["resolution"] = "   ",
            ["__RequestVerificationToken"] = TokenIn(page),
        }));
        using var foreign = await outsider.PostAsync($"/alerts?handler=Resolve&id={alertId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["resolution"] = "not mine",
            ["__RequestVerificationToken"] = TokenIn(outsiderPage),
        }));
        using var moderatorPage = await moderator.GetAsync("/alerts");

        // Assert
        blank.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await blank.Content.ReadAsStringAsync()).Should().Contain("Say what was done").And.Contain("nobody on duty.");
        outsiderPage.Should().NotContain("nobody on duty.", "another school's alerts are not shown");
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        moderatorPage.StatusCode.Should().Be(HttpStatusCode.Redirect);
        moderatorPage.Headers.Location!.ToString().Should().Contain("/denied", "alerts are for the people told of them");
        await using var db = Fixture.Db();
        (await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId)).ResolvedAt.Should().BeNull();
        (await db.AuditEntries.CountAsync(a => a.Action == "alert-resolved")).Should().Be(0);
    }
}
