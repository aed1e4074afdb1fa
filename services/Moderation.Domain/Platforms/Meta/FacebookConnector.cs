using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>
/// A school's Facebook Page. Comments are public the moment they are made, so under pre-moderation each is hidden
/// on arrival. New comments come by the Page's <c>feed</c> webhook; polling the Page's recent posts is the safety
/// net. The Page posts text, and photos attached to a post.
/// </summary>
internal sealed class FacebookConnector(PlatformHttp http, TimeProvider time) : MetaConnector(http, time)
{
    /// <summary>Recent posts read per poll: comments on older posts arrive by webhook only.</summary>
    internal const int PostsPerPoll = 25;

    /// <summary>Pages of one post's comments read per poll.</summary>
    internal const int CommentPagesPerPost = 10;

    private const string CommentFields = "id,message,from,created_time,is_hidden,permalink_url,parent";

    public override Platform Platform => Platform.Facebook;

    public override PlatformCapabilities Capabilities =>
        PlatformCapabilities.Poll | PlatformCapabilities.Webhook | PlatformCapabilities.Hide | PlatformCapabilities.Delete
        | PlatformCapabilities.PublishText | PlatformCapabilities.PublishPhotos;

    protected override string WebhookObject => "page";

    protected override string HideField => "is_hidden";

    protected override async Task<List<PlatformComment>> CollectAsync(ConnectedAccount account, MetaPollWindow window, int perSource, CancellationToken ct)
    {
        var page = Uri.EscapeDataString(account.ExternalId);
        var posts = new List<string>();
        await foreach (var list in PagesAsync(account, $"{page}/posts?fields=id,created_time,updated_time,permalink_url&limit={PostsPerPoll}", 1, ct))
        {
            foreach (var post in GraphJson.Data(list))
            {
                // A post's updated_time moves when someone comments on it: a post untouched since the mark has nothing new.
                if (GraphJson.String(post, "id") is { } id && !window.IsBefore(GraphJson.Time(post, "updated_time")))
                {
                    posts.Add(id);
                }
            }
        }

        var found = new List<PlatformComment>();
        foreach (var postId in posts)
        {
            var fromPost = 0;
            var first = $"{Uri.EscapeDataString(postId)}/comments?filter=stream&order=reverse_chronological&fields={CommentFields}&limit={Math.Min(100, perSource)}";
            await foreach (var list in PagesAsync(account, first, CommentPagesPerPost, ct, endIfGone: true))
            {
                var older = false;
                foreach (var element in GraphJson.Data(list))
                {
                    var comment = Comment(element, postId);
                    if (comment is null || comment.AuthorPlatformId == account.ExternalId)
                    {
                        continue;
                    }

                    if (window.IsBefore(comment.PostedAt))
                    {
                        // Newest first: everything after this was read by an earlier poll.
                        older = true;
                        break;
                    }

                    if (window.Contains(comment))
                    {
                        found.Add(comment);
                        fromPost++;
                    }
                }

                if (older || fromPost >= perSource)
                {
                    break;
                }
            }
        }

        return found;
    }

    private static PlatformComment? Comment(JsonElement element, string postId)
    {
        if (GraphJson.String(element, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        var from = GraphJson.Object(element, "from");
        var parent = GraphJson.Object(element, "parent") is { } p ? GraphJson.String(p, "id") : null;
        return new PlatformComment(
            id,
            ItemKind.InboundComment,
            from is { } f ? GraphJson.String(f, "name") : null,
            from is { } a ? GraphJson.String(a, "id") : null,
            GraphJson.String(element, "message") ?? "",
            GraphJson.Time(element, "created_time"),
            parent ?? postId,
            GraphJson.String(element, "permalink_url") ?? CommentUrl(postId, id),
            PubliclyVisible: !GraphJson.Bool(element, "is_hidden"),
            element.GetRawText());
    }

    /// <summary>
    /// A <c>feed</c> change that adds a comment. Reactions, shares, posts, and edits, hides and removals of comments
    /// arrive on the same field and are ignored for now: an edited comment is not re-screened, and one removed on
    /// Facebook stays in the queue until decided. The Page's own comments (its replies) are not moderated.
    /// </summary>
    protected override PlatformComment? ParseChange(string accountId, DateTimeOffset? entryTime, string? field, JsonElement value)
    {
        if (field != "feed" || GraphJson.String(value, "item") != "comment" || GraphJson.String(value, "verb") != "add")
        {
            return null;
        }

        var id = GraphJson.String(value, "comment_id") is { Length: > 0 } commentId
            ? commentId
            : throw new PlatformPayloadException($"A Facebook comment change for Page {accountId} has no comment_id.");
        var from = GraphJson.Object(value, "from");
        var authorId = from is { } a ? GraphJson.String(a, "id") : null;
        if (authorId == accountId)
        {
            return null;
        }

        var postId = GraphJson.String(value, "post_id");
        return new PlatformComment(
            id,
            ItemKind.InboundComment,
            from is { } f ? GraphJson.String(f, "name") : null,
            authorId,
            GraphJson.String(value, "message") ?? "",
            GraphJson.Time(value, "created_time") ?? entryTime,
            GraphJson.String(value, "parent_id") ?? postId,
            CommentUrl(postId, id),
            PubliclyVisible: true,
            value.GetRawText());
    }

    /// <summary>
    /// Where a comment is seen when the Graph gives no permalink (webhooks never do): the post's address with the
    /// comment picked out, from Graph ids of the form <c>{page}_{post}</c> and <c>{post}_{comment}</c>.
    /// </summary>
    internal static string CommentUrl(string? postId, string commentId)
    {
        var comment = commentId.Contains('_', StringComparison.Ordinal) ? commentId[(commentId.LastIndexOf('_') + 1)..] : commentId;
        if (postId is not null && postId.Split('_') is [var pageId, var post] && pageId.Length > 0 && post.Length > 0)
        {
            return $"https://www.facebook.com/{Uri.EscapeDataString(pageId)}/posts/{Uri.EscapeDataString(post)}?comment_id={Uri.EscapeDataString(comment)}";
        }

        return $"https://www.facebook.com/{Uri.EscapeDataString(commentId)}";
    }

    /// <summary>
    /// Text alone goes straight to the Page's feed. Photos are uploaded unpublished first, then attached to one post
    /// with the text, so the post appears once, whole.
    /// </summary>
    public override async Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(publication.Text) && publication.Photos.Count == 0)
        {
            throw Refused("there is nothing to post: no text and no photos");
        }

        var page = Uri.EscapeDataString(account.ExternalId);
        var photoIds = new List<string>(publication.Photos.Count);
        foreach (var photo in publication.Photos)
        {
            var uploaded = await SendAsync(account, HttpMethod.Post, $"{page}/photos", () => PhotoUpload(photo), ct);
            photoIds.Add(CreatedId(uploaded, $"photo upload of {photo.FileName}"));
        }

        var form = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrWhiteSpace(publication.Text))
        {
            form.Add(new("message", publication.Text));
        }

        for (var i = 0; i < photoIds.Count; i++)
        {
            form.Add(new(string.Create(CultureInfo.InvariantCulture, $"attached_media[{i}]"), JsonSerializer.Serialize(new { media_fbid = photoIds[i] })));
        }

        var post = await PostFormAsync(account, $"{page}/feed", form, ct, repeatable: false);
        var postId = CreatedId(post, "post");
        var url = await TryReadFieldAsync(account, postId, "permalink_url", ct) ?? $"https://www.facebook.com/{Uri.EscapeDataString(postId)}";
        var what = photoIds.Count == 0 ? "text" : string.Create(CultureInfo.InvariantCulture, $"{photoIds.Count} photo(s)");
        return new PlatformActionResult($"posted to the Page ({what}) as {postId}", postId, url);
    }

    private static MultipartFormDataContent PhotoUpload(PublicationPhoto photo)
    {
        var file = new ByteArrayContent(photo.Content);
        file.Headers.ContentType = new MediaTypeHeaderValue(photo.ContentType);
        return new MultipartFormDataContent
        {
            { file, "source", string.IsNullOrWhiteSpace(photo.FileName) ? "photo" : photo.FileName },
            { new StringContent("false"), "published" },
        };
    }

    public override async Task<string> TestAsync(ConnectedAccount account, CancellationToken ct)
    {
        var json = await GetAsync(account, $"{Uri.EscapeDataString(account.ExternalId)}?fields=id,name", ct);
        return $"Facebook Page {GraphJson.String(json, "name") ?? account.Handle} ({GraphJson.String(json, "id") ?? account.ExternalId})";
    }
}
