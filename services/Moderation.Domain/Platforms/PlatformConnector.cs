using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

/// <summary>What a platform really lets a school do; the API and UI offer only these.</summary>
[Flags]
public enum PlatformCapabilities
{
    None = 0,

    /// <summary>Pending comments can be read by polling.</summary>
    Poll = 1 << 0,

    /// <summary>The platform pushes new comments to a webhook.</summary>
    Webhook = 1 << 1,

    /// <summary>Others' content can be hidden from the public (and shown again).</summary>
    Hide = 1 << 2,

    /// <summary>Content the platform holds for review can be published (approved).</summary>
    ApproveHeld = 1 << 3,

    /// <summary>Others' content can be deleted (or rejected, or trashed).</summary>
    Delete = 1 << 4,

    /// <summary>The school can post its own text through the API.</summary>
    PublishText = 1 << 5,

    /// <summary>The school can post photos through the API.</summary>
    PublishPhotos = 1 << 6,

    /// <summary>The school may change the text of others' comments (a blog's own comments), so an approval can publish the redacted text.</summary>
    EditComments = 1 << 7,
}

/// <summary>An account's secrets as the connector needs them; stored encrypted (<see cref="CredentialProtector"/>).</summary>
/// <param name="AccessToken">A page, user or OAuth access token (Facebook, Instagram, YouTube, X).</param>
/// <param name="Username">The WordPress user an application password belongs to.</param>
/// <param name="Password">A WordPress application password.</param>
public sealed record PlatformCredentials(string? AccessToken = null, string? Username = null, string? Password = null)
{
    /// <summary>Never prints a secret, wherever a record ends up being logged.</summary>
    public override string ToString() =>
        $"PlatformCredentials {{ AccessToken = {(AccessToken is null ? "none" : "***")}, Username = {Username ?? "none"}, Password = {(Password is null ? "none" : "***")} }}";
}

/// <summary>An account ready for a connector: where its API is and the decrypted credentials.</summary>
public sealed record ConnectedAccount(
    Guid Id,
    Guid SchoolId,
    Platform Platform,
    string ExternalId,
    string Handle,
    Uri ApiBaseUrl,
    PlatformCredentials Credentials);

/// <summary>A comment or post as the platform gave it, before it is stored.</summary>
/// <param name="PlatformItemId">The platform's own id, unique within the account.</param>
/// <param name="ParentId">The post (or thread) the comment belongs to, where there is one.</param>
/// <param name="PubliclyVisible">True when the platform already shows it to the public (Facebook, Instagram, X).</param>
/// <param name="RawJson">The platform's own JSON for this comment, kept as evidence.</param>
/// <param name="AccountExternalId">
/// The account a webhook entry named (a Page id, an Instagram user id): one body may carry several accounts' comments.
/// Null from polling, which reads one account.
/// </param>
public sealed record PlatformComment(
    string PlatformItemId,
    ItemKind Kind,
    string? AuthorName,
    string? AuthorPlatformId,
    string Text,
    DateTimeOffset? PostedAt,
    string? ParentId,
    string? Url,
    bool PubliclyVisible,
    string RawJson,
    string? AccountExternalId = null);

/// <summary>One page of pending comments and where to continue next time.</summary>
/// <param name="NextCursor">Stored and handed back on the next poll; null keeps the stored cursor.</param>
/// <param name="More">True when the platform has more right now (the poller reads on, up to its page limit).</param>
public sealed record FetchResult(IReadOnlyList<PlatformComment> Comments, string? NextCursor, bool More);

/// <summary>A staff post approved for publishing: the approved text and the location-stripped photos.</summary>
public sealed record Publication(Guid ItemId, string Text, IReadOnlyList<PublicationPhoto> Photos);

/// <param name="MediaId">
/// The stored photo (<c>ItemMedia</c>), for platforms that fetch a photo from a public address rather than take its
/// bytes (Instagram, through <see cref="IPublicMediaLinks"/>).
/// </param>
public sealed record PublicationPhoto(string FileName, string ContentType, byte[] Content, Guid? MediaId = null);

/// <summary>What the platform answered to an action: its id for what was created, and a short description.</summary>
public sealed record PlatformActionResult(string Description, string? PlatformId = null, string? Url = null);

/// <summary>
/// One platform behind one interface. Connectors speak HTTP through <see cref="PlatformHttp"/>, which applies the
/// account's resilience pipeline and turns every failure into a <see cref="PlatformCallException"/>.
/// </summary>
public interface IPlatformConnector
{
    Platform Platform { get; }

    PlatformCapabilities Capabilities { get; }

    /// <summary>The public API root used when an account names none (tests and self-hosted blogs name their own).</summary>
    Uri DefaultApiBaseUrl { get; }

    /// <summary>
    /// Pending comments since <paramref name="cursor"/> (null on first connection: at most <paramref name="limit"/> of
    /// the most recent, the bounded backfill).
    /// </summary>
    Task<FetchResult> FetchAsync(ConnectedAccount account, string? cursor, int limit, CancellationToken ct);

    /// <summary>The comments in a webhook body the platform pushed (already signature-checked); others answer none.</summary>
    /// <exception cref="PlatformPayloadException">The body is not what the platform sends.</exception>
    IReadOnlyList<PlatformComment> ParseWebhook(string body);

    /// <summary>Carries out a moderation action on someone else's comment.</summary>
    Task<PlatformActionResult> ApplyAsync(ConnectedAccount account, PlatformAction action, string platformItemId, CancellationToken ct);

    /// <summary>Posts an approved staff draft as the school.</summary>
    Task<PlatformActionResult> PublishAsync(ConnectedAccount account, Publication publication, CancellationToken ct);

    /// <summary>Checks the credentials with a cheap read; returns what the platform says the account is.</summary>
    Task<string> TestAsync(ConnectedAccount account, CancellationToken ct);
}

/// <summary>A platform where the school may rewrite a visitor's comment as it approves it (see <see cref="PlatformCapabilities.EditComments"/>).</summary>
public interface ICommentEditor
{
    /// <summary>Replaces the comment's text with <paramref name="text"/> and makes it public, in one call.</summary>
    Task<PlatformActionResult> ApproveWithTextAsync(ConnectedAccount account, string platformItemId, string text, CancellationToken ct);
}

public static class PlatformCapabilityRules
{
    /// <summary>
    /// Whether the platform can carry out <paramref name="action"/>: on someone else's comment, or (for
    /// <paramref name="ownPost"/>) publishing the school's draft, with photos when <paramref name="photos"/>.
    /// </summary>
    public static bool Supports(this PlatformCapabilities capabilities, PlatformAction action, bool ownPost = false, bool photos = false) => action switch
    {
        PlatformAction.None => true,
        PlatformAction.Hide or PlatformAction.Unhide => capabilities.HasFlag(PlatformCapabilities.Hide),
        PlatformAction.Delete => capabilities.HasFlag(PlatformCapabilities.Delete),
        PlatformAction.Publish when ownPost => capabilities.HasFlag(photos ? PlatformCapabilities.PublishPhotos : PlatformCapabilities.PublishText),
        PlatformAction.Publish => capabilities.HasFlag(PlatformCapabilities.ApproveHeld),
        _ => false,
    };
}
