using System.Globalization;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.YouTube;

/// <summary>The moderation statuses <c>comments.setModerationStatus</c> accepts.</summary>
public enum YouTubeModerationStatus
{
    Published,
    HeldForReview,
    Rejected,
}

/// <summary>
/// A school's YouTube channel through the Data API v3, with the channel owner's OAuth access token. YouTube holds
/// comments for review itself, so the service reads the held ones (nothing is public until approved) and approves
/// (publishes) or rejects them. YouTube does not push comments and its API cannot post community posts, so there is
/// no webhook and no publishing. Only top-level held comments are read (<c>commentThreads</c> with
/// <c>part=snippet</c>); held replies stay in YouTube Studio.
/// </summary>
public sealed class YouTubeConnector(PlatformHttp http, TimeProvider time) : IPlatformConnector
{
    /// <summary><c>comments.setModerationStatus</c> takes at most this many ids per call.</summary>
    public const int MaxIdsPerCall = 50;

    /// <summary><c>commentThreads.list</c> returns at most this many per page.</summary>
    public const int MaxResults = 100;

    /// <summary>
    /// When the time zone database is missing, a spent daily quota is tried again after this long: a refused call
    /// costs nothing, and the quota comes back within a day.
    /// </summary>
    public static readonly TimeSpan QuotaRetryWithoutTimeZone = TimeSpan.FromHours(1);

    private static readonly TimeZoneInfo? Pacific = FindPacific();

    /// <summary>Google's error reasons that mean the token (or its grant) is no good: reconnecting helps.</summary>
    private static readonly HashSet<string> AuthReasons = new(StringComparer.Ordinal)
    {
        "authError", "unauthorized", "insufficientPermissions", "forbidden", "accountDelegationForbidden", "youtubeSignupRequired",
    };

    public Platform Platform => Platform.YouTube;

    public PlatformCapabilities Capabilities => PlatformCapabilities.Poll | PlatformCapabilities.ApproveHeld | PlatformCapabilities.Delete;

    public Uri DefaultApiBaseUrl { get; } = new("https://www.googleapis.com/youtube/v3/");

    /// <summary>
    /// The channel's held comments, newest first. The API has no time filter for held comments, so the cursor keeps the
    /// newest <c>publishedAt</c> read (<see cref="WatermarkPaging"/>); times tie, so a comment at exactly that time is
    /// read again rather than risk losing one.
    /// </summary>
    public Task<FetchResult> FetchAsync(ConnectedAccount account, string? cursor, int limit, CancellationToken ct) =>
        WatermarkPaging.FetchAsync(cursor, limit, WatermarkPaging.ByTime, inclusive: true, (at, _) =>
            ReadHeldAsync(account, at?.Page, at is null ? Math.Clamp(limit, 1, MaxResults) : MaxResults, ct));

    /// <summary>YouTube pushes nothing: there are no webhooks to parse.</summary>
    public IReadOnlyList<PlatformComment> ParseWebhook(string body) => [];

    /// <summary>Approval publishes a held comment; rejection rejects it (which also hides its replies). YouTube has no hide.</summary>
    public async Task<PlatformActionResult> ApplyAsync(ConnectedAccount account, PlatformAction action, string platformItemId, CancellationToken ct)
    {
        switch (action)
        {
            case PlatformAction.Publish:
                await SetModerationStatusAsync(account, [platformItemId], YouTubeModerationStatus.Published, ct);
                return new PlatformActionResult("published the held comment", platformItemId);
            case PlatformAction.Delete:
                await SetModerationStatusAsync(account, [platformItemId], YouTubeModerationStatus.Rejected, ct);
                return new PlatformActionResult("rejected the comment; it is not shown to the public", platformItemId);
            default:
                throw new PlatformCallException(PlatformFailure.Rejected,
                    $"YouTube cannot {action.ToString().ToLowerInvariant()} a comment through its API; it can only publish or reject a held one");
        }
    }

    /// <summary>
    /// Sets the moderation status of any number of comments, <see cref="MaxIdsPerCall"/> per call (each call costs
    /// 50 quota units, whatever the number of ids). A failing call stops the rest; the calls before it stand.
    /// </summary>
    public async Task SetModerationStatusAsync(ConnectedAccount account, IReadOnlyList<string> commentIds, YouTubeModerationStatus status, CancellationToken ct)
    {
        var value = status switch
        {
            YouTubeModerationStatus.Published => "published",
            YouTubeModerationStatus.HeldForReview => "heldForReview",
            _ => "rejected",
        };
        foreach (var chunk in commentIds.Distinct(StringComparer.Ordinal).Chunk(MaxIdsPerCall))
        {
            var ids = string.Join(',', chunk.Select(Uri.EscapeDataString));
            await http.SendAsync(account,
                () => PlatformRequests.Bearer(account, HttpMethod.Post, $"comments/setModerationStatus?id={ids}&moderationStatus={value}"),
                ct, answer => Inspect(answer, moderating: true));
        }
    }

    public Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct) =>
        throw new PlatformCallException(PlatformFailure.Rejected, "YouTube cannot publish posts through its API");

    /// <summary>The channel the token belongs to, by its title.</summary>
    public async Task<string> TestAsync(ConnectedAccount account, CancellationToken ct)
    {
        var answer = await http.SendAsync(account,
            () => PlatformRequests.Bearer(account, HttpMethod.Get, "channels?part=snippet&mine=true"), ct, answer => Inspect(answer, moderating: false));
        using var json = answer.Json();
        var channel = json.RootElement.Optional("items", JsonValueKind.Array) is { } items && items.GetArrayLength() > 0
            ? items[0]
            : throw new PlatformCallException(PlatformFailure.Rejected, "the Google account behind this token has no YouTube channel");
        return channel.Required("snippet", JsonValueKind.Object).RequiredString("title");
    }

    private async Task<WatermarkPaging.Page> ReadHeldAsync(ConnectedAccount account, string? pageToken, int maxResults, CancellationToken ct)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"commentThreads?part=snippet&allThreadsRelatedToChannelId={Uri.EscapeDataString(account.ExternalId)}&moderationStatus=heldForReview&order=time&maxResults={maxResults}&textFormat=plainText");
        if (pageToken is not null)
        {
            url += $"&pageToken={Uri.EscapeDataString(pageToken)}";
        }

        var answer = await http.SendAsync(account, () => PlatformRequests.Bearer(account, HttpMethod.Get, url), ct, response => Inspect(response, moderating: false));
        using var json = answer.Json();
        var entries = new List<WatermarkPaging.Entry>();
        if (json.RootElement.Optional("items", JsonValueKind.Array) is { } items)
        {
            foreach (var thread in items.EnumerateArray())
            {
                var comment = Comment(thread);
                entries.Add(new WatermarkPaging.Entry(comment.PostedAt!.Value.ToString("O", CultureInfo.InvariantCulture), comment));
            }
        }

        return new WatermarkPaging.Page(entries, json.RootElement.OptionalString("nextPageToken"));
    }

    private static PlatformComment Comment(JsonElement thread)
    {
        var threadSnippet = thread.Required("snippet", JsonValueKind.Object);
        var topLevel = threadSnippet.Required("topLevelComment", JsonValueKind.Object);
        var id = topLevel.RequiredString("id");
        var snippet = topLevel.Required("snippet", JsonValueKind.Object);
        var postedAt = PlatformRequests.ParseTime(snippet.RequiredString("publishedAt"))
            ?? throw new PlatformCallException(PlatformFailure.Malformed, $"YouTube gave comment {id} a publishedAt that is not a time");
        var videoId = snippet.OptionalString("videoId") ?? threadSnippet.OptionalString("videoId");
        return new PlatformComment(
            PlatformItemId: id,
            Kind: ItemKind.InboundComment,
            AuthorName: snippet.OptionalString("authorDisplayName"),
            AuthorPlatformId: snippet.Optional("authorChannelId", JsonValueKind.Object)?.OptionalString("value"),
            // textOriginal is what the author typed; the channel owner is allowed to read it.
            Text: snippet.OptionalString("textOriginal") ?? snippet.OptionalString("textDisplay") ?? "",
            PostedAt: postedAt,
            ParentId: videoId,
            Url: videoId is null ? null : $"https://www.youtube.com/watch?v={Uri.EscapeDataString(videoId)}&lc={Uri.EscapeDataString(id)}",
            PubliclyVisible: false,
            RawJson: thread.GetRawText());
    }

    /// <summary>
    /// Google's own error shape, <c>{"error":{"code","message","errors":[{"reason"}]}}</c>: a spent quota or rate
    /// limit comes back as 403, which must not pass for an expired token; a 403 that is about permissions must.
    /// </summary>
    private PlatformCallException? Inspect(PlatformResponse answer, bool moderating)
    {
        var status = (int)answer.Status;
        if (status < 400 || PlatformRequests.TryParse(answer.Body)?.Optional("error", JsonValueKind.Object) is not { } error)
        {
            return null;
        }

        var reason = error.Optional("errors", JsonValueKind.Array) is { } errors && errors.GetArrayLength() > 0 ? errors[0].OptionalString("reason") : null;
        var said = $"YouTube answered {status} {reason ?? "without a reason"}: {error.OptionalString("message") ?? "no message"}";
        return reason switch
        {
            "quotaExceeded" or "dailyLimitExceeded" => new PlatformCallException(PlatformFailure.RateLimited, said, status, UntilQuotaReset()),
            "rateLimitExceeded" or "userRateLimitExceeded" => new PlatformCallException(PlatformFailure.RateLimited, said, status, PlatformHttp.RetryAfter(answer.Headers)),
            // setModerationStatus also answers "forbidden" for a comment that was deleted or never existed, so there
            // it cannot be told from a lost permission; the next poll finds out which it was.
            "forbidden" when moderating => new PlatformCallException(PlatformFailure.Rejected,
                $"{said} (the comment may have been deleted, or the account may have lost its permission to moderate)", status),
            not null when AuthReasons.Contains(reason) => new PlatformCallException(PlatformFailure.Unauthorized, said, status),
            _ when status == 401 => new PlatformCallException(PlatformFailure.Unauthorized, said, status),
            not null when status == 403 => new PlatformCallException(PlatformFailure.Rejected, said, status),
            _ => new PlatformCallException(PlatformHttp.Classify(answer.Status), said, status, PlatformHttp.RetryAfter(answer.Headers)),
        };
    }

    /// <summary>The daily quota comes back at midnight Pacific time.</summary>
    private TimeSpan UntilQuotaReset()
    {
        if (Pacific is null)
        {
            return QuotaRetryWithoutTimeZone;
        }

        var now = time.GetUtcNow();
        var midnight = TimeZoneInfo.ConvertTime(now, Pacific).Date.AddDays(1);
        var reset = new DateTimeOffset(midnight, Pacific.GetUtcOffset(midnight));
        return reset - now;
    }

    private static TimeZoneInfo? FindPacific()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
