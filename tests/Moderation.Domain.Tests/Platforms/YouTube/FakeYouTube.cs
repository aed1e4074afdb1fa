using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.YouTube;

/// <summary>
/// The YouTube Data API v3 routes the connector uses, answering with the shapes Google documents: held comment
/// threads newest first with <c>maxResults</c> and <c>pageToken</c>, <c>comments.setModerationStatus</c> (204, and
/// the comments leave the held list), and <c>channels?mine=true</c>.
/// </summary>
public sealed class FakeYouTube
{
    public const string ChannelId = "UCHilltopPrimary0000000a";
    public const string Token = "ya29.test-access-token";

    private readonly Lock _lock = new();
    private readonly List<JsonObject> _held = [];
    private DateTimeOffset _clock = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    public FakePlatformServer Server { get; private set; } = null!;

    /// <summary>The moderation status set on each comment, in order.</summary>
    public List<(string Id, string Status)> Moderated { get; } = [];

    public static async Task<FakeYouTube> StartAsync()
    {
        var fake = new FakeYouTube();
        fake.Server = await FakePlatformServer.StartAsync((app, _) => fake.Map(app));
        return fake;
    }

    public ConnectedAccount Account() =>
        PlatformKit.Account(Platform.YouTube, Server.BaseUrl, new PlatformCredentials(AccessToken: Token), ChannelId, "Hilltop Primary");

    /// <summary>A new held comment, a minute after the last one; returns its id.</summary>
    public string Hold(string text, string videoId = "vid-sports-day", string author = "A Parent")
    {
        lock (_lock)
        {
            _clock += TimeSpan.FromMinutes(1);
            var id = "Ugz" + (_held.Count + Moderated.Count + 1).ToString("D4", CultureInfo.InvariantCulture);
            var published = _clock.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            _held.Insert(0, new JsonObject
            {
                ["kind"] = "youtube#commentThread",
                ["etag"] = "etag-" + id,
                ["id"] = id,
                ["snippet"] = new JsonObject
                {
                    ["channelId"] = ChannelId,
                    ["videoId"] = videoId,
                    ["topLevelComment"] = new JsonObject
                    {
                        ["kind"] = "youtube#comment",
                        ["etag"] = "etag-c-" + id,
                        ["id"] = id,
                        ["snippet"] = new JsonObject
                        {
                            ["channelId"] = ChannelId,
                            ["videoId"] = videoId,
                            ["textDisplay"] = text,
                            ["textOriginal"] = text,
                            ["authorDisplayName"] = author,
                            ["authorProfileImageUrl"] = "https://yt3.ggpht.com/a/default-user",
                            ["authorChannelUrl"] = "http://www.youtube.com/channel/UCparent" + id,
                            ["authorChannelId"] = new JsonObject { ["value"] = "UCparent" + id },
                            ["canRate"] = true,
                            ["viewerRating"] = "none",
                            ["likeCount"] = 0,
                            ["moderationStatus"] = "heldForReview",
                            ["publishedAt"] = published,
                            ["updatedAt"] = published,
                        },
                    },
                    ["canReply"] = true,
                    ["totalReplyCount"] = 0,
                    ["isPublic"] = true,
                },
            });
            return id;
        }
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/commentThreads", (HttpRequest request) =>
        {
            lock (_lock)
            {
                var size = int.Parse(request.Query["maxResults"].ToString(), CultureInfo.InvariantCulture);
                var from = request.Query.TryGetValue("pageToken", out var token) ? int.Parse(token.ToString()[4..], CultureInfo.InvariantCulture) : 0;
                var page = _held.Skip(from).Take(size).Select(t => t.DeepClone()).ToArray();
                var answer = new JsonObject
                {
                    ["kind"] = "youtube#commentThreadListResponse",
                    ["etag"] = "list-etag",
                    ["pageInfo"] = new JsonObject { ["totalResults"] = _held.Count, ["resultsPerPage"] = size },
                    ["items"] = new JsonArray(page),
                };
                if (from + size < _held.Count)
                {
                    answer["nextPageToken"] = "page" + (from + size).ToString(CultureInfo.InvariantCulture);
                }

                return Results.Text(answer.ToJsonString(), "application/json");
            }
        });
        app.MapPost("/comments/setModerationStatus", (HttpRequest request) =>
        {
            lock (_lock)
            {
                var status = request.Query["moderationStatus"].ToString();
                foreach (var id in request.Query["id"].ToString().Split(','))
                {
                    Moderated.Add((id, status));
                    _held.RemoveAll(t => (string?)t["id"] == id);
                }
            }

            return Results.NoContent();
        });
        app.MapGet("/channels", () => Results.Text(
            $$$"""{"kind":"youtube#channelListResponse","etag":"e","pageInfo":{"totalResults":1,"resultsPerPage":5},"items":[{"kind":"youtube#channel","etag":"c","id":"{{{ChannelId}}}","snippet":{"title":"Hilltop Primary School","description":"","publishedAt":"2019-09-01T08:00:00Z"}}]}""",
            "application/json"));
    }
}
