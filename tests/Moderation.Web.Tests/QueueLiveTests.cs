using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Items;

namespace Moderation.Web.Tests;

/// <summary>The queue as it changes: live arrivals and departures, who else is viewing, and bulk decisions (ADR 0503).</summary>
public sealed class QueueLiveTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Clear1 = "Lovely photos from sports day, well done everyone!";
    private const string Clear2 = "What time does the summer fair start on Saturday?";
    private const string Clear3 = "Is the school closed on Friday for the inset day?";
    private const string WithPhone = "Please ring me on 07700 900123 about the trip";

    /// <summary>Long enough for a poll (5 s) or a heartbeat (15 s) and the request after it.</summary>
    private static readonly LocatorAssertionsToHaveCountOptions s_poll = new() { Timeout = 20_000 };

    [Fact]
    public async Task An_item_ingested_while_the_queue_is_open_appears_without_a_reload_and_j_reaches_it()
    {
        // Arrange
        await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url("/?state=AwaitingReview"));
        var rows = Page.Locator("tr[data-queue-item]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Page.EvaluateAsync("() => { window.__notReloaded = true; }");

        // Act
        var arrived = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);

        // Assert
        await Assertions.Expect(rows).ToHaveCountAsync(2, s_poll);
        await Assertions.Expect(Page.Locator("#live-status")).ToHaveTextAsync("Queue updated: 1 new item.");
        await Assertions.Expect(Page.Locator($"tr[data-queue-item='{arrived}']")).ToContainTextAsync(Clear2);
        await Assertions.Expect(Page.Locator(".tabs a.active .count")).ToHaveTextAsync("2");
        (await Page.EvaluateAsync<bool>("() => window.__notReloaded === true")).Should().BeTrue("the page was updated in place");
        await Page.Keyboard.PressAsync("j");
        await Page.Keyboard.PressAsync("j");
        await Assertions.Expect(rows.Nth(1)).ToHaveAttributeAsync("aria-current", "true");
        await ScreenshotAsync("30-queue-live-arrival");
    }

    [Fact]
    public async Task Two_moderators_see_each_other_viewing_and_a_decided_item_leaves_the_others_queue()
    {
        // Arrange: Tom in a second browser, Amy in the fixture's
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);
        await using var second = await SecondBrowser.LaunchAsync();
        await SignInAsync("moderator2@fleming.example");
        await second.TakeSignInFromAsync(Fixture.Browser);
        await SignInAsync("moderator@fleming.example");
        var tom = await second.Context.NewPageAsync();

        // Act: Amy opens the item; Tom's queue shows her there, and his item page names her
        await Page.GotoAsync(Url($"/items/{item}"));
        await tom.GotoAsync(Url("/?state=AwaitingReview"));
        var viewing = tom.Locator($"[data-viewing-for='{item}'] .viewers");
        await Assertions.Expect(viewing).ToHaveTextAsync("1 viewing", new() { Timeout = 20_000 });
        await tom.ScreenshotAsync(new() { Path = ScreenshotPath("31-queue-viewing"), FullPage = true });
        await tom.GotoAsync(Url($"/items/{item}"));
        await Assertions.Expect(tom.Locator("#presence")).ToHaveTextAsync("1 other viewing: Ms Amy Reed");
        await Assertions.Expect(Page.Locator("#presence")).ToHaveTextAsync("1 other viewing: Mr Tom Price", new() { Timeout = 20_000 });
        await ScreenshotAsync("32-item-viewing");

        // Amy goes back to the queue; Tom approves the item by keyboard, and it leaves Amy's list
        await Page.GotoAsync(Url("/?state=AwaitingReview"));
        var rows = Page.Locator("tr[data-queue-item]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await tom.Keyboard.PressAsync("a");
        await Assertions.Expect(tom.Locator(".item-head .state")).ToHaveTextAsync("Approved");

        // Assert
        await Assertions.Expect(rows).ToHaveCountAsync(1, s_poll);
        await Assertions.Expect(Page.Locator("#live-status")).ToHaveTextAsync("Queue updated: 1 item left this list.");
        await Assertions.Expect(Page.Locator($"tr[data-queue-item='{item}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_moderator_bulk_approves_clear_items_by_keyboard_and_the_server_refuses_one_that_is_not_clear()
    {
        // Arrange
        var a = await Fixture.IngestAndScreenAsync("fleming-primary", Clear1);
        var b = await Fixture.IngestAndScreenAsync("fleming-primary", Clear2);
        var flagged = await Fixture.IngestAndScreenAsync("fleming-primary", WithPhone);
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url("/?state=AwaitingReview"));

        // Only the clear rows can be ticked
        await Assertions.Expect(Page.Locator("input[name=ids]")).ToHaveCountAsync(2);
        await Assertions.Expect(Page.Locator($"tr[data-queue-item='{flagged}'] input[name=ids]")).ToHaveCountAsync(0);

        // Act: j to the first row, Shift+Tab to its box, Space; the same for the second
        await Page.Keyboard.PressAsync("j");
        await Page.Keyboard.PressAsync("Shift+Tab");
        await Page.Keyboard.PressAsync("Space");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.PressAsync("j");
        await Page.Keyboard.PressAsync("Shift+Tab");
        await Page.Keyboard.PressAsync("Space");
        await Assertions.Expect(Page.Locator("#bulk-count")).ToHaveTextAsync("2 items selected.");

        // A stale or doctored page sends the flagged item as well: the server must check it again and refuse it
        await Page.EvaluateAsync("""
            id => {
              const box = document.createElement('input');
              box.type = 'checkbox'; box.name = 'ids'; box.value = id; box.checked = true; box.hidden = true;
              document.getElementById('bulk-form').appendChild(box);
            }
            """, flagged.ToString());
        await ScreenshotAsync("33-bulk-selected");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Approve selected" }).ClickAsync();

        // Assert
        var report = Page.GetByRole(AriaRole.Region, new() { Name = "Approved 2 item(s); 1 refused" });
        await Assertions.Expect(report).ToBeVisibleAsync();
        await Assertions.Expect(report.Locator("li.refused")).ToContainTextAsync("Not screened clear");
        await Assertions.Expect(report.Locator("li.done")).ToHaveCountAsync(2);
        await ScreenshotAsync("34-bulk-report");
        await using var db = Fixture.Db();
        var states = await db.Items.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.State);
        states[a].Should().Be(ItemState.Approved);
        states[b].Should().Be(ItemState.Approved);
        states[flagged].Should().Be(ItemState.AwaitingReview);
        (await db.AuditEntries.CountAsync(e => e.Action == "approved")).Should().Be(2);
    }

    [Fact]
    public async Task Bulk_reject_asks_for_a_reason_first_and_then_rejects_with_it()
    {
        // Arrange
        var a = await Fixture.IngestAndScreenAsync("fleming-primary", Clear3);
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url("/?state=AwaitingReview"));
        await Page.GetByLabel($"Select: {Clear3}").CheckAsync();

        // Act: no reason yet
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject selected" }).ClickAsync();
        await Assertions.Expect(Page.Locator("#bulk-count")).ToHaveTextAsync("Choose a rejection reason first.");
        await Assertions.Expect(Page.GetByLabel("Rejection reason")).ToBeFocusedAsync();
        await Page.GetByLabel("Rejection reason").SelectOptionAsync("OffTopic");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject selected" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Rejected 1 item(s)" })).ToBeVisibleAsync();
        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == a);
        item.State.Should().Be(ItemState.Rejected);
        item.RejectionReason.Should().Be(RejectionReason.OffTopic);
    }

    private static string ScreenshotPath(string name) => Path.Combine(BrowserFixture.ScreenshotFolders[^1], name + ".png");
}
