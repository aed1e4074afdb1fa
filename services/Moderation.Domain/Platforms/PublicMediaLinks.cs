using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Moderation.Domain.Notifications;

namespace Moderation.Domain.Platforms;

/// <summary>
/// Public addresses of approved drafts' photos, for platforms that fetch a photo rather than take its bytes
/// (Instagram's content publishing reads <c>image_url</c>). A link names one photo, is signed by this service and
/// expires; the API serves the location-stripped copy behind it to anyone holding it (<c>GET /public/media/{token}</c>).
/// </summary>
public interface IPublicMediaLinks
{
    /// <summary>An address that serves the photo's publishable copy until it expires.</summary>
    /// <exception cref="PublicMediaUnavailableException">No public address of this service is configured.</exception>
    Uri LinkFor(Guid mediaId);

    /// <summary>The photo a token names, if the token is this service's, unaltered and not expired.</summary>
    bool TryRead(string token, out Guid mediaId);
}

/// <summary>The photo cannot be offered at a public address (no <c>Notifications:PublicBaseUrl</c>).</summary>
public sealed class PublicMediaUnavailableException(string message) : Exception(message);

/// <summary>
/// Tokens from ASP.NET Core Data Protection's time-limited protector, so only this service (the API and the workers,
/// which share the key ring) can make one, and none outlives <see cref="Lifetime"/>. The address comes from
/// <see cref="NotificationOptions.PublicBaseUrl"/>, the address the service is reached at from outside.
/// </summary>
public sealed class PublicMediaLinks(IDataProtectionProvider provider, IOptions<NotificationOptions> options, TimeProvider time) : IPublicMediaLinks
{
    public const string RoutePrefix = "public/media";

    /// <summary>Long enough for a platform to fetch the photo while publishing, short enough not to become a permanent address.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private const string Purpose = "Moderation.Platforms.PublicMedia.v1";
    private readonly ITimeLimitedDataProtector _protector = provider.CreateProtector(Purpose).ToTimeLimitedDataProtector();

    public Uri LinkFor(Guid mediaId)
    {
        var baseUrl = options.Value.PublicBaseUrl;
        if (string.IsNullOrWhiteSpace(baseUrl) || !Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var root))
        {
            throw new PublicMediaUnavailableException(
                "the platform fetches photos from a public address of this service, and none is configured (Notifications:PublicBaseUrl)");
        }

        var token = _protector.Protect(mediaId.ToString("N"), time.GetUtcNow() + Lifetime);
        return new Uri(root, $"{RoutePrefix}/{token}");
    }

    public bool TryRead(string token, out Guid mediaId)
    {
        mediaId = Guid.Empty;
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2048)
        {
            return false;
        }

        try
        {
            return Guid.TryParseExact(_protector.Unprotect(token, out _), "N", out mediaId);
        }
        catch (CryptographicException)
        {
            // Altered, made with other keys, or expired.
            return false;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
