using System.Net.Http.Headers;
using System.Text.Json;

namespace Moderation.Domain.Platforms;

/// <summary>Requests and answers shared by the connectors that speak OAuth 2 and JSON (YouTube, X).</summary>
public static class PlatformRequests
{
    /// <summary>
    /// A request to the account's API root with its access token as a Bearer header: never in the URL, which
    /// <see cref="PlatformHttp"/> may log.
    /// </summary>
    /// <exception cref="PlatformCallException">With <see cref="PlatformFailure.Unauthorized"/> when the account has no token.</exception>
    public static HttpRequestMessage Bearer(ConnectedAccount account, HttpMethod method, string relativeUrl, HttpContent? content = null)
    {
        if (string.IsNullOrEmpty(account.Credentials.AccessToken))
        {
            throw new PlatformCallException(PlatformFailure.Unauthorized, $"the {account.Platform} account {account.Handle} has no access token");
        }

        // A root without its final slash would drop its last segment ("/2") when the path is resolved against it.
        var root = account.ApiBaseUrl.AbsoluteUri.EndsWith('/') ? account.ApiBaseUrl : new Uri(account.ApiBaseUrl.AbsoluteUri + "/");
        var request = new HttpRequestMessage(method, new Uri(root, relativeUrl)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", account.Credentials.AccessToken);
        return request;
    }

    /// <summary>A property the platform documents as always there; its absence is the platform misbehaving.</summary>
    /// <exception cref="PlatformCallException">With <see cref="PlatformFailure.Malformed"/>.</exception>
    public static JsonElement Required(this JsonElement element, string name, JsonValueKind kind)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind)
        {
            return value;
        }

        throw new PlatformCallException(PlatformFailure.Malformed, $"the platform's answer has no {kind.ToString().ToLowerInvariant()} '{name}' where its documentation promises one");
    }

    public static string RequiredString(this JsonElement element, string name) => element.Required(name, JsonValueKind.String).GetString()!;

    /// <summary>A string property, or null when it is missing or not a string.</summary>
    public static string? OptionalString(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>An object or array property, or null when it is missing.</summary>
    public static JsonElement? Optional(this JsonElement element, string name, JsonValueKind kind) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;

    /// <summary>A body that may be JSON (an error answer), or null when it is not.</summary>
    public static JsonElement? TryParse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A time the platform gave as ISO 8601.</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
