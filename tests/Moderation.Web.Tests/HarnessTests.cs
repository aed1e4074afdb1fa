using Microsoft.Playwright;

namespace Moderation.Web.Tests;

/// <summary>The harness itself: the bundled driver starts Debian's Chromium, which reaches the API on its Kestrel port.</summary>
public sealed class HarnessTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task Chromium_shows_the_sign_in_page_and_a_moderator_reaches_the_queue()
    {
        // Act
        await Page.GotoAsync(Url("/"));

        // Assert
        Page.Url.Should().Contain("/signin");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ScreenshotAsync("01-sign-in");
        await SignInAsync("moderator@fleming.example");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
    }
}
