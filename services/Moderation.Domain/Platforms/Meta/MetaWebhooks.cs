using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>What the webhook endpoint checks before it stores a Meta body: the signature, and whose body it is.</summary>
public static class MetaWebhooks
{
    public const string SignatureHeader = "X-Hub-Signature-256";

    private const string SignaturePrefix = "sha256=";

    /// <summary>
    /// Whether <paramref name="signature"/> is <c>sha256=</c> and the hex HMAC-SHA256 of the raw body keyed with the
    /// app secret. Without a secret nothing is valid. The comparison takes the same time wherever the digests differ.
    /// </summary>
    public static bool IsSignatureValid(string? appSecret, ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrEmpty(appSecret) || signature is null
            || !signature.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase)
            || signature.Length != SignaturePrefix.Length + (HMACSHA256.HashSizeInBytes * 2))
        {
            return false;
        }

        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(signature.AsSpan(SignaturePrefix.Length), claimed, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != claimed.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, claimed);
    }

    /// <summary>The signature Meta would send for <paramref name="body"/> (for tests and tools).</summary>
    public static string Sign(string appSecret, ReadOnlySpan<byte> body) =>
        SignaturePrefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    /// <summary>The platform a body's <c>object</c> names: <c>page</c> is Facebook, <c>instagram</c> Instagram.</summary>
    public static Platform? PlatformOf(string? webhookObject) => webhookObject switch
    {
        "page" => Platform.Facebook,
        "instagram" => Platform.Instagram,
        _ => null,
    };

    /// <summary>The envelope of a body: its platform and the account ids its entries name, in order, once each.</summary>
    /// <exception cref="PlatformPayloadException">Not an object with a known <c>object</c> and an <c>entry</c> list of ids.</exception>
    public static (Platform Platform, IReadOnlyList<string> AccountIds) ReadEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PlatformPayloadException("The body is not a JSON object.");
        }

        var kind = GraphJson.String(root, "object");
        var platform = PlatformOf(kind)
            ?? throw new PlatformPayloadException($"The body's object is '{kind ?? "(none)"}'; only 'page' and 'instagram' are accepted.");
        if (!root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw new PlatformPayloadException("The body has no entry list.");
        }

        var ids = new List<string>();
        foreach (var entry in entries.EnumerateArray())
        {
            var id = GraphJson.String(entry, "id") ?? throw new PlatformPayloadException("An entry has no id.");
            if (!ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
            }
        }

        return ids.Count > 0 ? (platform, ids) : throw new PlatformPayloadException("The body's entry list is empty.");
    }
}
