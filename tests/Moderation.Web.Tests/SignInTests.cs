using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Testing;

namespace Moderation.Web.Tests;

/// <summary>ADR 0505 in the browser: two-step sign-in, setting it up, the lockout, and the school switcher.</summary>
public sealed class SignInTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private Task<string> NewStaffAsync(string? key) =>
        StaffAccounts.CreateAsync(Fixture.Factory.Services, Roles.Moderator, [Fixture.Schools["fleming-primary"]], key);

    private async Task PasswordAsync(string email)
    {
        await Page.GotoAsync(Url("/signin"));
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(BrowserFixture.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
    }

    private async Task CodeAsync(string code)
    {
        await Page.GetByLabel("6-digit code").FillAsync(code);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task A_moderator_signs_in_with_the_password_then_the_code_from_the_app()
    {
        // Arrange
        await Page.GotoAsync(Url("/"));
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await ScreenshotAsync("30-sign-in-password");

        // Act: the password
        await PasswordAsync("moderator@fleming.example");

        // Assert: the code step
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Enter your code" })).ToBeVisibleAsync();
        await ScreenshotAsync("31-sign-in-code");

        // Act: a wrong code, then the right one
        await CodeAsync(Totp.WrongCode(Totp.DemoKey));
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That code did not work");
        await ScreenshotAsync("32-sign-in-wrong-code");
        await CodeAsync(Totp.Code(Totp.DemoKey));

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Two-step sign-in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task New_staff_set_up_two_step_sign_in_before_anything_else_and_see_their_recovery_codes_once()
    {
        // Arrange
        var email = await NewStaffAsync(key: null);

        // Act: the password alone leads to set-up, and nothing else opens
        await PasswordAsync(email);
        await Page.WaitForURLAsync(u => u.EndsWith("/account/two-step", StringComparison.Ordinal));
        await Page.GotoAsync(Url("/"));

        // Assert
        Page.Url.Should().EndWith("/account/two-step");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Two-step sign-in", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Queue" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("figure.qr svg")).ToBeVisibleAsync();
        var key = (await Page.GetByTestId("shared-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);
        key.Should().MatchRegex("^[A-Z2-7]{32}$");
        await ScreenshotAsync("33-two-step-set-up");

        // Act: a wrong first code, then the right one
        await Page.GetByLabel("Type the 6-digit code").FillAsync(Totp.WrongCode(key));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check the code and turn on" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That code did not work");
        await Page.GetByLabel("Type the 6-digit code").FillAsync(Totp.Code(key));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check the code and turn on" }).ClickAsync();

        // Assert: the recovery codes, once
        var codes = Page.GetByRole(AriaRole.Region, new() { Name = "Your recovery codes" }).GetByRole(AriaRole.Listitem);
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Two-step sign-in is on");
        await ScreenshotAsync("34-two-step-recovery-codes");
        await Page.GetByRole(AriaRole.Link, new() { Name = "I have saved them" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = "Two-step sign-in" }).ClickAsync();
        await Assertions.Expect(Page.GetByText("You have 10 recovery codes left")).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Your recovery codes" })).ToHaveCountAsync(0);
        await ScreenshotAsync("35-two-step-on");
    }

    [Fact]
    public async Task Five_wrong_codes_lock_the_account_with_a_message_that_says_for_how_long()
    {
        // Arrange
        var email = await NewStaffAsync(Totp.DemoKey);
        await PasswordAsync(email);

        // Act
        for (var i = 0; i < 5; i++)
        {
            await CodeAsync(Totp.WrongCode(Totp.DemoKey));
        }

        // Assert: locked, and the right code does not help now
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked for 15 minutes");
        await CodeAsync(Totp.Code(Totp.DemoKey));
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked for 15 minutes");
        Page.Url.Should().Contain("/signin/code");
        await ScreenshotAsync("36-locked-out");
    }

    [Fact]
    public async Task A_trust_administrator_switches_school_and_someone_with_one_school_has_no_switcher()
    {
        // Arrange
        await Fixture.IngestAndScreenAsync("fleming-primary", "Is the Fleming disco on Friday?");
        await Fixture.IngestAndScreenAsync("st-marys-ce", "Is the St Mary's harvest festival open to grandparents?");
        await SignInAsync("admin@riverside.example");
        var switcher = Page.GetByLabel("Working for");
        await Assertions.Expect(switcher).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("tr[data-queue-item]")).ToHaveCountAsync(2);

        // Act
        await switcher.SelectOptionAsync(new SelectOptionValue { Label = "St Mary's CE Primary School" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();

        // Assert: the queue is St Mary's alone, and the switcher says so
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are now working for St Mary's CE Primary School.");
        await Assertions.Expect(Page.Locator("tr[data-queue-item]")).ToHaveCountAsync(1);
        await Assertions.Expect(Page.Locator("tr[data-queue-item]")).ToContainTextAsync("harvest festival");
        await Assertions.Expect(Page.GetByLabel("Working for").Locator("option:checked")).ToHaveTextAsync("St Mary's CE Primary School");
        await ScreenshotAsync("37-school-switcher");

        // At phone width the header, switcher included, still fits
        await Page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync("38-school-switcher-phone");
        var wide = await Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className)");
        wide.Should().BeEmpty("the page must not scroll sideways at phone width");
        await Page.SetViewportSizeAsync(1280, 900);

        // Act: back to all schools
        await Page.GetByLabel("Working for").SelectOptionAsync(new SelectOptionValue { Label = "All my schools" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Switch" }).ClickAsync();
        await Assertions.Expect(Page.Locator("tr[data-queue-item]")).ToHaveCountAsync(2);

        // A moderator of one school sees no switcher
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Page.WaitForURLAsync(u => u.Contains("/signin", StringComparison.Ordinal));
        await SignInAsync("moderator@fleming.example");
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Queue", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByLabel("Working for")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_form_on_another_site_cannot_approve_or_claim_with_the_signed_in_moderators_browser()
    {
        // Arrange: a signed-in moderator, and an item awaiting review
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Please approve me from elsewhere");
        await SignInAsync("moderator@fleming.example");

        // Act: another site's page (served by Playwright's routing as http://attacker.test) submits forms to the app in
        // the same browser
        foreach (var action in new[] { $"/items/{itemId}?handler=Approve", $"/api/items/{itemId}/claim" })
        {
            var html = $"<!DOCTYPE html><form method=\"post\" action=\"{Url(action)}\"><input name=\"text\" value=\"forged\"></form>";
            await Page.RouteAsync("http://attacker.test/**", route => route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = html }));
            await Page.GotoAsync("http://attacker.test/win-a-prize");
            var response = await Page.RunAndWaitForResponseAsync(
                () => Page.EvaluateAsync("document.forms[0].submit()"),
                r => r.Request.Method == "POST" && r.Url.StartsWith(Url(action.Split('?')[0]), StringComparison.Ordinal));

            // Assert: the browser sent no session cookie (SameSite=Strict), so the app saw an anonymous request:
            // the page sends it to sign in, the API answers 401
            (await response.Request.AllHeadersAsync()).Should().NotContainKey("cookie");
            response.Status.Should().BeOneOf(302, 401);
            await Page.UnrouteAllAsync();
        }

        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
        item.State.Should().Be(ItemState.AwaitingReview);
        item.ClaimedById.Should().BeNull();
    }
}
