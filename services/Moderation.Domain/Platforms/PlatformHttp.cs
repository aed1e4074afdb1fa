using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Moderation.Domain.Platforms;

/// <summary>A platform's successful answer, read whole (platform answers are small JSON documents).</summary>
public sealed record PlatformResponse(HttpStatusCode Status, string Body, HttpResponseHeaders Headers)
{
    /// <summary>The body as JSON; a body that is not JSON is the platform misbehaving, not a reason to retry.</summary>
    /// <exception cref="PlatformCallException">With <see cref="PlatformFailure.Malformed"/>.</exception>
    public JsonDocument Json()
    {
        try
        {
            return JsonDocument.Parse(Body);
        }
        catch (JsonException ex)
        {
            throw new PlatformCallException(PlatformFailure.Malformed, $"the platform answered with malformed JSON ({ex.Message})", (int)Status, inner: ex);
        }
    }
}

/// <summary>
/// Every connector's HTTP goes through here: the account's resilience pipeline, and one mapping of statuses to
/// <see cref="PlatformFailure"/>. A connector may look at a response first (<c>inspect</c>) to turn a platform's own
/// error shape (Meta's error codes, its usage header) into a <see cref="PlatformCallException"/>. Requests are built
/// afresh for each attempt. A request that is not <c>repeatable</c> (one that creates a post) is retried only when it
/// surely never arrived (the connection was refused, or a 429); after a timeout or a 5xx it fails as
/// <see cref="PlatformCallException.Uncertain"/>, because a second post would be a duplicate. Neither URLs' query strings nor headers are logged, so credentials never reach the logs.
/// </summary>
public sealed class PlatformHttp(HttpClient http, PlatformResilience resilience, ILogger<PlatformHttp> logger)
{
    /// <summary>The longest response body read; anything longer is treated as malformed.</summary>
    public const int MaxResponseBytes = 4 * 1024 * 1024;

    public async Task<PlatformResponse> SendAsync(
        ConnectedAccount account,
        Func<HttpRequestMessage> request,
        CancellationToken ct,
        Func<PlatformResponse, PlatformCallException?>? inspect = null,
        bool repeatable = true)
    {
        var pipeline = resilience.For(account.Id, account.Platform);
        try
        {
            return await pipeline.ExecuteAsync(async token => await SendOnceAsync(account, request, inspect, repeatable, ct, token), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException ex)
        {
            throw new PlatformCallException(PlatformFailure.Transient, $"{account.Platform} did not answer within {ex.Timeout.TotalSeconds:0.#} s", inner: ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new PlatformCallException(PlatformFailure.CircuitOpen, $"{account.Platform} has been failing; calls are paused", retryAfter: ex.RetryAfter, inner: ex);
        }
        catch (RateLimiterRejectedException ex)
        {
            throw new PlatformCallException(PlatformFailure.RateLimited, $"this service's own {account.Platform} rate limit is used up", retryAfter: ex.RetryAfter, inner: ex);
        }
    }

    private async ValueTask<PlatformResponse> SendOnceAsync(
        ConnectedAccount account,
        Func<HttpRequestMessage> build,
        Func<PlatformResponse, PlatformCallException?>? inspect,
        bool repeatable,
        CancellationToken caller,
        CancellationToken ct)
    {
        using var request = build();
        var what = $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}";
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            var neverArrived = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            throw new PlatformCallException(PlatformFailure.Transient, $"{what}: {ex.HttpRequestError} ({ex.Message})", inner: ex, uncertain: !repeatable && !neverArrived);
        }
        catch (OperationCanceledException ex) when (!repeatable && !caller.IsCancellationRequested)
        {
            // This attempt's timeout: the platform may be creating the post right now.
            throw new PlatformCallException(PlatformFailure.Transient, $"{what}: no answer in time; it may or may not have been carried out", inner: ex, uncertain: true);
        }

        using (response)
        {
            string body;
            try
            {
                body = await ReadBodyAsync(response, ct);
            }
            catch (HttpRequestException ex)
            {
                throw new PlatformCallException(PlatformFailure.Transient, $"{what}: the answer broke off ({ex.Message})", (int)response.StatusCode, inner: ex);
            }

            var answer = new PlatformResponse(response.StatusCode, body, response.Headers);
            if (inspect?.Invoke(answer) is { } refused)
            {
                throw refused;
            }

            if (response.IsSuccessStatusCode)
            {
                return answer;
            }

            var status = (int)response.StatusCode;
            var failure = Classify(response.StatusCode);
            logger.LogDebug("{What} answered {Status}.", what, status);
            throw new PlatformCallException(failure, $"{what} answered {status} {response.ReasonPhrase}".TrimEnd(), status, RetryAfter(response),
                uncertain: !repeatable && failure == PlatformFailure.Transient);
        }
    }

    public static PlatformFailure Classify(HttpStatusCode status) => (int)status switch
    {
        429 => PlatformFailure.RateLimited,
        401 or 403 => PlatformFailure.Unauthorized,
        404 or 410 => PlatformFailure.NotFound,
        408 => PlatformFailure.Transient,
        >= 500 => PlatformFailure.Transient,
        _ => PlatformFailure.Rejected,
    };

    /// <summary><c>Retry-After</c> as seconds or as an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response) => RetryAfter(response.Headers);

    /// <summary><c>Retry-After</c> as seconds or as an HTTP date (for an <c>inspect</c> hook, which sees only the headers).</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is > MaxResponseBytes)
        {
            throw new PlatformCallException(PlatformFailure.Malformed,
                string.Create(CultureInfo.InvariantCulture, $"the platform's answer is {response.Content.Headers.ContentLength} bytes, more than {MaxResponseBytes}"),
                (int)response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new PlatformCallException(PlatformFailure.Malformed, $"the platform's answer is longer than {MaxResponseBytes} bytes", (int)response.StatusCode);
            }

            buffer.Write(chunk, 0, read);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
