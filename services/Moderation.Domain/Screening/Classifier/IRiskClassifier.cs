namespace Moderation.Domain.Screening.Classifier;

/// <summary>Whether the external classifier took part in a screening.</summary>
public enum ClassifierStatus
{
    /// <summary>No classifier is configured: screening is rules alone, by design.</summary>
    NotConfigured,

    /// <summary>The classifier answered; its scores above the thresholds are in the findings.</summary>
    Answered,

    /// <summary>The classifier was configured but failed, timed out or its circuit is open: screening went on with rules alone.</summary>
    Unavailable,
}

/// <summary>What the classifier said about one text: findings to join the rule hits, or why it could not say.</summary>
public sealed record ClassifierOutcome(ClassifierStatus Status, IReadOnlyList<Finding> Findings, string? Reason)
{
    public static ClassifierOutcome NotConfigured { get; } = new(ClassifierStatus.NotConfigured, [], null);

    public static ClassifierOutcome Unavailable(string reason) => new(ClassifierStatus.Unavailable, [], reason);
}

/// <summary>An optional external text classifier (ISSUE 3 §5). Implementations never throw for the classifier's own failures.</summary>
public interface IRiskClassifier
{
    Task<ClassifierOutcome> ClassifyAsync(Guid schoolId, string text, CancellationToken cancellationToken);
}

/// <summary>The classifier used when none is configured.</summary>
public sealed class NoRiskClassifier : IRiskClassifier
{
    public Task<ClassifierOutcome> ClassifyAsync(Guid schoolId, string text, CancellationToken cancellationToken) =>
        Task.FromResult(ClassifierOutcome.NotConfigured);
}
