using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Testing;
using Moderation.Worker;

namespace Moderation.Web.Tests;

/// <summary>
/// The API on a real Kestrel port (a browser cannot reach the in-memory test server), the worker beside it, and
/// Debian's Chromium driven by Playwright's bundled node driver. Playwright cannot download a browser here, so it is
/// launched from /usr/bin/chromium with the flags of FIXTURES.md "A real browser".
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string Password = "Demo-Passw0rd!";
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>FIXTURES.md: without the background-networking flags Chromium keeps trying to reach the closed internet.</summary>
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IHost? _worker;
    private IPlaywright? _playwright;
    private string? _userDataDir;

    public TestEnvironment Env { get; } = new("moderation_web_tests");
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public Dictionary<string, Guid> Schools { get; } = new(StringComparer.Ordinal);
    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>The API's address, for example http://127.0.0.1:40123.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Where screenshots go: beside the test binaries, and at a stable place in the repository (artifacts/screenshots).</summary>
    public static IReadOnlyList<string> ScreenshotFolders { get; } =
    [
        Path.Combine(AppContext.BaseDirectory, "screenshots"),
        Path.Combine(RepoPaths.Root, "artifacts", "screenshots"),
    ];

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: `apt-get install -y chromium` (infra/test.sh installs it).");
        }

        await Env.CreateAsync();
        Environment.SetEnvironmentVariable("Notifications__PublicBaseUrl", "http://moderation.test");
        Factory = new WebApplicationFactory<Program>();
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');

        foreach (var (slug, id) in await DemoData.SeedAsync(Factory.Services))
        {
            Schools[slug] = id;
        }

        _worker = WorkerHost.CreateBuilder([]).Build();
        await _worker.StartAsync();

        foreach (var folder in ScreenshotFolders)
        {
            Directory.CreateDirectory(folder);
        }

        _playwright = await Playwright.CreateAsync();
        _userDataDir = Directory.CreateTempSubdirectory("moderation-chromium-").FullName;
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_userDataDir, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        Browser.SetDefaultTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }

        await Factory.DisposeAsync();
        if (_userDataDir is not null)
        {
            try { Directory.Delete(_userDataDir, recursive: true); } catch (IOException) { }
        }
    }

    public async Task ResetAsync()
    {
        await Env.ResetMutableTablesAsync();
        await Browser.ClearCookiesAsync();
        foreach (var page in Browser.Pages.ToList())
        {
            await page.CloseAsync();
        }
    }

    public ModerationDbContext Db() => Env.CreateDbContext();

    /// <summary>Ingests an inbound comment as a connector would, and waits until screening and routing are done.</summary>
    public Task<Guid> IngestAndScreenAsync(string schoolSlug, string text) =>
        DemoData.IngestAndScreenAsync(Factory.Services, Env, Schools[schoolSlug], text);
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>Every browser test starts from empty items and audit, signed out, with a new page.</summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    protected BrowserFixture Fixture { get; } = fixture;

    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Fixture.ResetAsync();
        Page = await Fixture.Browser.NewPageAsync();
    }

    public Task DisposeAsync() => Page.CloseAsync();

    protected string Url(string path) => Fixture.BaseUrl + path;

    /// <summary>Signs in in two steps: the password, then the code the demo key gives now (ADR 0505).</summary>
    protected async Task SignInAsync(string email, string authenticatorKey = Totp.DemoKey)
    {
        await Page.GotoAsync(Url("/signin"));
        await Page.GetByLabel("Email").FillAsync(email);
        await Page.GetByLabel("Password").FillAsync(BrowserFixture.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Page.WaitForURLAsync(u => u.Contains("/signin/code", StringComparison.OrdinalIgnoreCase));
        await Page.GetByLabel("6-digit code").FillAsync(Totp.Code(authenticatorKey));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            // Longer than the default: the first page after signing in can be slow on a busy CI machine.
            await Page.WaitForURLAsync(u => !u.Contains("/signin", StringComparison.OrdinalIgnoreCase), new() { Timeout = 30_000 });
        }
        catch (TimeoutException ex)
        {
            // Say where the browser is and what the page says, so that a failure here shows whether the code was refused.
            var said = await Page.GetByRole(AriaRole.Alert).AllInnerTextsAsync();
            throw new TimeoutException(
                $"Signing in as {email} did not leave the sign-in pages within 30 s: the browser is at {Page.Url}, and the page says: " +
                (said.Count == 0 ? "(no message)" : string.Join(" | ", said)), ex);
        }
    }

    /// <summary>Saves a full-page screenshot named <paramref name="name"/>.png in each screenshot folder.</summary>
    protected async Task ScreenshotAsync(string name)
    {
        var bytes = await Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        foreach (var folder in BrowserFixture.ScreenshotFolders)
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, name + ".png"), bytes);
        }
    }
}
