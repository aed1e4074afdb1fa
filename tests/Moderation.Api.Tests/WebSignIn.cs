using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>Cookie sign-in through the sign-in page, for tests of the server-rendered pages.</summary>
public static partial class WebSignIn
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiForgery();

    public static string TokenIn(string html) => AntiForgery().Match(html).Groups[1].Value;

    /// <summary>A host on a fake clock whose sign-in cookie still keeps real time (as <see cref="ApiFixture.WithClock"/> does for tokens).</summary>
    public static WebApplicationFactory<Program> WithRealCookieClock(this WebApplicationFactory<Program> factory) =>
        factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.PostConfigureAll<CookieAuthenticationOptions>(o => o.TimeProvider = TimeProvider.System)));

    /// <summary>Signs in through both pages (password, then the authenticator code) and returns the cookie client.</summary>
    public static async Task<HttpClient> SignedInAsync(WebApplicationFactory<Program> factory, string email, string authenticatorKey = Totp.DemoKey)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/signin");
        using (var password = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = ApiFixture.Password,
            ["__RequestVerificationToken"] = TokenIn(form),
        })))
        {
            if (password.Headers.Location?.ToString().Contains("/signin/code", StringComparison.OrdinalIgnoreCase) != true)
            {
                throw new InvalidOperationException($"Sign-in as {email} did not ask for a code: {(int)password.StatusCode} {password.Headers.Location}");
            }
        }

        var codeForm = await client.GetStringAsync("/signin/code");
        using var code = await client.PostAsync("/signin/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = Totp.Code(authenticatorKey),
            ["__RequestVerificationToken"] = TokenIn(codeForm),
        }));
        if (code.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"The code for {email} was refused: {(int)code.StatusCode} {await code.Content.ReadAsStringAsync()}");
        }

        return client;
    }
}
