using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>
/// Meta's own error shape, <c>{"error":{"message","type","code","error_subcode","fbtrace_id"}}</c>, and its usage
/// headers, turned into a <see cref="PlatformCallException"/>. The Graph API answers an expired token or a missing
/// permission with 400 as often as 401 or 403, so the code decides, not the status.
/// </summary>
internal static class MetaErrors
{
    /// <summary>Per-app and per-business usage, in percent of the allowance; at 100 Meta throttles.</summary>
    public const string BusinessUsageHeader = "X-Business-Use-Case-Usage";
    public const string AppUsageHeader = "X-App-Usage";

    /// <summary>How long to wait when Meta throttles without saying for how long: its windows roll over in minutes, not seconds.</summary>
    public static readonly TimeSpan DefaultThrottleWait = TimeSpan.FromMinutes(5);

    private static readonly string[] s_usageFields = ["call_count", "total_cputime", "total_time"];

    /// <summary>
    /// A refusal for an unsuccessful answer, classified by Meta's error code where it has one (else by status, with
    /// Meta's message), or null to leave it to <see cref="PlatformHttp"/>'s status mapping. A
    /// successful answer is never refused, even with a usage header at 100: the call was carried out (a post was
    /// made), and refusing it would make the caller try again; the next call is the one Meta throttles.
    /// </summary>
    public static PlatformCallException? Inspect(Platform platform, PlatformResponse response)
    {
        var status = (int)response.Status;
        if (status is >= 200 and < 300)
        {
            return null;
        }

        var error = ReadError(response.Body);
        var throttled = UsageAtLimit(response.Headers, out var regain);
        PlatformFailure? failure = error is null ? null : Classify(error.Code, error.Subcode, error.IsTransient) ?? PlatformHttp.Classify(response.Status);
        if (throttled && failure is not PlatformFailure.Unauthorized)
        {
            failure = PlatformFailure.RateLimited;
        }

        if (failure is null)
        {
            // Not Meta's shape (a proxy's error page): the status decides.
            return null;
        }

        var retryAfter = failure == PlatformFailure.RateLimited
            ? regain ?? RetryAfter(response.Headers) ?? DefaultThrottleWait
            : RetryAfter(response.Headers);
        var description = error is null
            ? $"{platform} throttled the service ({BusinessUsageHeader} at 100%), answering {status}"
            : $"{platform} answered {status}: {error.Message} ({error.Describe()})";
        return new PlatformCallException(failure.Value, description, status, retryAfter);
    }

    /// <summary>What a Graph error code means for the caller.</summary>
    public static PlatformFailure? Classify(int? code, int? subcode, bool transient) => code switch
    {
        // 190: the access token expired, was revoked or is invalid; 102: the session is.
        190 or 102 => PlatformFailure.Unauthorized,

        // 10 and 200-299: a permission the token lacks (the Page role was removed, a permission was declined).
        10 or (>= 200 and <= 299) => PlatformFailure.Unauthorized,

        // 4 (app), 17 (user), 32 (Page), 613 (custom) and 80000-80014 (business use case) rate limits.
        4 or 17 or 32 or 613 or (>= 80000 and <= 80014) => PlatformFailure.RateLimited,

        // 100/33: "Object with ID ... does not exist": the comment was deleted meanwhile.
        100 when subcode == 33 => PlatformFailure.NotFound,

        // 1 and 2: an unknown or temporary error on Meta's side; 9007: an Instagram container still being processed.
        1 or 2 or 9007 => PlatformFailure.Transient,
        _ when transient => PlatformFailure.Transient,
        _ => null,
    };

    /// <summary>
    /// Whether Meta says the allowance is used up: any of <c>call_count</c>, <c>total_cputime</c> or
    /// <c>total_time</c> at 100 in <c>X-Business-Use-Case-Usage</c> (with <c>estimated_time_to_regain_access</c> in
    /// minutes) or in <c>X-App-Usage</c>.
    /// </summary>
    public static bool UsageAtLimit(HttpResponseHeaders headers, out TimeSpan? regain)
    {
        regain = null;
        var atLimit = false;
        if (headers.TryGetValues(BusinessUsageHeader, out var business))
        {
            foreach (var value in business)
            {
                foreach (var usage in BusinessUsages(value))
                {
                    if (!AtLimit(usage))
                    {
                        continue;
                    }

                    atLimit = true;
                    if (usage.TryGetProperty("estimated_time_to_regain_access", out var minutes) && Number(minutes) is { } m && m > 0)
                    {
                        var wait = TimeSpan.FromMinutes(m);
                        regain = regain is { } longest && longest > wait ? longest : wait;
                    }
                }
            }
        }

        if (headers.TryGetValues(AppUsageHeader, out var app))
        {
            foreach (var value in app)
            {
                if (TryParse(value) is { ValueKind: JsonValueKind.Object } usage && AtLimit(usage))
                {
                    atLimit = true;
                }
            }
        }

        return atLimit;
    }

    private static IEnumerable<JsonElement> BusinessUsages(string header)
    {
        // {"<business id>": [{"type": "pages", "call_count": 100, ..., "estimated_time_to_regain_access": 19}], ...}
        if (TryParse(header) is not { ValueKind: JsonValueKind.Object } root)
        {
            yield break;
        }

        foreach (var business in root.EnumerateObject())
        {
            if (business.Value.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var usage in business.Value.EnumerateArray())
            {
                if (usage.ValueKind == JsonValueKind.Object)
                {
                    yield return usage;
                }
            }
        }
    }

    private static bool AtLimit(JsonElement usage) =>
        s_usageFields.Any(f => usage.TryGetProperty(f, out var v) && Number(v) >= 100);

    private static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseHeaders headers) =>
        headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero ? delta : null;

    internal static GraphError? ReadError(string body)
    {
        if (TryParse(body) is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new GraphError(
            GraphJson.String(error, "message") ?? "no message",
            GraphJson.String(error, "type"),
            GraphJson.Int(error, "code"),
            GraphJson.Int(error, "error_subcode"),
            GraphJson.String(error, "fbtrace_id"),
            error.TryGetProperty("is_transient", out var t) && t.ValueKind == JsonValueKind.True);
    }

    internal sealed record GraphError(string Message, string? Type, int? Code, int? Subcode, string? TraceId, bool IsTransient)
    {
        public string Describe()
        {
            var parts = new List<string>(4);
            if (Type is not null)
            {
                parts.Add(Type);
            }

            parts.Add(Code is { } c ? string.Create(CultureInfo.InvariantCulture, $"code {c}") : "no code");
            if (Subcode is { } s)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"subcode {s}"));
            }

            if (TraceId is not null)
            {
                parts.Add($"fbtrace_id {TraceId}");
            }

            return string.Join(", ", parts);
        }
    }
}
