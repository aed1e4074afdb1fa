using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>ADR 0505: two-step sign-in, lockout, cookies, headers and anti-forgery, over HTTP.</summary>
public sealed partial class SignInSecurityTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string SessionCookie = ".AspNetCore.Identity.Application";

    [GeneratedRegex("<meta name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();

    private HttpClient Browser(string baseAddress = "http://localhost") =>
        Fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri(baseAddress) });

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string formPage, string action, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(formPage);
        fields["__RequestVerificationToken"] = ApiFixture.AntiForgeryTokenIn(html);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private static Task<HttpResponseMessage> PasswordAsync(HttpClient client, string email, string password = ApiFixture.Password) =>
        PostFormAsync(client, "/signin", "/signin", new() { ["Email"] = email, ["Password"] = password });

    private static Task<HttpResponseMessage> CodeAsync(HttpClient client, string code, bool recovery = false) =>
        PostFormAsync(client, "/signin/code", recovery ? "/signin/code?handler=Recovery" : "/signin/code", new() { ["Code"] = code });

    private Task<string> NewStaffAsync(string? key, string role = Roles.Moderator) =>
        StaffAccounts.CreateAsync(Fixture.Factory.Services, role, [Fixture.Schools["fleming-primary"]], key);

    [Fact]
    public async Task The_password_alone_does_not_sign_in_the_code_does()
    {
        using var client = Browser();

        using var password = await PasswordAsync(client, "moderator@fleming.example");
        password.StatusCode.Should().Be(HttpStatusCode.Redirect);
        password.Headers.Location!.ToString().Should().StartWith("/signin/code");
        using (var queue = await client.GetAsync("/"))
        {
            queue.StatusCode.Should().Be(HttpStatusCode.Redirect);
            queue.Headers.Location!.ToString().Should().Contain("/signin");
        }

        using var code = await CodeAsync(client, Totp.Code(Totp.DemoKey));
        code.StatusCode.Should().Be(HttpStatusCode.Redirect);
        using var after = await client.GetAsync("/");
        after.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_code_page_without_a_password_first_goes_back_to_sign_in()
    {
        using var client = Browser();
        using var response = await client.GetAsync("/signin/code");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().StartWith("/signin");
        response.Headers.Location!.ToString().Should().NotContain("/signin/code");
    }

    [Fact]
    public async Task Five_wrong_codes_lock_the_account_and_then_even_the_right_code_is_refused()
    {
        var email = await NewStaffAsync(Totp.DemoKey);
        using var client = Browser();
        (await PasswordAsync(client, email)).Dispose();

        for (var i = 0; i < 4; i++)
        {
            using var wrong = await CodeAsync(client, Totp.WrongCode(Totp.DemoKey));
            (await wrong.Content.ReadAsStringAsync()).Should().Contain("That code did not work");
        }

        using var fifth = await CodeAsync(client, Totp.WrongCode(Totp.DemoKey));
        using var right = await CodeAsync(client, Totp.Code(Totp.DemoKey));

        (await fifth.Content.ReadAsStringAsync()).Should().Contain("locked for 15 minutes");
        right.StatusCode.Should().Be(HttpStatusCode.OK);
        (await right.Content.ReadAsStringAsync()).Should().Contain("locked for 15 minutes");
        await using var db = Fixture.Db();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        user.LockoutEnd.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(14));
        using var password = Browser();
        using var again = await PasswordAsync(password, email);
        (await again.Content.ReadAsStringAsync()).Should().Contain("locked for 15 minutes");
    }

    [Fact]
    public async Task Lockout_is_five_attempts_for_fifteen_minutes_and_on_for_new_users()
    {
        var options = Fixture.Factory.Services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        options.Lockout.MaxFailedAccessAttempts.Should().Be(5);
        options.Lockout.DefaultLockoutTimeSpan.Should().Be(TimeSpan.FromMinutes(15));
        options.Lockout.AllowedForNewUsers.Should().BeTrue();
    }

    [Fact]
    public async Task Wrong_recovery_codes_count_towards_the_lockout_and_a_right_one_works_once()
    {
        var email = await NewStaffAsync(Totp.DemoKey);
        string[] codes;
        using (var scope = Fixture.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            codes = [.. (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))!];
        }

        using var client = Browser();
        (await PasswordAsync(client, email)).Dispose();
        using var wrong = await CodeAsync(client, "AAAAA-BBBBB", recovery: true);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("That recovery code did not work");
        await using (var db = Fixture.Db())
        {
            (await db.Users.AsNoTracking().SingleAsync(u => u.Email == email)).AccessFailedCount.Should().Be(1);
        }

        using var right = await CodeAsync(client, codes[0].ToLowerInvariant().Replace("-", "", StringComparison.Ordinal), recovery: true); // as someone might type it
        right.StatusCode.Should().Be(HttpStatusCode.Redirect);

        using var second = Browser();
        (await PasswordAsync(second, email)).Dispose();
        using var reused = await CodeAsync(second, codes[0], recovery: true);
        (await reused.Content.ReadAsStringAsync()).Should().Contain("That recovery code did not work");
    }

    [Fact]
    public async Task Someone_without_two_step_sign_in_is_sent_to_set_it_up_and_can_do_nothing_else()
    {
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Claim me?");
        var email = await NewStaffAsync(key: null);
        using var client = Browser();

        using var password = await PasswordAsync(client, email);
        using var queue = await client.GetAsync("/");
        using var item = await client.GetAsync($"/items/{itemId}");
        using var api = await client.GetAsync("/api/me");
        using var setUp = await client.GetAsync("/account/two-step");

        password.Headers.Location!.ToString().Should().Be("/account/two-step");
        queue.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        queue.Headers.Location!.ToString().Should().Be("/account/two-step");
        item.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        api.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await api.Content.ReadAsStringAsync()).Should().Contain("Two-step sign-in is required");
        setUp.StatusCode.Should().Be(HttpStatusCode.OK);
        (await setUp.Content.ReadAsStringAsync()).Should().Contain("otpauth://totp/").And.Contain("<svg");
    }

    [Fact]
    public async Task Set_up_checks_a_first_code_shows_recovery_codes_once_and_then_the_pages_open()
    {
        var email = await NewStaffAsync(key: null);
        using var client = Browser();
        (await PasswordAsync(client, email)).Dispose();
        var page = await client.GetStringAsync("/account/two-step");
        var key = Regex.Match(page, "data-testid=\"shared-key\">([A-Z2-7 ]+)<").Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
        key.Should().HaveLength(32);
        Regex.Match(page, "secret=([A-Z2-7]+)&amp;issuer=").Groups[1].Value.Should().Be(key);

        using var wrong = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=Enable", new() { ["Code"] = Totp.WrongCode(key) });
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("That code did not work");
        await using (var db = Fixture.Db())
        {
            (await db.Users.AsNoTracking().SingleAsync(u => u.Email == email)).TwoFactorEnabled.Should().BeFalse();
        }

        using var right = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=Enable", new() { ["Code"] = Totp.Code(key) });
        var shown = await right.Content.ReadAsStringAsync();
        Regex.Matches(shown, "<li><code>[a-zA-Z0-9-]+</code></li>").Should().HaveCount(10);
        using var queue = await client.GetAsync("/");
        queue.StatusCode.Should().Be(HttpStatusCode.OK);
        var later = await client.GetStringAsync("/account/two-step");
        later.Should().Contain("Two-step sign-in is on").And.Contain("10 recovery codes left");
        Regex.Matches(later, "<li><code>").Should().BeEmpty("recovery codes are shown once");

        // Signing in again now needs the code from the new key.
        using var next = Browser();
        (await PasswordAsync(next, email)).Headers.Location!.ToString().Should().StartWith("/signin/code");
        (await CodeAsync(next, Totp.Code(key))).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Turning_two_step_off_needs_a_code_and_then_requires_setting_it_up_again_with_a_new_key()
    {
        var email = await NewStaffAsync(Totp.DemoKey);
        using var client = await Fixture.CookieClientAsync(email);

        using var wrong = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=Disable", new() { ["Code"] = Totp.WrongCode(Totp.DemoKey) });
        (await wrong.Content.ReadAsStringAsync()).Should().Contain("still on");
        using var right = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=Disable", new() { ["Code"] = Totp.Code(Totp.DemoKey) });
        using var queue = await client.GetAsync("/");
        var setUp = await client.GetStringAsync("/account/two-step");

        right.StatusCode.Should().Be(HttpStatusCode.Redirect);
        queue.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        setUp.Should().Contain("otpauth://totp/").And.NotContain("secret=" + Totp.DemoKey);
    }

    [Fact]
    public async Task New_recovery_codes_replace_the_old_ones()
    {
        var email = await NewStaffAsync(Totp.DemoKey);
        using var client = await Fixture.CookieClientAsync(email);
        using var first = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=RecoveryCodes", new() { ["Code"] = Totp.Code(Totp.DemoKey) });
        var oldCode = Regex.Match(await first.Content.ReadAsStringAsync(), "<li><code>([a-zA-Z0-9-]+)</code></li>").Groups[1].Value;
        using var second = await PostFormAsync(client, "/account/two-step", "/account/two-step?handler=RecoveryCodes", new() { ["Code"] = Totp.Code(Totp.DemoKey) });
        (await second.Content.ReadAsStringAsync()).Should().Contain("The old ones no longer work").And.NotContain(oldCode);

        using var other = Browser();
        (await PasswordAsync(other, email)).Dispose();
        using var refused = await CodeAsync(other, oldCode, recovery: true);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("That recovery code did not work");
    }

    [Fact]
    public async Task The_api_gives_a_token_only_with_the_code_and_never_to_someone_without_two_step_sign_in()
    {
        using var client = Fixture.Anonymous();
        var unenrolled = await NewStaffAsync(key: null);

        using var noCode = await client.PostAsJsonAsync("/api/auth/login", new { email = "moderator@fleming.example", password = ApiFixture.Password });
        using var wrongCode = await client.PostAsJsonAsync("/api/auth/login", new { email = "moderator@fleming.example", password = ApiFixture.Password, twoFactorCode = Totp.WrongCode(Totp.DemoKey) });
        using var withCode = await client.PostAsJsonAsync("/api/auth/login", new { email = "moderator@fleming.example", password = ApiFixture.Password, twoFactorCode = Totp.Code(Totp.DemoKey) });
        using var notSetUp = await client.PostAsJsonAsync("/api/auth/login", new { email = unenrolled, password = ApiFixture.Password });

        noCode.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await noCode.Content.ReadAsStringAsync()).Should().Contain("two-factor code is required");
        wrongCode.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        withCode.StatusCode.Should().Be(HttpStatusCode.OK);
        (await withCode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString().Should().NotBeNullOrEmpty();
        notSetUp.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await notSetUp.Content.ReadAsStringAsync()).Should().Contain("not set up").And.NotContain("accessToken");
        await using var db = Fixture.Db();
        (await db.Users.AsNoTracking().SingleAsync(u => u.Email == "moderator@fleming.example")).AccessFailedCount.Should().Be(0, "the right code clears the failed attempt");
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        using var client = Browser();
        using var signIn = await client.GetAsync("/signin");
        using var css = await client.GetAsync("/site.css");
        using var api = await client.GetAsync("/api/me");

        foreach (var response in new[] { signIn, css, api })
        {
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            csp.Should().Contain("frame-ancestors 'none'").And.Contain("script-src 'self'").And.Contain("object-src 'none'").And.NotContain("unsafe-inline");
            response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
            response.Headers.GetValues("Referrer-Policy").Should().Equal("same-origin");
            response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        }

        (await signIn.Content.ReadAsStringAsync()).Should().NotContain("<script>", "no inline script");
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_same_site_strict_and_secure_over_https()
    {
        using var http = Browser("http://localhost");
        using var https = Browser("https://localhost");
        (await PasswordAsync(http, "moderator@fleming.example")).Dispose();
        (await PasswordAsync(https, "moderator@fleming.example")).Dispose();
        using var overHttp = await CodeAsync(http, Totp.Code(Totp.DemoKey));
        using var overHttps = await CodeAsync(https, Totp.Code(Totp.DemoKey));

        var plain = overHttp.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal)).ToLowerInvariant();
        var secure = overHttps.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal)).ToLowerInvariant();
        plain.Should().Contain("httponly").And.Contain("samesite=strict").And.NotContain("secure;").And.NotContain("expires=", "a session cookie ends with the browser");
        secure.Should().Contain("httponly").And.Contain("samesite=strict").And.Contain("secure");
        var options = Fixture.Factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        options.ExpireTimeSpan.Should().Be(TimeSpan.FromMinutes(60));
        options.SlidingExpiration.Should().BeTrue();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_even_for_a_copy_of_the_cookie()
    {
        using var client = Browser();
        (await PasswordAsync(client, "moderator2@fleming.example")).Dispose();
        using var code = await CodeAsync(client, Totp.Code(Totp.DemoKey));
        var setCookie = code.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SessionCookie + "=", StringComparison.Ordinal));
        using var copy = Browser();
        copy.DefaultRequestHeaders.Add("Cookie", setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)]);
        (await copy.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK, "the copy works while the session lasts");
        var page = await client.GetStringAsync("/");

        using var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = ApiFixture.AntiForgeryTokenIn(page),
        }));
        using var replay = await copy.GetAsync("/");

        signOut.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signOut.Headers.Location!.ToString().Should().Be("/signin");
        replay.StatusCode.Should().Be(HttpStatusCode.Redirect);
        replay.Headers.Location!.ToString().Should().Contain("/signin");
    }

    [Fact]
    public async Task A_cross_site_form_post_without_a_token_is_refused_on_pages_and_cookie_api_calls()
    {
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Forged claim?");
        using var client = await Fixture.CookieClientAsync("moderator@fleming.example");
        var page = await client.GetStringAsync($"/items/{itemId}");

        // What a forged form on another site sends: the browser's cookie, a form body, no token.
        using var forgedPage = await client.PostAsync($"/items/{itemId}?handler=Approve", new FormUrlEncodedContent(new Dictionary<string, string> { ["text"] = "x" }));
        using var forgedApi = await client.PostAsync($"/api/items/{itemId}/claim", new FormUrlEncodedContent(new Dictionary<string, string>()));
        using var forgedSwitch = await client.PostAsync("/school", new FormUrlEncodedContent(new Dictionary<string, string> { ["school"] = "" }));
        using var forgedSignOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        forgedPage.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        forgedApi.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await forgedApi.Content.ReadAsStringAsync()).Should().Contain("Anti-forgery token missing or invalid");
        forgedSwitch.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        forgedSignOut.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await using (var db = Fixture.Db())
        {
            var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
            item.State.Should().Be(ItemState.AwaitingReview);
            item.ClaimedById.Should().BeNull();
        }

        // The page's own script sends the token from the layout's meta tag: that call goes through.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/items/{itemId}/claim");
        request.Headers.Add("RequestVerificationToken", MetaToken().Match(page).Groups[1].Value);
        using var withToken = await client.SendAsync(request);
        withToken.IsSuccessStatusCode.Should().BeTrue(await withToken.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_bearer_token_call_needs_no_anti_forgery_token()
    {
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Bearer claim");
        using var client = await Fixture.As("moderator@fleming.example");
        using var claim = await client.PostAsync($"/api/items/{itemId}/claim", null);
        claim.IsSuccessStatusCode.Should().BeTrue(await claim.Content.ReadAsStringAsync());
    }
}
