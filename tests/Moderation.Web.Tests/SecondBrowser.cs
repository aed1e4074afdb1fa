using Microsoft.Playwright;

namespace Moderation.Web.Tests;

/// <summary>
/// A second Chromium, for a second person at the same time (presence, live updates). It is signed in by copying the
/// cookies of a sign-in done through the fixture's own helper, so it signs in exactly as every other test does.
/// </summary>
public sealed class SecondBrowser : IAsyncDisposable
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public IBrowserContext Context { get; private set; } = null!;

    public static async Task<SecondBrowser> LaunchAsync()
    {
        var second = new SecondBrowser { _playwright = await Playwright.CreateAsync() };
        second._browser = await second._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFixture.ChromiumPath,
            Headless = true,
            Args = BrowserFixture.ChromiumArgs,
        });
        second.Context = await second._browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        second.Context.SetDefaultTimeout(15_000);
        return second;
    }

    /// <summary>Takes over the sign-in cookies of <paramref name="from"/>, which then forgets them.</summary>
    public async Task TakeSignInFromAsync(IBrowserContext from)
    {
        var cookies = await from.CookiesAsync();
        await Context.AddCookiesAsync(cookies.Select(c => new Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Domain = c.Domain,
            Path = c.Path,
            Expires = c.Expires,
            HttpOnly = c.HttpOnly,
            Secure = c.Secure,
            SameSite = c.SameSite,
        }));
        await from.ClearCookiesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
