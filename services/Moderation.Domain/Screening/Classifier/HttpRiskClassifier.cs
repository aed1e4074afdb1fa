using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Moderation.Domain.Screening.Classifier;

/// <summary>
/// The external classifier over HTTP (docs/classifier.md): POSTs the redacted text, turns scores at or above their
/// category's threshold into findings, and answers <see cref="ClassifierStatus.Unavailable"/> with a short reason for
/// every failure of the classifier's own. Only the caller's cancellation escapes.
/// </summary>
internal sealed class HttpRiskClassifier(
    HttpClient http,
    ClassifierResilience resilience,
    IOptions<ClassifierOptions> options,
    ILogger<HttpRiskClassifier> logger) : IRiskClassifier
{
    /// <summary>The longest <see cref="Finding.Rule"/> the database stores.</summary>
    public const int MaxRuleLength = 64;

    private const string RulePrefix = "classifier:";
    private static readonly string[] s_requestedCategories = [.. ClassifierOptions.Categories.Order(StringComparer.Ordinal)];

    private readonly ClassifierOptions _options = options.Value;
    private readonly Uri _endpoint = new(options.Value.Url!.Trim(), UriKind.Absolute);

    public async Task<ClassifierOutcome> ClassifyAsync(Guid schoolId, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            // A photo-only item: there is nothing to score, and no need to spend a call on it.
            return new ClassifierOutcome(ClassifierStatus.Answered, [], null);
        }

        ClassifierResponse response;
        try
        {
            response = await resilience.Pipeline.ExecuteAsync(ct => CallAsync(schoolId, text, ct), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var reason = Describe(ex);
            if (ex is BrokenCircuitException)
            {
                logger.LogDebug("Classifier skipped for school {SchoolId}: {Reason}.", schoolId, reason);
            }
            else
            {
                logger.LogWarning("Classifier unavailable for school {SchoolId}: {Reason} ({Error}).", schoolId, reason, ex.GetType().Name);
            }

            return ClassifierOutcome.Unavailable(reason);
        }

        return new ClassifierOutcome(ClassifierStatus.Answered, Findings(response, text.Length), null);
    }

    private async ValueTask<ClassifierResponse> CallAsync(Guid schoolId, string text, CancellationToken ct)
    {
        // A byte body carries a Content-Length; JsonContent would stream it chunked, which small model servers mishandle.
        var body = JsonSerializer.SerializeToUtf8Bytes(new ClassifierRequest(schoolId, text, s_requestedCategories), ClassifierJson.Options);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        using var response = await http.PostAsync(_endpoint, content, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new ClassifierCallException(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var parsed = await JsonSerializer.DeserializeAsync<ClassifierResponse>(stream, ClassifierJson.Options, ct)
            ?? throw new ClassifierCallException("response had no scores");
        if (parsed.Scores is null)
        {
            throw new ClassifierCallException("response had no scores");
        }

        foreach (var score in parsed.Scores)
        {
            if (score?.Category is null || score.Score is null)
            {
                throw new ClassifierCallException("response had a score without a category or value");
            }

            if (!(score.Score >= 0 && score.Score <= 1))
            {
                throw new ClassifierCallException("response had a score outside 0 to 1");
            }
        }

        return parsed;
    }

    private List<Finding> Findings(ClassifierResponse response, int textLength)
    {
        var version = string.IsNullOrWhiteSpace(response.ModelVersion) ? "unknown" : response.ModelVersion.Trim();
        var rule = RulePrefix + version;
        rule = rule.Length <= MaxRuleLength ? rule : rule[..MaxRuleLength];
        var findings = new List<Finding>();
        var unknown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var score in response.Scores!.OfType<ClassifierScore>())
        {
            var category = ClassifierOptions.Canonical(score.Category);
            if (category is null)
            {
                unknown.Add(score.Category!.Length <= 64 ? score.Category : score.Category[..64]);
                continue;
            }

            var value = score.Score!.Value;
            if (value < _options.ThresholdFor(category))
            {
                continue;
            }

            var (offset, length) = Span(score, textLength);
            var severity = value >= _options.SevereThreshold ? FindingSeverity.Severe : FindingSeverity.Warning;
            findings.Add(new Finding(
                category, rule, severity, offset, length,
                string.Create(CultureInfo.InvariantCulture, $"External classifier scored {value:0.###} for {Words(category)}.")));
        }

        if (unknown.Count > 0)
        {
            logger.LogWarning(
                "Classifier {ModelVersion} scored categories this service does not know; ignored: {Categories}.",
                version, string.Join(", ", unknown));
        }

        return findings;
    }

    /// <summary>Where the score points in the text sent; anywhere outside it, or no span at all, means the whole text.</summary>
    private static (int Offset, int Length) Span(ClassifierScore score, int textLength) =>
        score is { Offset: { } offset, Length: { } length } && offset >= 0 && length > 0 && offset <= textLength - length
            ? (offset, length)
            : (0, textLength);

    /// <summary>"ThreatToLife" → "threat to life".</summary>
    private static string Words(string category)
    {
        var words = new StringBuilder(category.Length + 4);
        foreach (var c in category)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }

    /// <summary>A short reason a moderator can read on the item.</summary>
    private string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => string.Create(CultureInfo.InvariantCulture, $"timed out after {resilience.Timeout.TotalMilliseconds:0} ms"),
        BrokenCircuitException => "circuit open after repeated failures",
        ClassifierCallException call => call.Message,
        JsonException => "response was not valid JSON",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connection refused",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "host name not found",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "could not connect",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "secure connection failed",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } => "connection dropped or invalid HTTP response",
        HttpRequestException => "request failed",
        OperationCanceledException => "cancelled without an answer",
        _ => "unexpected error: " + ex.GetType().Name,
    };
}

/// <summary>The classifier answered, but not with something usable; the message is the reason shown on the item.</summary>
internal sealed class ClassifierCallException(string reason) : Exception(reason);
