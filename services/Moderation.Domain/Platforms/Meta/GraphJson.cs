using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>Reading the Graph API's JSON, which writes ids as strings or numbers and times as ISO text or Unix seconds.</summary>
internal static partial class GraphJson
{
    public static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    public static int? Int(JsonElement obj, string name) => Long(obj, name) is { } n and >= int.MinValue and <= int.MaxValue ? (int)n : null;

    public static long? Long(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt64(out var n) => n,
                JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
                _ => null,
            }
            : null;

    public static bool Bool(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
        && (value.ValueKind == JsonValueKind.True
            || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase)));

    public static JsonElement? Object(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    /// <summary>The items of a <c>{"data": [...]}</c> list (the Graph's edges and nested edges).</summary>
    public static IEnumerable<JsonElement> Data(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)
            : [];

    public static bool HasData(JsonElement obj) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array;

    /// <summary>
    /// A time as the Graph writes it: ISO 8601 with a <c>+0000</c> offset in API answers, Unix seconds in webhooks
    /// (milliseconds in a few of them).
    /// </summary>
    public static DateTimeOffset? Time(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return FromUnix(number);
        }

        return value.ValueKind == JsonValueKind.String ? ParseTime(value.GetString()) : null;
    }

    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return FromUnix(number);
        }

        // "2024-05-01T10:00:00+0000": .NET wants the offset as +00:00.
        var normalised = CompactOffset().Replace(text, "$1$2:$3");
        return DateTimeOffset.TryParse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.ToUniversalTime()
            : null;
    }

    private static DateTimeOffset? FromUnix(long number)
    {
        // Seconds until the year 5138; anything larger is milliseconds.
        const long MillisecondsThreshold = 100_000_000_000;
        try
        {
            return number >= MillisecondsThreshold ? DateTimeOffset.FromUnixTimeMilliseconds(number) : DateTimeOffset.FromUnixTimeSeconds(number);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"([+-])(\d{2})(\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex CompactOffset();
}
