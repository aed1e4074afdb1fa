using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.WordPress;

/// <summary>
/// The parts of the WordPress REST API the connector uses, on a <see cref="FakePlatformServer"/>, answering with
/// WordPress's own shapes (checked against the real one in <see cref="WordPressLiveTests"/>): the comment list with
/// <c>X-WP-Total</c>, status changes, trash (410 when already there), media, posts and <c>users/me</c>.
/// </summary>
internal sealed class FakeWordPress : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, JsonObject> _comments = new();
    private long _nextId = 1;
    private long _nextMediaId = 500;

    private FakeWordPress()
    {
    }

    public FakePlatformServer Server { get; private set; } = null!;

    public static async Task<FakeWordPress> StartAsync()
    {
        var wordPress = new FakeWordPress();
        wordPress.Server = await FakePlatformServer.StartAsync((app, _) => wordPress.Map(app));
        return wordPress;
    }

    /// <summary>Adds held comments, each with the next id; returns their ids.</summary>
    public IReadOnlyList<long> Hold(int count, string text = "comment")
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var id = Interlocked.Increment(ref _nextId) - 1;
            _comments[id] = Comment(id, $"{text} {id}");
            ids.Add(id);
        }

        return ids;
    }

    /// <summary>Changes a comment's status behind the connector's back, as an editor in wp-admin would.</summary>
    public void SetStatus(long id, string status) => _comments[id]["status"] = status;

    public string StatusOf(long id) => _comments[id]["status"]!.GetValue<string>();

    private static JsonObject Comment(long id, string text) => new()
    {
        ["id"] = id,
        ["post"] = 42,
        ["parent"] = 0,
        ["author"] = 0,
        ["author_name"] = "Parent " + id,
        ["author_email"] = $"parent{id}@example.invalid",
        ["date"] = "2026-11-30T16:05:09",
        ["date_gmt"] = "2026-11-30T16:05:09",
        ["content"] = new JsonObject { ["rendered"] = $"<p>{text}</p>\n", ["raw"] = text },
        ["link"] = $"http://blog.example/sports-day/#comment-{id}",
        ["status"] = "hold",
        ["type"] = "comment",
    };

    private static IResult Error(string code, string message, int status) =>
        Results.Json(new { code, message, data = new { status } }, statusCode: status);

    private void Map(WebApplication app)
    {
        app.MapGet("/wp-json/wp/v2/comments", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var status = query["status"].ToString() is { Length: > 0 } s ? s : "approved";
            var perPage = int.Parse(query["per_page"].ToString() is { Length: > 0 } p ? p : "10", CultureInfo.InvariantCulture);
            var offset = int.Parse(query["offset"].ToString() is { Length: > 0 } o ? o : "0", CultureInfo.InvariantCulture);
            var page = int.Parse(query["page"].ToString() is { Length: > 0 } g ? g : "1", CultureInfo.InvariantCulture);
            var matching = _comments.Values.Where(c => c["status"]!.GetValue<string>() == status).OrderBy(c => c["id"]!.GetValue<long>()).ToList();
            if (query["order"] == "desc")
            {
                matching.Reverse();
            }

            var start = query.ContainsKey("offset") ? offset : (page - 1) * perPage;
            context.Response.Headers["X-WP-Total"] = matching.Count.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-WP-TotalPages"] = ((matching.Count + perPage - 1) / perPage).ToString(CultureInfo.InvariantCulture);
            return Results.Text(new JsonArray(matching.Skip(start).Take(perPage).Select(c => (JsonNode)c.DeepClone()).ToArray()).ToJsonString(), "application/json");
        });
        app.MapPost("/wp-json/wp/v2/comments/{id:long}", async (long id, HttpContext context) =>
        {
            if (!_comments.TryGetValue(id, out var comment))
            {
                return Error("rest_comment_invalid_id", "Invalid comment ID.", 404);
            }

            var body = await JsonNode.ParseAsync(context.Request.Body);
            comment["status"] = body!["status"]!.GetValue<string>();
            return Results.Text(comment.ToJsonString(), "application/json");
        });
        app.MapDelete("/wp-json/wp/v2/comments/{id:long}", (long id) =>
        {
            if (!_comments.TryGetValue(id, out var comment))
            {
                return Error("rest_comment_invalid_id", "Invalid comment ID.", 404);
            }

            if (comment["status"]!.GetValue<string>() == "trash")
            {
                return Error("rest_already_trashed", "The comment has already been trashed.", 410);
            }

            comment["status"] = "trash";
            return Results.Text(comment.ToJsonString(), "application/json");
        });
        app.MapPost("/wp-json/wp/v2/media", () =>
        {
            var id = Interlocked.Increment(ref _nextMediaId) - 1;
            return Results.Json(new { id, source_url = $"http://blog.example/wp-content/uploads/2026/12/photo-{id}.png", media_type = "image" }, statusCode: 201);
        });
        app.MapPost("/wp-json/wp/v2/posts", () =>
            Results.Json(new { id = 77, link = "http://blog.example/sports-day-results/", status = "publish" }, statusCode: 201));
        app.MapGet("/wp-json/wp/v2/users/me", () =>
            Results.Json(new { id = 3, username = "office", name = "School Office", roles = new[] { "editor" } }));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

internal static class FakeRequestJson
{
    public static JsonElement Json(this FakeRequest request) => JsonDocument.Parse(request.Body).RootElement;
}
