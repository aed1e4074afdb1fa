using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

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

    public static async Task<HttpClient> SignedInAsync(WebApplicationFactory<Program> factory, string email)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/signin");
        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = ApiFixture.Password,
            ["__RequestVerificationToken"] = TokenIn(form),
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }
}
