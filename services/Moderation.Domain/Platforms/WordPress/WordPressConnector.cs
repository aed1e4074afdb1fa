using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.WordPress;

/// <summary>
/// The school blog through the WordPress REST API (<c>wp-json/wp/v2</c>), authenticated with an application password.
/// WordPress holds comments until they are approved, so nothing is public on arrival and there is nothing to hide:
/// approval publishes a held comment and rejection moves it to the blog's trash. The account's API base URL is the
/// blog's site URL.
/// </summary>
internal sealed partial class WordPressConnector(PlatformHttp http) : IPlatformConnector, ICommentEditor
{
    /// <summary>The most WordPress answers in one page (its <c>per_page</c> limit).</summary>
    internal const int MaxPageSize = 100;

    private const int TitleLength = 60;

    /// <summary>Comments read per request after the first poll; small in tests, to exercise paging.</summary>
    internal int PageSize
    {
        get;
        init => field = value is >= 2 and <= MaxPageSize
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PageSize), value, "Reading on needs room for one comment already seen and one new.");
    } = MaxPageSize;

    public Platform Platform => Platform.Blog;

    public PlatformCapabilities Capabilities =>
        PlatformCapabilities.Poll | PlatformCapabilities.ApproveHeld | PlatformCapabilities.Delete
        | PlatformCapabilities.PublishText | PlatformCapabilities.PublishPhotos | PlatformCapabilities.EditComments;

    /// <summary>A blog is self-hosted, so there is no public root: an account names its site. This address never resolves (RFC 2606).</summary>
    public Uri DefaultApiBaseUrl { get; } = new("https://wordpress.invalid/");

    /// <summary>
    /// Reads the hold list in id order. Page numbers are not safe to resume from: every comment the school approves or
    /// trashes leaves the list and shifts the later ones back a page, so a stored page number would skip comments. The
    /// cursor therefore keeps the highest id handed out (the mark) and roughly where it sits in the list, and each read
    /// starts one comment early: if that comment is at or below the mark, nothing new can lie before it; if not, comments
    /// left the list meanwhile, and the read starts again from the top (handing out a comment twice is harmless).
    /// </summary>
    public async Task<FetchResult> FetchAsync(ConnectedAccount account, string? cursor, int limit, CancellationToken ct)
    {
        if (cursor is null)
        {
            return await BackfillAsync(account, limit, ct);
        }

        var position = HoldListPosition.Parse(cursor);
        var offset = Math.Max(0, position.Seen - 1);
        var page = await ReadHeldAsync(account, "asc", offset, PageSize, ct);
        if (offset > 0 && (page.Comments.Count == 0 || page.Comments[0].Id > position.Mark))
        {
            offset = 0;
            page = await ReadHeldAsync(account, "asc", offset, PageSize, ct);
        }

        var next = new HoldListPosition(Math.Max(position.Mark, page.HighestId), offset + page.Comments.Count);
        var more = page.Total is { } total ? next.Seen < total : page.Comments.Count == PageSize;
        return new FetchResult(
            page.Comments.Where(c => c.Id > position.Mark).Select(c => c.Comment).ToList(),
            next.ToString(),
            more && page.Comments.Count > 0);
    }

    /// <summary>First connection: the most recent <paramref name="limit"/> held comments (at most one page); older ones are left to the blog.</summary>
    private async Task<FetchResult> BackfillAsync(ConnectedAccount account, int limit, CancellationToken ct)
    {
        var take = Math.Clamp(limit, 0, MaxPageSize);

        // With no backfill wanted, one comment still tells where the hold list ends.
        var page = await ReadHeldAsync(account, "desc", 0, Math.Max(take, 1), ct);
        var comments = page.Comments.Take(take).Reverse().Select(c => c.Comment).ToList();

        // Every comment held now is at or below the mark; without a total, the next poll reads from the top.
        var next = new HoldListPosition(page.HighestId, page.Total ?? 0);
        return new FetchResult(comments, next.ToString(), More: false);
    }

    private async Task<HeldPage> ReadHeldAsync(ConnectedAccount account, string order, int offset, int count, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture,
            $"comments?status=hold&context=edit&orderby=id&order={order}&per_page={count}&offset={offset}");
        var response = await SendAsync(account, HttpMethod.Get, query, null, ct);
        using var json = response.Json();
        if (json.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw Malformed("the comment list is not a JSON array");
        }

        var comments = json.RootElement.EnumerateArray().Select(ReadComment).ToList();
        var total = response.Headers.TryGetValues("X-WP-Total", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : (int?)null;
        return new HeldPage(comments, total);
    }

    private static HeldComment ReadComment(JsonElement comment)
    {
        try
        {
            var id = comment.GetProperty("id").GetInt64();
            var text = comment.GetProperty("content").GetProperty("raw").GetString()
                ?? throw Malformed($"comment {id} has no content.raw (the application password's user cannot edit comments?)");
            var author = comment.TryGetProperty("author", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt64() > 0
                ? a.GetInt64().ToString(CultureInfo.InvariantCulture)
                : null;
            var post = comment.TryGetProperty("post", out var p) && p.ValueKind == JsonValueKind.Number && p.GetInt64() > 0
                ? p.GetInt64().ToString(CultureInfo.InvariantCulture)
                : null;

            // date_gmt is UTC written without a zone.
            var postedAt = DateTimeOffset.TryParse(Text(comment, "date_gmt"), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at
                : (DateTimeOffset?)null;
            return new HeldComment(id, new PlatformComment(
                id.ToString(CultureInfo.InvariantCulture),
                ItemKind.InboundComment,
                Text(comment, "author_name"),
                author,
                text,
                postedAt,
                post,
                Text(comment, "link"),
                PubliclyVisible: false,
                comment.GetRawText()));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Malformed($"a comment is not in WordPress's shape ({ex.Message})", ex);
        }
    }

    public IReadOnlyList<PlatformComment> ParseWebhook(string body) => [];

    public async Task<PlatformActionResult> ApplyAsync(ConnectedAccount account, PlatformAction action, string platformItemId, CancellationToken ct)
    {
        var path = CommentPath(platformItemId);
        switch (action)
        {
            case PlatformAction.Publish:
                var approved = await SendAsync(account, HttpMethod.Post, path, new JsonObject { ["status"] = "approved" }, ct);
                return new PlatformActionResult("approved and now public on the blog", platformItemId, LinkOf(approved));
            case PlatformAction.Delete:
                // Without force=true WordPress moves the comment to its trash, where the blog's editors can still restore it;
                // a comment already there answers 410, which the action queue counts as done.
                await SendAsync(account, HttpMethod.Delete, path, null, ct);
                return new PlatformActionResult("moved to the blog's trash", platformItemId);
            default:
                throw new PlatformCallException(PlatformFailure.Rejected, $"WordPress holds comments for review instead of hiding them; it cannot {action} one");
        }
    }

    /// <summary>Approves a held comment with the text the school approved (pupils' names redacted), in one update.</summary>
    public async Task<PlatformActionResult> ApproveWithTextAsync(ConnectedAccount account, string platformItemId, string text, CancellationToken ct)
    {
        var approved = await SendAsync(account, HttpMethod.Post, CommentPath(platformItemId), new JsonObject { ["status"] = "approved", ["content"] = text }, ct);
        return new PlatformActionResult("approved with the school's redactions and now public on the blog", platformItemId, LinkOf(approved));
    }

    private static string CommentPath(string platformItemId) =>
        long.TryParse(platformItemId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? string.Create(CultureInfo.InvariantCulture, $"comments/{id}")
            : throw new PlatformCallException(PlatformFailure.Rejected, $"'{platformItemId}' is not a WordPress comment id");

    /// <summary>Uploads the photos to the media library, then publishes the post with them, the first as its featured image.</summary>
    public async Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct)
    {
        var media = new List<UploadedMedia>();
        foreach (var (photo, index) in publication.Photos.Select((photo, index) => (photo, index)))
        {
            media.Add(await UploadAsync(account, photo, index, ct));
        }

        var post = new JsonObject
        {
            ["status"] = "publish",
            ["title"] = Html(Title(publication.Text)),
            ["content"] = PostContent(publication.Text, media),
        };
        if (media.Count > 0)
        {
            post["featured_media"] = media[0].Id;
        }

        var response = await SendAsync(account, HttpMethod.Post, "posts", post, ct, repeatable: false);
        using var json = response.Json();
        var id = IdOf(json.RootElement, "post");
        var photos = media.Count switch { 0 => "", 1 => " with 1 photo", _ => $" with {media.Count} photos" };
        return new PlatformActionResult($"published on the blog{photos}", id.ToString(CultureInfo.InvariantCulture), Text(json.RootElement, "link"));
    }

    private async Task<UploadedMedia> UploadAsync(ConnectedAccount account, PublicationPhoto photo, int index, CancellationToken ct)
    {
        var fileName = UploadFileName(photo, index);
        var response = await http.SendAsync(account, () =>
        {
            var request = Request(account, HttpMethod.Post, "media");
            request.Content = new ByteArrayContent(photo.Content);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(photo.ContentType);
            request.Content.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = $"\"{fileName}\"" };
            return request;
        }, ct, Refusal);
        using var json = response.Json();
        return new UploadedMedia(IdOf(json.RootElement, "media"),
            Text(json.RootElement, "source_url") ?? throw Malformed("the uploaded photo has no source_url"));
    }

    public async Task<string> TestAsync(ConnectedAccount account, CancellationToken ct)
    {
        var response = await SendAsync(account, HttpMethod.Get, "users/me?context=edit", null, ct);
        using var json = response.Json();
        return Text(json.RootElement, "name") ?? Text(json.RootElement, "username") ?? throw Malformed("users/me has no name");
    }

    private async Task<PlatformResponse> SendAsync(ConnectedAccount account, HttpMethod method, string path, JsonObject? body, CancellationToken ct, bool repeatable = true)
    {
        var json = body?.ToJsonString();
        return await http.SendAsync(account, () =>
        {
            var request = Request(account, method, path);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            return request;
        }, ct, Refusal, repeatable);
    }

    private static HttpRequestMessage Request(ConnectedAccount account, HttpMethod method, string path)
    {
        var credentials = account.Credentials;
        if (string.IsNullOrEmpty(credentials.Username) || string.IsNullOrEmpty(credentials.Password))
        {
            throw new PlatformCallException(PlatformFailure.Unauthorized, "the blog account has no user name and application password");
        }

        // The site may live in a folder (https://school.example/blog), which a base URL without its final slash would lose.
        var site = account.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? account.ApiBaseUrl : new Uri(account.ApiBaseUrl.AbsoluteUri + "/");
        var request = new HttpRequestMessage(method, new Uri(site, "wp-json/wp/v2/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
        return request;
    }

    /// <summary>
    /// WordPress's own error shape, <c>{"code", "message", "data": {"status"}}</c>, for the refusals only it can explain;
    /// 408, 429 and 5xx are left to <see cref="PlatformHttp"/> (retries and <c>Retry-After</c>). A <c>rest_cannot_*</c>
    /// code means the application password's user lacks the right: reconnecting with another user is the remedy.
    /// </summary>
    internal static PlatformCallException? Refusal(PlatformResponse response)
    {
        var status = (int)response.Status;
        if (status is < 400 or 408 or 429 or >= 500)
        {
            return null;
        }

        var (code, message) = ErrorOf(response.Body);
        var failure = code switch
        {
            not null when code.StartsWith("rest_cannot_", StringComparison.Ordinal) => PlatformFailure.Unauthorized,
            // No REST route at all: the URL is not a WordPress site (or its REST API is switched off), not a missing comment.
            "rest_no_route" => PlatformFailure.Rejected,
            _ => PlatformHttp.Classify(response.Status),
        };
        var said = message is null ? "" : $": {message}";
        var coded = code is null ? "" : $" ({code})";
        return new PlatformCallException(failure, $"WordPress answered {status}{said}{coded}", status);
    }

    private static (string? Code, string? Message) ErrorOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var message = Text(json.RootElement, "message");
            return (Text(json.RootElement, "code"), message is null ? null : WebUtility.HtmlDecode(Tags().Replace(message, "")));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? LinkOf(PlatformResponse response)
    {
        using var json = response.Json();
        return json.RootElement.ValueKind == JsonValueKind.Object ? Text(json.RootElement, "link") : null;
    }

    private static long IdOf(JsonElement element, string what) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && id.TryGetInt64(out var value)
            ? value
            : throw Malformed($"the created {what} has no id");

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static PlatformCallException Malformed(string message, Exception? inner = null) =>
        new(PlatformFailure.Malformed, $"WordPress answered in an unexpected shape: {message}", inner: inner);

    /// <summary>The first line, or its first words up to about <see cref="TitleLength"/> characters.</summary>
    internal static string Title(string text)
    {
        var line = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        if (line.Length <= TitleLength)
        {
            return line;
        }

        var cut = line.LastIndexOf(' ', TitleLength);
        return line[..(cut > TitleLength / 2 ? cut : TitleLength)].TrimEnd() + "…";
    }

    /// <summary>Paragraph blocks for the text (blank lines part them, single line breaks stay), then an image block per photo.</summary>
    internal static string PostContent(string text, IReadOnlyList<UploadedMedia> media)
    {
        var content = new StringBuilder();
        foreach (var paragraph in Paragraphs().Split(text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim()).Where(p => p.Length > 0))
        {
            content.Append("<!-- wp:paragraph -->\n<p>")
                .Append(string.Join("<br>", paragraph.Split('\n').Select(Html)))
                .Append("</p>\n<!-- /wp:paragraph -->\n\n");
        }

        foreach (var photo in media)
        {
            content.Append(CultureInfo.InvariantCulture, $"<!-- wp:image {{\"id\":{photo.Id},\"sizeSlug\":\"full\"}} -->\n")
                .Append(CultureInfo.InvariantCulture, $"<figure class=\"wp-block-image size-full\"><img src=\"{Html(photo.SourceUrl)}\" alt=\"\" class=\"wp-image-{photo.Id}\"/></figure>\n")
                .Append("<!-- /wp:image -->\n\n");
        }

        return content.ToString().TrimEnd();
    }

    /// <summary>Only what HTML itself needs escaped, so that accents and other scripts stay readable in the blog's editor.</summary>
    private static string Html(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>
    /// WordPress reads only a plain <c>filename=</c> and picks the file type from its extension, so the name is kept to
    /// safe ASCII and given the extension of the photo's type.
    /// </summary>
    internal static string UploadFileName(PublicationPhoto photo, int index)
    {
        var extension = photo.ContentType.ToLowerInvariant() switch
        {
            "image/jpeg" => ".jpg",
            "image/png" => ".png",
            "image/gif" => ".gif",
            "image/webp" => ".webp",
            _ => Path.GetExtension(photo.FileName).ToLowerInvariant(),
        };
        var stem = UnsafeFileNameCharacters().Replace(Path.GetFileNameWithoutExtension(photo.FileName), "-").Trim('-', '.');
        return (stem.Length > 0 ? stem : string.Create(CultureInfo.InvariantCulture, $"photo-{index + 1}")) + extension;
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex Paragraphs();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeFileNameCharacters();

    private sealed record HeldComment(long Id, PlatformComment Comment);

    private sealed record HeldPage(IReadOnlyList<HeldComment> Comments, int? Total)
    {
        public long HighestId => Comments.Count == 0 ? 0 : Comments.Max(c => c.Id);
    }

    internal sealed record UploadedMedia(long Id, string SourceUrl);

    /// <summary>
    /// Where polling stands in the hold list: <c>m</c>, the highest comment id handed out; <c>s</c>, how many held
    /// comments were at or below it when last read (an estimate, checked on every read).
    /// </summary>
    private sealed record HoldListPosition(long Mark, int Seen)
    {
        public override string ToString() => JsonSerializer.Serialize(new { m = Mark, s = Seen });

        /// <summary>A cursor this connector did not write reads every held comment again rather than risk losing one.</summary>
        public static HoldListPosition Parse(string cursor)
        {
            try
            {
                using var json = JsonDocument.Parse(cursor);
                return new HoldListPosition(json.RootElement.GetProperty("m").GetInt64(), Math.Max(0, json.RootElement.GetProperty("s").GetInt32()));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                return new HoldListPosition(0, 0);
            }
        }
    }
}
