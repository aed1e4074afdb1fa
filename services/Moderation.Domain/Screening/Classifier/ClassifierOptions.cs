using System.Collections.Frozen;
using System.Globalization;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Screening.Classifier;

/// <summary>
/// The optional external classifier, from the <c>Screening:Classifier</c> section (docs/classifier.md). With no
/// <see cref="Url"/> there is no classifier and screening is rules alone.
/// </summary>
public sealed class ClassifierOptions
{
    public const string Section = "Screening:Classifier";

    /// <summary>
    /// What the classifier is asked to score: the text categories a model can judge. Links and a school's own words
    /// are matched by the rules alone.
    /// </summary>
    public static FrozenSet<string> Categories { get; } =
        RiskCategories.All.Where(c => c is not RiskCategories.Links and not RiskCategories.SchoolTerm).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The endpoint the JSON request is POSTed to; absent or empty means no classifier.</summary>
    public string? Url { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one screening waits for the classifier, reading the whole answer included.</summary>
    public int TimeoutMs { get; set; } = 800;

    /// <summary>The share of failed calls in the sampling window that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>How many calls the sampling window must hold before the circuit can open.</summary>
    public int MinimumThroughput { get; set; } = 4;

    public int SamplingDurationSeconds { get; set; } = 30;

    /// <summary>How long an open circuit stays open before one call tries the classifier again.</summary>
    public int BreakDurationSeconds { get; set; } = 30;

    /// <summary>A score at or above this, in a category without its own threshold, becomes a finding.</summary>
    public double DefaultThreshold { get; set; } = 0.8;

    /// <summary>A finding whose score is at or above this is severe; below it, a warning.</summary>
    public double SevereThreshold { get; set; } = 0.95;

    /// <summary>Per-category thresholds (<c>Thresholds:Grooming</c>) in place of <see cref="DefaultThreshold"/>.</summary>
    public Dictionary<string, double> Thresholds { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    /// <summary>The threshold for a category, by its canonical name.</summary>
    public double ThresholdFor(string category)
    {
        foreach (var (key, threshold) in Thresholds)
        {
            if (string.Equals(key.Trim(), category, StringComparison.OrdinalIgnoreCase))
            {
                return threshold;
            }
        }

        return DefaultThreshold;
    }

    /// <summary>Everything wrong with the settings, each naming its configuration key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Url?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{Section}:Url '{Url}' is not an absolute http or https URL.");
        }

        // The bounds are the ones Polly's timeout and circuit breaker accept.
        if (TimeoutMs is < 10 or > 86_400_000)
        {
            errors.Add(Invariant($"{Section}:TimeoutMs must be between 10 and 86400000 milliseconds; it is {TimeoutMs}."));
        }

        if (!(FailureRatio > 0 && FailureRatio <= 1))
        {
            errors.Add(Invariant($"{Section}:FailureRatio must be more than 0 and at most 1; it is {FailureRatio}."));
        }

        if (MinimumThroughput < 2)
        {
            errors.Add(Invariant($"{Section}:MinimumThroughput must be at least 2; it is {MinimumThroughput}."));
        }

        if (SamplingDurationSeconds is < 1 or > 86_400)
        {
            errors.Add(Invariant($"{Section}:SamplingDurationSeconds must be between 1 and 86400; it is {SamplingDurationSeconds}."));
        }

        if (BreakDurationSeconds is < 1 or > 86_400)
        {
            errors.Add(Invariant($"{Section}:BreakDurationSeconds must be between 1 and 86400; it is {BreakDurationSeconds}."));
        }

        CheckScore(errors, "DefaultThreshold", DefaultThreshold);
        CheckScore(errors, "SevereThreshold", SevereThreshold);
        foreach (var (category, threshold) in Thresholds)
        {
            if (!Categories.Contains(Canonical(category) ?? ""))
            {
                errors.Add($"{Section}:Thresholds:{category} is not a category the classifier scores (known: {string.Join(", ", Categories.Order(StringComparer.Ordinal))}).");
            }
            else
            {
                CheckScore(errors, "Thresholds:" + category, threshold);
            }
        }

        return errors;
    }

    /// <summary>The category's own spelling for a name in any case, or null when it is not one the classifier scores.</summary>
    public static string? Canonical(string? category) =>
        category is null ? null : Categories.FirstOrDefault(c => string.Equals(c, category.Trim(), StringComparison.OrdinalIgnoreCase));

    private static void CheckScore(List<string> errors, string key, double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            errors.Add(Invariant($"{Section}:{key} must be between 0 and 1; it is {value}."));
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
