using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;
using Moderation.Testing;
using Moderation.Worker;

namespace Moderation.Api.Tests;

/// <summary>
/// The API in-process and the real worker beside it, on their own database and vhost. Schools and users come from
/// seeds/demo.json once; items, audit and messages are emptied before each test.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public const string Password = "Demo-Passw0rd!";

    /// <summary>The Meta app the webhook tests sign bodies as, and the token of its subscription check.</summary>
    public const string MetaAppSecret = "test-meta-app-secret";
    public const string MetaVerifyToken = "test-meta-verify-token";
    public const int WebhookMaxBodyBytes = 64 * 1024;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private IHost? _worker;

    public TestEnvironment Env { get; } = new("moderation_api_tests");
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public Dictionary<string, Guid> Schools { get; } = new(StringComparer.Ordinal);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>The SMTP server and webhook endpoint the worker sends notifications to.</summary>
    public SmtpSink Smtp { get; } = new();
    public WebhookSink Webhook { get; } = new();

    public async Task InitializeAsync()
    {
        await Env.CreateAsync();
        Environment.SetEnvironmentVariable("Notifications__PublicBaseUrl", "http://moderation.test");
        Environment.SetEnvironmentVariable("Notifications__Smtp__Host", "127.0.0.1");
        Environment.SetEnvironmentVariable("Notifications__Smtp__Port", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("Notifications__Smtp__Security", "None");
        Environment.SetEnvironmentVariable("Notifications__RetryIntervals__0", "00:00:00.100");
        Environment.SetEnvironmentVariable("Notifications__RetryIntervals__1", "00:00:00.200");
        Environment.SetEnvironmentVariable("Platforms__Meta__AppSecret", MetaAppSecret);
        Environment.SetEnvironmentVariable("Platforms__Meta__VerifyToken", MetaVerifyToken);
        Environment.SetEnvironmentVariable("Platforms__WebhookMaxBodyBytes", WebhookMaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Factory = new WebApplicationFactory<Program>();
        _ = Factory.Server; // starts the API and applies migrations
        foreach (var (slug, id) in await DemoData.SeedAsync(Factory.Services))
        {
            Schools[slug] = id;
        }

        _worker = WorkerHost.CreateBuilder([]).Build();
        await _worker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }

        await Factory.DisposeAsync();
        await Smtp.DisposeAsync();
        await Webhook.DisposeAsync();
    }

    public async Task ResetAsync()
    {
        await Env.ResetMutableTablesAsync();
        Smtp.Messages.Clear();
        Smtp.Refuse = false;
        Webhook.Bodies.Clear();
        Webhook.Answer = System.Net.HttpStatusCode.OK;
    }

    public HttpClient Anonymous() => Factory.CreateClient();

    /// <summary>
    /// A browser-like client signed in to the web pages with the cookie, through both sign-in steps (ADR 0505). It
    /// follows no redirects, so a test sees each answer as it is.
    /// </summary>
    public Task<HttpClient> CookieClientAsync(string email, string authenticatorKey = Totp.DemoKey) =>
        WebSignIn.SignedInAsync(Factory, email, authenticatorKey);

    /// <summary>The anti-forgery token of the first form in <paramref name="html"/>.</summary>
    public static string AntiForgeryTokenIn(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;

    public async Task<HttpClient> As(string email)
    {
        if (!_tokens.TryGetValue(email, out var token))
        {
            using var anonymous = Anonymous();
            using var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { email, password = Password, twoFactorCode = Totp.Code(Totp.DemoKey) });
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            token = body.GetProperty("accessToken").GetString()!;
            _tokens[email] = token;
        }

        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// A client signed in on <paramref name="factory"/>, for a host with services of its own (a fake clock): its token
    /// is issued and checked by that host's clock.
    /// </summary>
    public static async Task<HttpClient> SignInAsync(WebApplicationFactory<Program> factory, string email)
    {
        var client = factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password, twoFactorCode = Totp.Code(Totp.DemoKey) });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Sign-in as {email} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>
    /// The API with <paramref name="clock"/> as its <see cref="TimeProvider"/>. Sign-in tokens keep real time, because
    /// the bearer handler would otherwise issue a token by one clock and check it by the other.
    /// </summary>
    public WebApplicationFactory<Program> WithClock(TimeProvider clock) =>
        Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton(clock);
            s.PostConfigureAll<BearerTokenOptions>(o => o.TimeProvider = TimeProvider.System);
        }));

    /// <summary>Puts back the demo rotas, which every test's reset empties.</summary>
    public async Task SeedDemoRotasAsync()
    {
        using var scope = Factory.Services.CreateScope();
        var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(scope.ServiceProvider);
        await seeder.SeedRotasAsync(DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json")), CancellationToken.None);
    }

    public async Task<Guid> UserIdAsync(string email)
    {
        await using var db = Db();
        return await db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    public ModerationDbContext Db() => Env.CreateDbContext();

    /// <summary>Ingests an inbound comment as a connector would, and waits until screening hands it to review.</summary>
    public Task<Guid> IngestAndScreenAsync(string schoolSlug, string text, string? accountHandle = null) =>
        DemoData.IngestAndScreenAsync(Factory.Services, Env, Schools[schoolSlug], text, accountHandle);

    /// <summary>
    /// Waits until screening and routing are both done: the item awaits review, or (a safeguarding concern) is
    /// escalated to the DSL, and has been given its owner, so nothing in the worker changes it after the test looks.
    /// </summary>
    public Task<ModerationItem> WaitForRoutedAsync(Guid itemId) => DemoData.WaitForRoutedAsync(Env, itemId);

    /// <summary>Waits until the worker has routed a hand escalation (the headteacher or DSL given the item), so a test's next step does not race it.</summary>
    public async Task WaitForEscalationRoutedAsync() =>
        await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Db();
                return await db.Inbox.AnyAsync(m => m.Consumer == "routing-escalated");
            },
            routed => routed,
            "the escalation to be routed");

    public async Task<ModerationItem> WaitForStateAsync(Guid itemId, ItemState state)
    {
        var item = await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Db();
                return await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == itemId);
            },
            // An item in review is also waited for until routing has given it an owner, so a test's next step does
            // not race the routing consumer for the row.
            i => i?.State == state && (state != ItemState.AwaitingReview || i.AssignedAt is not null),
            $"item {itemId} to reach {state}");
        return item!;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}

/// <summary>Every API test starts from empty items, audit and message tables.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(ApiFixture fixture) : IAsyncLifetime
{
    protected ApiFixture Fixture { get; } = fixture;

    public Task InitializeAsync() => Fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        // A refused request fails here with its problem details, not later as an empty id.
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<T>(ApiFixture.Json))!;
    }
}
