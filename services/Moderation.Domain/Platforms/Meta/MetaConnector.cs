using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>
/// What a Facebook Page and an Instagram professional account share, both being the Graph API: the access token as a
/// bearer header, Meta's error codes and usage headers (<see cref="MetaErrors"/>), Graph paging, the webhook
/// envelope (<c>{"object", "entry": [{"id", "time", "changes": [{"field", "value"}]}]}</c>), hiding and deleting a
/// comment, and polling by a high-water mark of comment time (<see cref="MetaPollWindow"/>).
/// </summary>
internal abstract class MetaConnector(PlatformHttp http, TimeProvider time) : IPlatformConnector
{
    public static readonly Uri GraphApi = new("https://graph.facebook.com/v21.0/");

    public abstract Platform Platform { get; }

    public abstract PlatformCapabilities Capabilities { get; }

    public Uri DefaultApiBaseUrl => GraphApi;

    /// <summary>The webhook body's <c>object</c>: <c>page</c> or <c>instagram</c>.</summary>
    protected abstract string WebhookObject { get; }

    /// <summary>The form field that hides a comment: Facebook's <c>is_hidden</c>, Instagram's <c>hide</c>.</summary>
    protected abstract string HideField { get; }

    // ---- Polling -------------------------------------------------------------------------------------------------

    public async Task<FetchResult> FetchAsync(ConnectedAccount account, string? cursor, int limit, CancellationToken ct)
    {
        limit = Math.Max(1, limit);
        var window = MetaPollWindow.Parse(cursor);

        // One more than asked, to know whether comments were left over.
        var found = MetaPollWindow.Order(await CollectAsync(account, window, limit + 1, ct));
        var taken = found.Take(limit).ToList();
        var more = found.Count > limit && !window.IsBackfill;
        var next = window.After(taken, more, time.GetUtcNow());
        return new FetchResult(taken, next.Serialize(), more);
    }

    /// <summary>
    /// The comments not by the account itself inside <paramref name="window"/>: per post (or media) at least the
    /// newest <paramref name="perSource"/> of them, where there are that many.
    /// </summary>
    protected abstract Task<List<PlatformComment>> CollectAsync(ConnectedAccount account, MetaPollWindow window, int perSource, CancellationToken ct);

    // ---- Webhooks ------------------------------------------------------------------------------------------------

    public IReadOnlyList<PlatformComment> ParseWebhook(string body)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new PlatformPayloadException($"The {Platform} webhook body is not JSON ({ex.Message}).", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PlatformPayloadException($"The {Platform} webhook body is not a JSON object.");
            }

            var kind = GraphJson.String(root, "object");
            if (!string.Equals(kind, WebhookObject, StringComparison.Ordinal))
            {
                throw new PlatformPayloadException($"The {Platform} webhook body is for object '{kind ?? "(none)"}', not '{WebhookObject}'.");
            }

            if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new PlatformPayloadException($"The {Platform} webhook body has no entry list.");
            }

            var comments = new List<PlatformComment>();
            foreach (var entry in entries.EnumerateArray())
            {
                var accountId = (entry.ValueKind == JsonValueKind.Object ? GraphJson.String(entry, "id") : null)
                    ?? throw new PlatformPayloadException($"A {Platform} webhook entry has no id.");
                if (!entry.TryGetProperty("changes", out var changes))
                {
                    // Other subscriptions (Messenger's "messaging") carry no comments.
                    continue;
                }

                if (changes.ValueKind != JsonValueKind.Array)
                {
                    throw new PlatformPayloadException($"The {Platform} webhook entry {accountId} has changes that are not a list.");
                }

                var entryTime = GraphJson.Time(entry, "time");
                foreach (var change in changes.EnumerateArray())
                {
                    if (GraphJson.Object(change, "value") is not { } value)
                    {
                        throw new PlatformPayloadException($"A change in the {Platform} webhook entry {accountId} has no value object.");
                    }

                    if (ParseChange(accountId, entryTime, GraphJson.String(change, "field"), value) is { } comment)
                    {
                        comments.Add(comment with { AccountExternalId = accountId });
                    }
                }
            }

            return comments;
        }
    }

    /// <summary>A new comment by someone other than the account, or null for every other change.</summary>
    /// <exception cref="PlatformPayloadException">A comment change without the fields the platform always sends.</exception>
    protected abstract PlatformComment? ParseChange(string accountId, DateTimeOffset? entryTime, string? field, JsonElement value);

    // ---- Actions -------------------------------------------------------------------------------------------------

    public async Task<PlatformActionResult> ApplyAsync(ConnectedAccount account, PlatformAction action, string platformItemId, CancellationToken ct)
    {
        var id = Uri.EscapeDataString(platformItemId);
        JsonElement answer;
        string done;
        switch (action)
        {
            case PlatformAction.Hide or PlatformAction.Unhide:
                var hide = action == PlatformAction.Hide;
                answer = await PostFormAsync(account, id, [new(HideField, hide ? "true" : "false")], ct);
                done = hide ? "hidden from the public" : "shown to the public again";
                break;
            case PlatformAction.Delete:
                answer = await SendAsync(account, HttpMethod.Delete, id, null, ct);
                done = "deleted";
                break;
            default:
                throw new PlatformCallException(PlatformFailure.Rejected, $"{Platform} comments can be hidden, shown or deleted, not {action}");
        }

        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
        {
            throw new PlatformCallException(PlatformFailure.Rejected, $"{Platform} did not carry out {action} on comment {platformItemId} (success: false)");
        }

        return new PlatformActionResult($"comment {platformItemId} {done}");
    }

    public abstract Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct);

    public abstract Task<string> TestAsync(ConnectedAccount account, CancellationToken ct);

    // ---- Graph HTTP ----------------------------------------------------------------------------------------------

    protected Task<JsonElement> GetAsync(ConnectedAccount account, string relative, CancellationToken ct) =>
        SendAsync(account, HttpMethod.Get, relative, null, ct);

    /// <param name="repeatable">False for a call that makes a public post: it is never retried after it may have arrived.</param>
    protected Task<JsonElement> PostFormAsync(ConnectedAccount account, string relative, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken ct, bool repeatable = true) =>
        SendAsync(account, HttpMethod.Post, relative, () => new FormUrlEncodedContent(form), ct, repeatable);

    /// <summary>
    /// One Graph call, through the account's resilience pipeline. <paramref name="content"/> is built afresh for each
    /// attempt. <paramref name="relative"/> is under the account's API root (<c>v21.0/</c>), or an absolute address on
    /// the same host (a <c>paging.next</c>).
    /// </summary>
    protected async Task<JsonElement> SendAsync(ConnectedAccount account, HttpMethod method, string relative, Func<HttpContent>? content, CancellationToken ct, bool repeatable = true)
    {
        var token = account.Credentials.AccessToken;
        if (string.IsNullOrEmpty(token))
        {
            throw new PlatformCallException(PlatformFailure.Unauthorized, $"the {Platform} account {account.Handle} has no access token");
        }

        var uri = new Uri(Root(account), relative);
        var response = await http.SendAsync(
            account,
            () =>
            {
                var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() };

                // The Graph accepts the token as a bearer header, which keeps it out of URLs (and so out of any log).
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return request;
            },
            ct,
            answer => MetaErrors.Inspect(Platform, answer),
            repeatable);
        using var json = response.Json();
        return json.RootElement.Clone();
    }

    /// <summary>
    /// Each page of a Graph list, up to <paramref name="maxPages"/>, following <c>paging.cursors.after</c> (or, without
    /// it, <c>paging.next</c> when it stays on the account's API host: the token goes nowhere else). With
    /// <paramref name="endIfGone"/>, a list whose object was deleted meanwhile (a post removed between listing the posts
    /// and reading its comments) just ends, so one deleted post does not stop a poll.
    /// </summary>
    protected async IAsyncEnumerable<JsonElement> PagesAsync(
        ConnectedAccount account, string first, int maxPages, [EnumeratorCancellation] CancellationToken ct, bool endIfGone = false)
    {
        string? next = first;
        for (var page = 0; page < maxPages && next is not null; page++)
        {
            JsonElement json;
            try
            {
                json = await GetAsync(account, next, ct);
            }
            catch (PlatformCallException ex) when (endIfGone && ex.Failure == PlatformFailure.NotFound)
            {
                break;
            }

            if (!GraphJson.HasData(json))
            {
                throw new PlatformCallException(PlatformFailure.Malformed, $"{Platform} answered a list request without a data list");
            }

            yield return json;
            next = NextPage(account, first, json);
        }
    }

    private static string? NextPage(ConnectedAccount account, string first, JsonElement page)
    {
        if (GraphJson.Object(page, "paging") is not { } paging || GraphJson.String(paging, "next") is not { Length: > 0 } next)
        {
            return null;
        }

        if (GraphJson.Object(paging, "cursors") is { } cursors && GraphJson.String(cursors, "after") is { Length: > 0 } after)
        {
            return $"{first}{(first.Contains('?', StringComparison.Ordinal) ? '&' : '?')}after={Uri.EscapeDataString(after)}";
        }

        return Uri.TryCreate(next, UriKind.Absolute, out var absolute)
            && string.Equals(absolute.Authority, Root(account).Authority, StringComparison.OrdinalIgnoreCase)
            && absolute.Scheme == Root(account).Scheme
                ? absolute.AbsoluteUri
                : null;
    }

    /// <summary>The account's API root, ending in a slash so relative paths stay under the version.</summary>
    protected static Uri Root(ConnectedAccount account) =>
        account.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? account.ApiBaseUrl : new Uri(account.ApiBaseUrl.AbsoluteUri + "/");

    /// <summary>The id of what the Graph created (<c>{"id": "..."}</c>).</summary>
    protected string CreatedId(JsonElement answer, string what) =>
        GraphJson.String(answer, "id") is { Length: > 0 } id
            ? id
            : throw new PlatformCallException(PlatformFailure.Malformed, $"{Platform} answered the {what} without an id");

    /// <summary>A field of something just published, for its permalink; a failure here must not fail the publish that worked.</summary>
    protected async Task<string?> TryReadFieldAsync(ConnectedAccount account, string id, string field, CancellationToken ct)
    {
        try
        {
            var json = await GetAsync(account, $"{Uri.EscapeDataString(id)}?fields={field}", ct);
            return GraphJson.String(json, field);
        }
        catch (PlatformCallException)
        {
            return null;
        }
    }

    protected static string? AuthorId(JsonElement comment) => GraphJson.Object(comment, "from") is { } from ? GraphJson.String(from, "id") : null;

    protected static PlatformCallException Refused(string reason) => new(PlatformFailure.Rejected, reason);
}
