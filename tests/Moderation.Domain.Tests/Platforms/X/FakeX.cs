using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.X;

/// <summary>
/// The X API v2 routes the connector uses, answering with the shapes X documents: recent search newest first with
/// <c>since_id</c>, <c>max_results</c> (10 to 100) and <c>next_token</c>, <c>data</c> left out when nothing matched and
/// authors under <c>includes.users</c>; hide replies; media upload; create post; <c>users/me</c>. A 429 with X's own
/// <c>x-rate-limit-reset</c> header can be scripted, which the generic faults cannot send.
/// </summary>
public sealed class FakeX
{
    public const string SchoolId = "1000";
    public const string Username = "HilltopPrimary";
    public const string Token = "x-oauth2-user-token";

    private readonly Lock _lock = new();
    private readonly List<JsonObject> _replies = [];
    private long _nextId = 1_850_000_000_000_000_000;
    private DateTimeOffset _clock = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public FakePlatformServer Server { get; private set; } = null!;

    /// <summary>429s to answer next, each with <c>x-rate-limit-reset</c> (epoch seconds) and perhaps <c>Retry-After</c>.</summary>
    public ConcurrentQueue<(long ResetEpoch, int? RetryAfterSeconds)> RateLimited { get; } = new();

    public List<(string Id, bool Hidden)> HideRequests { get; } = [];

    public List<(string FileName, string ContentType, int Length, string? Category, string Id)> Uploads { get; } = [];

    public List<JsonElement> Posts { get; } = [];

    public static async Task<FakeX> StartAsync()
    {
        var fake = new FakeX();
        fake.Server = await FakePlatformServer.StartAsync((app, _) => fake.Map(app));
        return fake;
    }

    public ConnectedAccount Account() =>
        PlatformKit.Account(Platform.X, Server.BaseUrl, new PlatformCredentials(AccessToken: Token), SchoolId, "@" + Username);

    /// <summary>A new reply, a minute after the last; to the school's post unless it replies to someone else.</summary>
    public string Reply(string text, string author = "parent1", string inReplyToUserId = SchoolId, string repliedTo = "1849000000000000001")
    {
        lock (_lock)
        {
            _clock += TimeSpan.FromMinutes(1);
            var id = (++_nextId).ToString(CultureInfo.InvariantCulture);
            _replies.Insert(0, new JsonObject
            {
                ["id"] = id,
                ["text"] = $"@{Username} {text}",
                ["edit_history_tweet_ids"] = new JsonArray(id),
                ["author_id"] = "2" + author.GetHashCode(StringComparison.Ordinal).ToString("x8", CultureInfo.InvariantCulture),
                ["author_username"] = author,
                ["created_at"] = _clock.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                ["conversation_id"] = "1849000000000000001",
                ["in_reply_to_user_id"] = inReplyToUserId,
                ["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "replied_to", ["id"] = repliedTo }),
            });
            return id;
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (RateLimited.TryDequeue(out var limit))
            {
                context.Response.StatusCode = 429;
                context.Response.Headers["x-rate-limit-limit"] = "50";
                context.Response.Headers["x-rate-limit-remaining"] = "0";
                context.Response.Headers["x-rate-limit-reset"] = limit.ResetEpoch.ToString(CultureInfo.InvariantCulture);
                if (limit.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsJsonAsync(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 });
                return;
            }

            await next(context);
        });
        app.MapGet("/tweets/search/recent", (HttpRequest request) =>
        {
            var size = int.Parse(request.Query["max_results"].ToString(), CultureInfo.InvariantCulture);
            if (size is < 10 or > 100)
            {
                return Results.Json(new { errors = new[] { new { parameters = new { max_results = new[] { size.ToString(CultureInfo.InvariantCulture) } }, message = "The `max_results` query parameter value is not between 10 and 100" } }, title = "Invalid Request", detail = "One or more parameters to your request was invalid.", type = "https://api.twitter.com/2/problems/invalid-request" }, statusCode: 400);
            }

            lock (_lock)
            {
                var since = request.Query.TryGetValue("since_id", out var sinceId) ? long.Parse(sinceId.ToString(), CultureInfo.InvariantCulture) : 0;
                var from = request.Query.TryGetValue("next_token", out var token) ? int.Parse(token.ToString()[1..], CultureInfo.InvariantCulture) : 0;
                var matching = _replies.Where(r => long.Parse((string)r["id"]!, CultureInfo.InvariantCulture) > since).ToList();
                var page = matching.Skip(from).Take(size).ToList();
                var answer = new JsonObject();
                var meta = new JsonObject { ["result_count"] = page.Count };
                if (page.Count > 0)
                {
                    answer["data"] = new JsonArray(page.Select(r =>
                    {
                        var tweet = r.DeepClone().AsObject();
                        tweet.Remove("author_username");
                        return (JsonNode)tweet;
                    }).ToArray());
                    answer["includes"] = new JsonObject
                    {
                        ["users"] = new JsonArray(page.DistinctBy(r => (string)r["author_id"]!).Select(r => (JsonNode)new JsonObject
                        {
                            ["id"] = (string)r["author_id"]!,
                            ["name"] = "Name of " + (string)r["author_username"]!,
                            ["username"] = (string)r["author_username"]!,
                        }).ToArray()),
                    };
                    meta["newest_id"] = (string)page[0]["id"]!;
                    meta["oldest_id"] = (string)page[^1]["id"]!;
                }

                if (from + size < matching.Count)
                {
                    meta["next_token"] = "t" + (from + size).ToString(CultureInfo.InvariantCulture);
                }

                answer["meta"] = meta;
                return Results.Text(answer.ToJsonString(), "application/json");
            }
        });
        app.MapPut("/tweets/{id}/hidden", async (string id, HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var hidden = body.GetProperty("hidden").GetBoolean();
            lock (_lock)
            {
                HideRequests.Add((id, hidden));
            }

            return Results.Json(new { data = new { hidden } });
        });
        app.MapPost("/media/upload", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var media = form.Files["media"];
            if (media is null)
            {
                return Results.Json(new { title = "Invalid Request", detail = "media is required", type = "https://api.twitter.com/2/problems/invalid-request" }, statusCode: 400);
            }

            lock (_lock)
            {
                var id = (1_851_000_000_000_000_000 + Uploads.Count).ToString(CultureInfo.InvariantCulture);
                Uploads.Add((media.FileName, media.ContentType, (int)media.Length, form["media_category"].ToString(), id));
                return Results.Json(new { data = new { id, media_key = "3_" + id, size = media.Length, expires_after_secs = 86400, image = new { image_type = media.ContentType, w = 4, h = 4 } } });
            }
        });
        app.MapPost("/tweets", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            lock (_lock)
            {
                Posts.Add(body);
                var id = (1_852_000_000_000_000_000 + Posts.Count).ToString(CultureInfo.InvariantCulture);
                return Results.Json(new { data = new { id, text = body.GetProperty("text").GetString(), edit_history_tweet_ids = new[] { id } } }, statusCode: 201);
            }
        });
        app.MapGet("/users/me", () => Results.Json(new { data = new { id = SchoolId, name = "Hilltop Primary", username = Username } }));
    }
}
