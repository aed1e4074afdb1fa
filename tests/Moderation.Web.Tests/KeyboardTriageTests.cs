using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Items;

namespace Moderation.Web.Tests;

/// <summary>A moderator triaging by keyboard: j and k through the queue, Enter to open, a to approve, ? for help.</summary>
public sealed class KeyboardTriageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_moderator_moves_through_the_queue_with_j_and_k_and_approves_with_a()
    {
        // Arrange
        var first = await Fixture.IngestAndScreenAsync("fleming-primary", "Lovely photos from sports day, well done everyone!");
        var second = await Fixture.IngestAndScreenAsync("fleming-primary", "What time does the summer fair start on Saturday?");
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url("/?state=AwaitingReview&platform=Facebook"));
        var rows = Page.Locator("tr[data-queue-item]");
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        // Act: j selects the first row, j the second, k back to the first
        await Page.Keyboard.PressAsync("j");
        await Page.Keyboard.PressAsync("j");
        await Assertions.Expect(rows.Nth(1)).ToHaveAttributeAsync("aria-current", "true");
        await Page.Keyboard.PressAsync("k");
        await Assertions.Expect(rows.Nth(0)).ToHaveAttributeAsync("aria-current", "true");
        await Assertions.Expect(rows.Nth(1)).Not.ToHaveAttributeAsync("aria-current", "true");

        // ? shows the help; Escape closes it
        await Page.Keyboard.PressAsync("?");
        var help = Page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" });
        await Assertions.Expect(help).ToBeVisibleAsync();
        await ScreenshotAsync("03-shortcut-help");
        await Page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(help).Not.ToBeVisibleAsync();
        await ScreenshotAsync("02-queue");

        // Enter opens the selected item
        var selected = await rows.Nth(0).GetAttributeAsync("data-queue-item");
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync($"**/items/{selected}");
        await ScreenshotAsync("04-item");

        // j on the item page moves to the next item in the queue's order, k back
        await Page.Keyboard.PressAsync("j");
        var other = selected == first.ToString() ? second : first;
        await Page.WaitForURLAsync($"**/items/{other}");
        await Page.Keyboard.PressAsync("k");
        await Page.WaitForURLAsync($"**/items/{selected}");

        // r focuses the rejection reason; a typed into a field is not a shortcut
        await Page.Keyboard.PressAsync("r");
        await Assertions.Expect(Page.GetByLabel("Reason")).ToBeFocusedAsync();
        await Page.GetByLabel("Note").FocusAsync();
        await Page.Keyboard.TypeAsync("a");
        await Assertions.Expect(Page.GetByLabel("Note")).ToHaveValueAsync("a");
        await Page.GetByLabel("Note").FillAsync("");
        await Page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
        await Page.Keyboard.PressAsync("a");

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Approved.");
        await Assertions.Expect(Page.Locator(".item-head .state")).ToHaveTextAsync("Approved");
        await ScreenshotAsync("05-item-approved");
        await using var db = Fixture.Db();
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == Guid.Parse(selected!))).State.Should().Be(ItemState.Approved);
    }

    [Fact]
    public async Task At_phone_width_the_queue_fits_the_screen()
    {
        // Arrange
        await Fixture.IngestAndScreenAsync("fleming-primary", "Is the school closed on Friday for the inset day?");
        await Page.SetViewportSizeAsync(390, 844);
        await SignInAsync("moderator@fleming.example");

        // Act
        await Page.GotoAsync(Url("/"));
        var overflow = await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
        await ScreenshotAsync("06-queue-phone");

        // Assert
        overflow.Should().BeFalse("the queue must not scroll sideways at phone width");
    }
}
