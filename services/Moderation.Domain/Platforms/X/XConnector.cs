using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.X;

/// <summary>
/// A school's X account through API v2, with an OAuth 2 user token. X shows replies at once, so pre-moderation hides
/// them on arrival and approval unhides them. X lets an account hide replies only in conversations it started, and
/// never delete others' replies. The account's <see cref="ConnectedAccount.ExternalId"/> is its user id and its
/// <see cref="ConnectedAccount.Handle"/> its @username. X pushes nothing to this service: replies are polled.
/// </summary>
/// <remarks>
/// Which replies are read: recent search for replies to the account, keeping those whose <c>in_reply_to_user_id</c>
/// is the account. That is a reply to one of the school's posts, but not always in a conversation the school started:
/// a reply to the school's own reply in someone else's thread passes too, and X refuses to hide it (the action then
/// fails with X's reason and the administrators are told). Replies to other people inside the school's threads are not
/// read. Recent search reaches back seven days, so replies older than that on first connection, or after a week
/// without polling, are not seen.
/// </remarks>
public sealed class XConnector(PlatformHttp http, TimeProvider time) : IPlatformConnector
{
    /// <summary>X attaches at most this many photos to a post.</summary>
    public const int MaxPhotos = 4;

    /// <summary>Recent search returns between 10 and 100 per page.</summary>
    public const int MinResults = 10;

    public const int MaxResults = 100;

    private const string TweetFields = "tweet.fields=author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets&expansions=author_id&user.fields=username,name";

    public Platform Platform => Platform.X;

    public PlatformCapabilities Capabilities =>
        PlatformCapabilities.Poll | PlatformCapabilities.Hide | PlatformCapabilities.PublishText | PlatformCapabilities.PublishPhotos;

    public Uri DefaultApiBaseUrl { get; } = new("https://api.x.com/2/");

    /// <summary>
    /// Replies newer than the newest id read (<c>since_id</c>), page by page with <c>next_token</c>. When X refuses a
    /// stored <c>since_id</c> (older than its seven days), the newest replies are read again and the watermark alone
    /// decides what is new.
    /// </summary>
    public Task<FetchResult> FetchAsync(ConnectedAccount account, string? cursor, int limit, CancellationToken ct) =>
        WatermarkPaging.FetchAsync(cursor, limit, WatermarkPaging.ByNumericId, inclusive: false, (at, trustSince) =>
            SearchRepliesAsync(account, trustSince ? at?.Since : null, at?.Page,
                at is null ? Math.Clamp(limit, MinResults, MaxResults) : MaxResults, ct));

    /// <summary>X pushes nothing to this service (its Account Activity API is not used): there are no webhooks to parse.</summary>
    public IReadOnlyList<PlatformComment> ParseWebhook(string body) => [];

    public async Task<PlatformActionResult> ApplyAsync(ConnectedAccount account, PlatformAction action, string platformItemId, CancellationToken ct)
    {
        bool hidden = action switch
        {
            PlatformAction.Hide => true,
            PlatformAction.Unhide => false,
            PlatformAction.Delete => throw new PlatformCallException(PlatformFailure.Rejected,
                "X does not let an account delete others' replies; hide the reply instead"),
            _ => throw new PlatformCallException(PlatformFailure.Rejected,
                $"X cannot {action.ToString().ToLowerInvariant()} a reply: it holds nothing for review (approving a reply means showing it again)"),
        };
        var answer = await http.SendAsync(account,
            () => PlatformRequests.Bearer(account, HttpMethod.Put, $"tweets/{Uri.EscapeDataString(platformItemId)}/hidden", JsonContent.Create(new { hidden })),
            ct, Inspect);
        using var json = answer.Json();
        var data = Data(json.RootElement);
        if (!data.TryGetProperty("hidden", out var state) || state.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new PlatformCallException(PlatformFailure.Malformed, "X's answer to hiding a reply does not say whether it is hidden");
        }

        if (state.GetBoolean() != hidden)
        {
            throw new PlatformCallException(PlatformFailure.Rejected, $"X answered that reply {platformItemId} is still {(hidden ? "shown" : "hidden")}");
        }

        return new PlatformActionResult(hidden ? "hid the reply" : "showed the reply again", platformItemId);
    }

    /// <summary>
    /// Posts the text, with up to <see cref="MaxPhotos"/> photos uploaded first. A post X would refuse for its length
    /// or number of photos is refused here, before any call, so nothing is uploaded for nothing.
    /// </summary>
    public async Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct)
    {
        var length = XText.WeightedLength(publication.Text);
        if (length > XText.MaxLength)
        {
            throw new PlatformCallException(PlatformFailure.Rejected,
                string.Create(CultureInfo.InvariantCulture, $"the post is {length} characters long as X counts them; X allows {XText.MaxLength}"));
        }

        if (publication.Photos.Count > MaxPhotos)
        {
            throw new PlatformCallException(PlatformFailure.Rejected,
                string.Create(CultureInfo.InvariantCulture, $"the post has {publication.Photos.Count} photos; X allows {MaxPhotos} on one post"));
        }

        var mediaIds = new List<string>();
        foreach (var photo in publication.Photos)
        {
            mediaIds.Add(await UploadAsync(account, photo, ct));
        }

        object body = mediaIds.Count == 0
            ? new { text = publication.Text }
            : new { text = publication.Text, media = new { media_ids = mediaIds } };
        var answer = await http.SendAsync(account, () => PlatformRequests.Bearer(account, HttpMethod.Post, "tweets", JsonContent.Create(body)), ct, Inspect, repeatable: false);
        using var json = answer.Json();
        var id = Data(json.RootElement).RequiredString("id");
        var photos = mediaIds.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $" with {mediaIds.Count} photo{(mediaIds.Count == 1 ? "" : "s")}");
        return new PlatformActionResult($"posted to X{photos}", id, StatusUrl(Username(account), id));
    }

    /// <summary>The account the token belongs to, as @username.</summary>
    public async Task<string> TestAsync(ConnectedAccount account, CancellationToken ct)
    {
        var answer = await http.SendAsync(account, () => PlatformRequests.Bearer(account, HttpMethod.Get, "users/me"), ct, Inspect);
        using var json = answer.Json();
        return "@" + Data(json.RootElement).RequiredString("username");
    }

    private async Task<string> UploadAsync(ConnectedAccount account, PublicationPhoto photo, CancellationToken ct)
    {
        var answer = await http.SendAsync(account, () =>
        {
            // Built afresh for each attempt: content that was sent once cannot be sent again.
            var media = new ByteArrayContent(photo.Content);
            media.Headers.ContentType = MediaTypeHeaderValue.Parse(photo.ContentType);
            var form = new MultipartFormDataContent { { media, "media", photo.FileName }, { new StringContent("tweet_image"), "media_category" } };
            return PlatformRequests.Bearer(account, HttpMethod.Post, "media/upload", form);
        }, ct, Inspect);
        using var json = answer.Json();
        return Data(json.RootElement).RequiredString("id");
    }

    private async Task<WatermarkPaging.Page> SearchRepliesAsync(ConnectedAccount account, string? sinceId, string? nextToken, int maxResults, CancellationToken ct)
    {
        var username = Username(account);
        var query = Uri.EscapeDataString($"to:{username} is:reply -from:{username}");
        var url = string.Create(CultureInfo.InvariantCulture, $"tweets/search/recent?query={query}&max_results={maxResults}&{TweetFields}");
        if (sinceId is not null)
        {
            url += $"&since_id={Uri.EscapeDataString(sinceId)}";
        }

        if (nextToken is not null)
        {
            url += $"&next_token={Uri.EscapeDataString(nextToken)}";
        }

        var answer = await http.SendAsync(account, () => PlatformRequests.Bearer(account, HttpMethod.Get, url), ct, Inspect);
        using var json = answer.Json();
        var root = json.RootElement;
        var users = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (root.Optional("includes", JsonValueKind.Object)?.Optional("users", JsonValueKind.Array) is { } included)
        {
            foreach (var user in included.EnumerateArray())
            {
                users[user.RequiredString("id")] = user;
            }
        }

        // "data" is left out altogether when nothing matched.
        var entries = new List<WatermarkPaging.Entry>();
        if (root.Optional("data", JsonValueKind.Array) is { } tweets)
        {
            foreach (var tweet in tweets.EnumerateArray())
            {
                var id = tweet.RequiredString("id");
                var toSchool = string.Equals(tweet.OptionalString("in_reply_to_user_id"), account.ExternalId, StringComparison.Ordinal);
                entries.Add(new WatermarkPaging.Entry(id, toSchool ? Comment(tweet, id, users) : null));
            }
        }

        return new WatermarkPaging.Page(entries, root.Optional("meta", JsonValueKind.Object)?.OptionalString("next_token"));
    }

    private static PlatformComment Comment(JsonElement tweet, string id, Dictionary<string, JsonElement> users)
    {
        var authorId = tweet.OptionalString("author_id");
        var author = authorId is not null && users.TryGetValue(authorId, out var user) ? user : (JsonElement?)null;
        var repliedTo = tweet.Optional("referenced_tweets", JsonValueKind.Array)?.EnumerateArray()
            .FirstOrDefault(r => r.OptionalString("type") == "replied_to").OptionalString("id");
        return new PlatformComment(
            PlatformItemId: id,
            Kind: ItemKind.InboundComment,
            AuthorName: author?.OptionalString("name"),
            AuthorPlatformId: authorId,
            Text: tweet.RequiredString("text"),
            PostedAt: PlatformRequests.ParseTime(tweet.OptionalString("created_at")),
            ParentId: repliedTo ?? tweet.OptionalString("conversation_id"),
            Url: StatusUrl(author?.OptionalString("username"), id),
            PubliclyVisible: true,
            RawJson: tweet.GetRawText());
    }

    /// <summary>X's <c>{"data":…}</c>; an answer with only <c>errors</c> is X refusing the request after all.</summary>
    private static JsonElement Data(JsonElement root)
    {
        if (root.Optional("data", JsonValueKind.Object) is { } data)
        {
            return data;
        }

        if (root.Optional("errors", JsonValueKind.Array) is { } errors && errors.GetArrayLength() > 0)
        {
            var error = errors[0];
            var failure = error.OptionalString("type")?.EndsWith("resource-not-found", StringComparison.Ordinal) == true ? PlatformFailure.NotFound : PlatformFailure.Rejected;
            throw new PlatformCallException(failure, $"X refused: {error.OptionalString("detail") ?? error.OptionalString("message") ?? error.OptionalString("title") ?? "no reason given"}");
        }

        return root.Required("data", JsonValueKind.Object);
    }

    /// <summary>
    /// X's rate limit answer (429 with <c>x-rate-limit-reset</c>, epoch seconds, and perhaps <c>Retry-After</c>: the
    /// later of the two), and its 403s: only those about the token or the app mean reconnecting; others (a duplicate
    /// post, a reply outside the account's conversations) are X refusing that one request.
    /// </summary>
    private PlatformCallException? Inspect(PlatformResponse answer)
    {
        var status = (int)answer.Status;
        if (status == 429)
        {
            var retryAfter = PlatformHttp.RetryAfter(answer.Headers);
            if (answer.Headers.TryGetValues("x-rate-limit-reset", out var values)
                && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
            {
                var untilReset = DateTimeOffset.FromUnixTimeSeconds(epoch) - time.GetUtcNow();
                untilReset = untilReset < TimeSpan.Zero ? TimeSpan.Zero : untilReset;
                retryAfter = retryAfter is { } header && header > untilReset ? header : untilReset;
            }

            return new PlatformCallException(PlatformFailure.RateLimited, "X answered 429: its rate limit for this account is used up", status, retryAfter);
        }

        if (status != 403 || PlatformRequests.TryParse(answer.Body) is not { } problem)
        {
            return null;
        }

        var type = problem.OptionalString("type") ?? "";
        var detail = problem.OptionalString("detail");
        var aboutCredentials = type.EndsWith("/unsupported-authentication", StringComparison.Ordinal)
            || type.EndsWith("/client-forbidden", StringComparison.Ordinal)
            || string.IsNullOrWhiteSpace(detail)
            || detail.Trim().Equals("Forbidden", StringComparison.OrdinalIgnoreCase);
        return aboutCredentials
            ? new PlatformCallException(PlatformFailure.Unauthorized, $"X answered 403: {detail ?? problem.OptionalString("title") ?? "Forbidden"}", status)
            : new PlatformCallException(PlatformFailure.Rejected, $"X refused: {detail}", status);
    }

    private static string Username(ConnectedAccount account) => account.Handle.TrimStart('@');

    private static string StatusUrl(string? username, string id) =>
        username is null ? $"https://x.com/i/web/status/{id}" : $"https://x.com/{username}/status/{id}";
}
