using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Moderation.Web.Tests;

/// <summary>
/// Every main page passes <see cref="AccessibilityCheck"/> (names, alt text, headings, landmarks, contrast) and shows
/// where the keyboard focus is at every tab stop; the queue and an item fit a phone's width (390 px).
/// </summary>
public sealed class AccessibilityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task The_sign_in_page_passes()
    {
        await Page.GotoAsync(Url("/signin"));
        await CheckAsync("sign-in");
    }

    [Fact]
    public async Task The_queue_item_and_notifications_pages_pass_for_a_moderator()
    {
        // Arrange: a clear comment and one with personal data, so bulk boxes and highlights are on the pages
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", "Please ring me on 07700 900123 about the trip");
        await Fixture.IngestAndScreenAsync("fleming-primary", "Lovely photos from sports day, well done everyone!");
        await SignInAsync("moderator@fleming.example");

        // Act and assert
        await Page.GotoAsync(Url("/"));
        await CheckAsync("queue");
        await Page.GotoAsync(Url($"/items/{item}"));
        await CheckAsync("item");
        await Page.GotoAsync(Url("/notifications"));
        await CheckAsync("notifications");
    }

    [Fact]
    public async Task The_dashboard_accounts_and_alerts_pages_pass_for_an_administrator()
    {
        // Arrange: an item routing could not give to anyone on duty, so the alerts page has an open alert and its form
        await Fixture.IngestAndScreenAsync("fleming-primary", "Is school open on Monday?");
        await using (var db = Fixture.Db())
        {
            (await db.Alerts.CountAsync(a => a.ResolvedAt == null)).Should().BeGreaterThan(0, "no rota is set up in this fixture, so nobody is on duty");
        }

        await SignInAsync("admin@riverside.example");

        // Act and assert
        await Page.GotoAsync(Url("/dashboard"));
        await CheckAsync("dashboard");
        await Page.GotoAsync(Url("/accounts"));
        await CheckAsync("accounts");
        await Page.GotoAsync(Url("/alerts"));
        await CheckAsync("alerts");
        await ScreenshotAsync("60-alerts");
    }

    [Fact]
    public async Task The_safeguarding_page_passes_for_the_DSL()
    {
        await SignInAsync("dsl@fleming.example");
        await Page.GotoAsync(Url("/safeguarding"));
        await CheckAsync("safeguarding");
    }

    [Fact]
    public async Task At_phone_width_the_queue_and_an_item_fit_and_pass()
    {
        // Arrange
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", "Lovely photos from sports day, well done everyone!");
        await Page.SetViewportSizeAsync(390, 844);
        await SignInAsync("moderator@fleming.example");

        // Act and assert
        await Page.GotoAsync(Url("/"));
        (await Overflows()).Should().BeFalse("the queue must not scroll sideways at 390 px");
        await CheckAsync("queue-phone", focus: false);
        await ScreenshotAsync("50-queue-phone-390");
        await Page.GotoAsync(Url($"/items/{item}"));
        (await Overflows()).Should().BeFalse("the item page must not scroll sideways at 390 px");
        await CheckAsync("item-phone", focus: false);
        await ScreenshotAsync("51-item-phone-390");
    }

    private Task<bool> Overflows() => Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");

    private async Task CheckAsync(string page, bool focus = true)
    {
        var problems = (await AccessibilityCheck.ProblemsAsync(Page)).ToList();
        if (focus)
        {
            var (focusProblems, order) = await AccessibilityCheck.FocusProblemsAsync(Page);
            problems.AddRange(focusProblems);
            order.Should().NotBeEmpty($"the {page} page has something to tab to");
            order[0].Should().Contain("Skip to content", $"the first tab stop on the {page} page skips the navigation");
        }

        problems.Should().BeEmpty($"the {page} page should pass the accessibility check");
    }
}
