using System.Globalization;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>
/// A school's Instagram professional account, through the Graph API with the Page's token. Comments are public at
/// once, like Facebook's. New ones come by the <c>comments</c> webhook; polling the recent media is the safety net.
/// Instagram publishes photos only (one, or a carousel of up to ten), and fetches each from a public address
/// rather than taking its bytes: the service offers the location-stripped copy at a signed link that expires
/// (<see cref="IPublicMediaLinks"/>).
/// </summary>
internal sealed class InstagramConnector(PlatformHttp http, TimeProvider time, IPublicMediaLinks links) : MetaConnector(http, time)
{
    /// <summary>Recent media read per poll: comments on older media arrive by webhook only.</summary>
    internal const int MediaPerPoll = 25;

    /// <summary>Pages of one media's comments read per poll (Instagram does not promise an order, so all are read).</summary>
    internal const int CommentPagesPerMedia = 5;

    internal const int MaxCarouselPhotos = 10;
    internal const int MaxCaptionLength = 2200;

    private const string CommentFields = "id,text,username,from,timestamp,hidden";

    public override Platform Platform => Platform.Instagram;

    public override PlatformCapabilities Capabilities =>
        PlatformCapabilities.Poll | PlatformCapabilities.Webhook | PlatformCapabilities.Hide | PlatformCapabilities.Delete
        | PlatformCapabilities.PublishPhotos;

    protected override string WebhookObject => "instagram";

    protected override string HideField => "hide";

    protected override async Task<List<PlatformComment>> CollectAsync(ConnectedAccount account, MetaPollWindow window, int perSource, CancellationToken ct)
    {
        var user = Uri.EscapeDataString(account.ExternalId);
        var media = new List<(string Id, string? Url)>();
        await foreach (var list in PagesAsync(account, $"{user}/media?fields=id,timestamp,permalink,comments_count&limit={MediaPerPoll}", 1, ct))
        {
            foreach (var item in GraphJson.Data(list))
            {
                if (GraphJson.String(item, "id") is { } id && GraphJson.Long(item, "comments_count") is not 0)
                {
                    media.Add((id, GraphJson.String(item, "permalink")));
                }
            }
        }

        var fields = Uri.EscapeDataString($"{CommentFields},replies{{{CommentFields}}}");
        var found = new List<PlatformComment>();
        foreach (var (mediaId, mediaUrl) in media)
        {
            var first = $"{Uri.EscapeDataString(mediaId)}/comments?fields={fields}&limit={Math.Clamp(perSource, 1, 50)}";
            await foreach (var list in PagesAsync(account, first, CommentPagesPerMedia, ct, endIfGone: true))
            {
                foreach (var element in GraphJson.Data(list))
                {
                    var comment = Comment(element, mediaId, mediaUrl);
                    if (comment is null)
                    {
                        continue;
                    }

                    Keep(comment);
                    if (GraphJson.Object(element, "replies") is { } replies)
                    {
                        foreach (var reply in GraphJson.Data(replies))
                        {
                            if (Comment(reply, comment.PlatformItemId, mediaUrl) is { } answer)
                            {
                                Keep(answer);
                            }
                        }
                    }
                }
            }
        }

        return found;

        void Keep(PlatformComment comment)
        {
            if (!IsOwn(account, comment) && window.Contains(comment))
            {
                found.Add(comment);
            }
        }
    }

    private static bool IsOwn(ConnectedAccount account, PlatformComment comment) =>
        comment.AuthorPlatformId == account.ExternalId
        || (comment.AuthorName is { } name && string.Equals(name, account.Handle.TrimStart('@'), StringComparison.OrdinalIgnoreCase));

    private static PlatformComment? Comment(JsonElement element, string parentId, string? url)
    {
        if (GraphJson.String(element, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        var from = GraphJson.Object(element, "from");
        var raw = element.TryGetProperty("replies", out _) ? WithoutReplies(element) : element.GetRawText();
        return new PlatformComment(
            id,
            ItemKind.InboundComment,
            GraphJson.String(element, "username") ?? (from is { } f ? GraphJson.String(f, "username") : null),
            from is { } a ? GraphJson.String(a, "id") : null,
            GraphJson.String(element, "text") ?? "",
            GraphJson.Time(element, "timestamp"),
            parentId,
            url,
            PubliclyVisible: !GraphJson.Bool(element, "hidden"),
            raw);
    }

    /// <summary>A comment's own JSON, without its replies, which are items of their own.</summary>
    private static string WithoutReplies(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in element.EnumerateObject().Where(p => p.Name != "replies"))
            {
                property.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// A <c>comments</c> change: a new comment or reply on the account's media. Mentions, live comments and story
    /// insights come on other fields and are ignored; so are the account's own comments.
    /// </summary>
    protected override PlatformComment? ParseChange(string accountId, DateTimeOffset? entryTime, string? field, JsonElement value)
    {
        if (field != "comments")
        {
            return null;
        }

        var id = GraphJson.String(value, "id") is { Length: > 0 } commentId
            ? commentId
            : throw new PlatformPayloadException($"An Instagram comment change for account {accountId} has no id.");
        var from = GraphJson.Object(value, "from");
        var authorId = from is { } a ? GraphJson.String(a, "id") : null;
        if (authorId == accountId)
        {
            return null;
        }

        var mediaId = GraphJson.Object(value, "media") is { } media ? GraphJson.String(media, "id") : null;
        return new PlatformComment(
            id,
            ItemKind.InboundComment,
            from is { } f ? GraphJson.String(f, "username") : null,
            authorId,
            GraphJson.String(value, "text") ?? "",

            // The change carries no time of its own; the entry's is when Meta recorded it.
            entryTime,
            GraphJson.String(value, "parent_id") ?? mediaId,

            // Instagram's addresses use a shortcode the webhook does not carry.
            null,
            PubliclyVisible: true,
            value.GetRawText());
    }

    /// <summary>
    /// A container per photo (<c>image_url</c> at the service's signed public link), a carousel container for
    /// several, then <c>media_publish</c>. Instagram needs a photo and takes JPEG only, so a text-only draft or another
    /// format is refused with the reason rather than half-published.
    /// </summary>
    public override async Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct)
    {
        if (publication.Photos.Count == 0)
        {
            throw Refused("Instagram cannot publish text alone; the draft needs a photo");
        }

        if (publication.Photos.Count > MaxCarouselPhotos)
        {
            throw Refused(string.Create(CultureInfo.InvariantCulture, $"Instagram publishes at most {MaxCarouselPhotos} photos in one post"));
        }

        if (publication.Text.Length > MaxCaptionLength)
        {
            throw Refused(string.Create(CultureInfo.InvariantCulture, $"Instagram captions are at most {MaxCaptionLength} characters; this one has {publication.Text.Length}"));
        }

        var urls = new List<string>(publication.Photos.Count);
        foreach (var photo in publication.Photos)
        {
            if (!string.Equals(photo.ContentType, "image/jpeg", StringComparison.OrdinalIgnoreCase))
            {
                throw Refused($"Instagram publishes JPEG photos only; '{photo.FileName}' is {photo.ContentType}");
            }

            if (photo.MediaId is not { } mediaId)
            {
                throw Refused($"the photo '{photo.FileName}' is not stored, so Instagram cannot fetch it");
            }

            try
            {
                urls.Add(links.LinkFor(mediaId).AbsoluteUri);
            }
            catch (PublicMediaUnavailableException ex)
            {
                throw Refused(ex.Message);
            }
        }

        var user = Uri.EscapeDataString(account.ExternalId);
        string container;
        if (urls.Count == 1)
        {
            container = CreatedId(await PostFormAsync(account, $"{user}/media", [new("image_url", urls[0]), new("caption", publication.Text)], ct), "photo container");
        }
        else
        {
            var children = new List<string>(urls.Count);
            foreach (var url in urls)
            {
                children.Add(CreatedId(await PostFormAsync(account, $"{user}/media", [new("image_url", url), new("is_carousel_item", "true")], ct), "carousel item"));
            }

            container = CreatedId(
                await PostFormAsync(account, $"{user}/media", [new("media_type", "CAROUSEL"), new("children", string.Join(',', children)), new("caption", publication.Text)], ct),
                "carousel container");
        }

        // A container still being processed answers code 9007, which is retried (MetaErrors).
        var published = CreatedId(await PostFormAsync(account, $"{user}/media_publish", [new("creation_id", container)], ct, repeatable: false), "publish");
        var permalink = await TryReadFieldAsync(account, published, "permalink", ct);
        return new PlatformActionResult(string.Create(CultureInfo.InvariantCulture, $"published on Instagram ({urls.Count} photo(s)) as {published}"), published, permalink);
    }

    public override async Task<string> TestAsync(ConnectedAccount account, CancellationToken ct)
    {
        var json = await GetAsync(account, $"{Uri.EscapeDataString(account.ExternalId)}?fields=id,username", ct);
        return $"Instagram account @{GraphJson.String(json, "username") ?? account.Handle.TrimStart('@')} ({GraphJson.String(json, "id") ?? account.ExternalId})";
    }
}
