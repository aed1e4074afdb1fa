using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
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
}
