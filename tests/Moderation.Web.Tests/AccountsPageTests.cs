using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Schools;

namespace Moderation.Web.Tests;

/// <summary>An administrator connects the school's blog to the real WordPress (infra/wordpress.sh) from the accounts page.</summary>
public sealed class AccountsPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set: `source infra/env.sh` after infra/wordpress.sh install.");

    [Fact]
    public async Task An_administrator_connects_the_blog_and_a_wrong_password_saves_nothing()
    {
        // Arrange
        var (wpUrl, wpUser, wpPassword) = (Require("WP_URL"), Require("WP_USER"), Require("WP_APP_PASSWORD"));
        await SetBlogAsync(connected: false);
        try
        {
            await SignInAsync("admin@riverside.example");
            await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Accounts" })).ToBeVisibleAsync();
            await Page.GetByRole(AriaRole.Link, new() { Name = "Accounts" }).ClickAsync();
            var blog = Page.GetByRole(AriaRole.Region, new() { Name = "Blog: fleming-blog" });
            await Assertions.Expect(blog.Locator(".state")).ToHaveTextAsync("Not connected");
            await ScreenshotAsync("10-accounts");

            // Act: a wrong application password
            await blog.GetByLabel("Blog address").FillAsync(wpUrl);
            await blog.GetByLabel("WordPress username").FillAsync(wpUser);
            await blog.GetByLabel("Application password").FillAsync("wrong wrong wrong wrong");
            await blog.GetByRole(AriaRole.Button, new() { Name = "Check and connect" }).ClickAsync();

            // Assert: the platform's refusal, nothing stored, and the password not echoed
            blog = Page.GetByRole(AriaRole.Region, new() { Name = "Blog: fleming-blog" });
            await Assertions.Expect(blog.GetByRole(AriaRole.Alert)).ToContainTextAsync("did not accept the connection");
            await Assertions.Expect(blog.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nothing was saved");
            await Assertions.Expect(blog.GetByLabel("Application password")).ToHaveValueAsync("");
            (await Page.ContentAsync()).Should().NotContain("wrong wrong wrong wrong");
            (await BlogAsync()).ProtectedCredentials.Should().BeNull();
            await ScreenshotAsync("11-accounts-refused");

            // Act: the right one
            await blog.GetByLabel("Application password").FillAsync(wpPassword);
            await blog.GetByRole(AriaRole.Button, new() { Name = "Check and connect" }).ClickAsync();

            // Assert
            await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Blog fleming-blog is connected.");
            blog = Page.GetByRole(AriaRole.Region, new() { Name = "Blog: fleming-blog" });
            await Assertions.Expect(blog.Locator(".state")).ToHaveTextAsync("Connected");
            (await Page.ContentAsync()).Should().NotContain(wpPassword);
            await blog.GetByRole(AriaRole.Button, new() { Name = "Test the connection" }).ClickAsync();
            await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("the connection works");
            await ScreenshotAsync("12-accounts-connected");
            (await BlogAsync()).ConnectionStatus.Should().Be(ConnectionStatus.Connected);

            await Page.GetByRole(AriaRole.Region, new() { Name = "Blog: fleming-blog" }).GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();
            await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("disconnected");
            (await BlogAsync()).ProtectedCredentials.Should().BeNull();
        }
        finally
        {
            await SetBlogAsync(connected: false);
        }
    }

    [Fact]
    public async Task A_moderator_has_no_accounts_page_or_link()
    {
        // Act
        await SignInAsync("moderator@fleming.example");
        var response = await Page.GotoAsync(Url("/accounts"));

        // Assert
        Page.Url.Should().NotEndWith("/accounts");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Accounts" })).ToHaveCountAsync(0);
        response.Should().NotBeNull();
    }

    private async Task<SocialAccount> BlogAsync()
    {
        await using var db = Fixture.Db();
        return await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Handle == "fleming-blog");
    }

    /// <summary>Accounts are reference data, kept between tests: the blog starts and ends unconnected, so nothing polls it.</summary>
    private async Task SetBlogAsync(bool connected)
    {
        await using var db = Fixture.Db();
        var blog = await db.SocialAccounts.SingleAsync(a => a.Handle == "fleming-blog");
        blog.ProtectedCredentials = null;
        blog.ConnectionStatus = connected ? ConnectionStatus.Connected : ConnectionStatus.NotConnected;
        blog.ApiBaseUrl = null;
        blog.ConnectedAt = null;
        blog.CircuitState = null;
        await db.SaveChangesAsync();
    }
}
