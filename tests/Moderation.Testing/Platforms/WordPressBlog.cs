using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Moderation.Domain.Platforms;
using FluentAssertions;
using Moderation.Domain.Schools;
using Xunit;

namespace Moderation.Testing.Platforms;

/// <summary>
/// The real WordPress that <c>infra/wordpress.sh start</c> runs (Debian's package; FIXTURES.md "A real WordPress on
/// loopback"), reached with the application password it wrote. Comments are seeded as the admin with unique texts
/// (anonymous ones meet flood control, identical ones a 409), and deleted for good afterwards.
/// </summary>
public sealed class WordPressBlog : IAsyncLifetime
{
    private readonly List<string> _created = [];

    public WordPressBlog()
    {
        var missing = new[] { "WP_URL", "WP_USER", "WP_APP_PASSWORD" }.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{string.Join(", ", missing)} not set: the WordPress tests need the real blog. Run `infra/wordpress.sh install && infra/wordpress.sh start`, " +
                "then `source infra/env.sh` (infra/test.sh does all of this).");
        }

        SiteUrl = new Uri(Environment.GetEnvironmentVariable("WP_URL")!.TrimEnd('/') + "/");
        Credentials = new PlatformCredentials(Username: Environment.GetEnvironmentVariable("WP_USER"), Password: Environment.GetEnvironmentVariable("WP_APP_PASSWORD"));
        Admin = new HttpClient { BaseAddress = new Uri(SiteUrl, "wp-json/wp/v2/") };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Credentials.Username}:{Credentials.Password}")));
        Anonymous = new HttpClient { BaseAddress = new Uri(SiteUrl, "wp-json/wp/v2/") };
    }

    public Uri SiteUrl { get; }

    public PlatformCredentials Credentials { get; }

    /// <summary>The REST API as the admin (the same user as the connector), for seeding and for checking what happened.</summary>
    public HttpClient Admin { get; }

    /// <summary>The REST API as the public sees it.</summary>
    public HttpClient Anonymous { get; }

    public long PostId { get; private set; }

    public ConnectedAccount Account(PlatformCredentials? credentials = null) =>
        PlatformKit.Account(Platform.Blog, SiteUrl, credentials ?? Credentials, "blog", SiteUrl.Authority);

    public async Task InitializeAsync()
    {
        HttpResponseMessage answer;
        try
        {
            answer = await Admin.PostAsJsonAsync("posts", new { title = "Comments " + Guid.NewGuid().ToString("N")[..8], content = "Tell us what you think.", status = "publish" });
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"The blog at {SiteUrl} does not answer ({ex.Message}): run `infra/wordpress.sh start`.", ex);
        }

        PostId = (await ReadAsync(answer, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        _created.Add($"posts/{PostId}?force=true");
    }

    /// <summary>A held comment on this run's post, as a visitor would leave it; returns its id.</summary>
    public async Task<long> HoldAsync(string text, string author = "A parent")
    {
        var answer = await Admin.PostAsJsonAsync("comments", new { post = PostId, author_name = author, author_email = "parent@example.invalid", content = text, status = "hold" });
        var id = (await ReadAsync(answer, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        _created.Add(string.Create(CultureInfo.InvariantCulture, $"comments/{id}?force=true"));
        return id;
    }

    public void Forget(string path) => _created.Add(path);

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage answer, HttpStatusCode expected)
    {
        var body = await answer.Content.ReadAsStringAsync();
        answer.StatusCode.Should().Be(expected, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        foreach (var path in _created)
        {
            (await Admin.DeleteAsync(path)).Dispose();
        }

        Admin.Dispose();
        Anonymous.Dispose();
    }
}
