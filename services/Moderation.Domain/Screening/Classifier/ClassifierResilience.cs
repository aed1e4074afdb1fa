using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Moderation.Domain.Screening.Classifier;

/// <summary>
/// The classifier's timeout and circuit breaker, built once per process so that every screening shares the circuit's
/// state. There is no retry: an item waits for screening, and rules alone are a safe answer.
/// </summary>
internal sealed class ClassifierResilience
{
    public ClassifierResilience(IOptions<ClassifierOptions> options, TimeProvider time, ILogger<ClassifierResilience> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        Timeout = TimeSpan.FromMilliseconds(settings.TimeoutMs);

        // The breaker sits outside the timeout so that timeouts count as failures. A caller's own cancellation is
        // not the classifier's fault and does not count.
        Pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(settings.SamplingDurationSeconds),
                BreakDuration = TimeSpan.FromSeconds(settings.BreakDurationSeconds),
                OnOpened = args =>
                {
                    logger.LogWarning(
                        "Classifier circuit opened for {BreakDuration} after repeated failures; screening is by rules alone until it closes.",
                        args.BreakDuration);
                    return default;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("Classifier circuit closed: the classifier is answering again.");
                    return default;
                },
            })
            .AddTimeout(Timeout)
            .Build();
    }

    public ResiliencePipeline Pipeline { get; }

    public TimeSpan Timeout { get; }
}
