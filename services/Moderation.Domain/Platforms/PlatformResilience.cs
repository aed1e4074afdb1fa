using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Domain.Schools;
using Npgsql;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace Moderation.Domain.Platforms;

/// <summary>The state of an account's circuit breaker, as stored for the health page.</summary>
public static class CircuitStates
{
    public const string Closed = "Closed";
    public const string Open = "Open";
    public const string HalfOpen = "HalfOpen";
}

/// <summary>
/// One Polly pipeline per account, built on first use (ARCHITECTURE.md "Resilience"), outermost first: retry with
/// jittered back-off that honours <c>Retry-After</c> up to a cap; a circuit breaker of the account's own, whose state
/// changes are written to the account for the health page; the rate limiter (the account's own, or the platform's where
/// the platform counts per app); and a timeout per attempt.
/// </summary>
public sealed class PlatformResilience(IOptions<PlatformOptions> options, NpgsqlDataSource dataSource, TimeProvider time, ILogger<PlatformResilience> logger)
{
    private readonly PlatformOptions _options = options.Value;
    private readonly ConcurrentDictionary<Guid, ResiliencePipeline> _pipelines = new();
    private readonly ConcurrentDictionary<(Platform, Guid), RateLimiter> _limiters = new();

    public ResiliencePipeline For(Guid accountId, Platform platform) => _pipelines.GetOrAdd(accountId, id => Build(id, platform));

    private RateLimiter Limiter(Platform platform, Guid accountId)
    {
        var limit = _options.RateLimits.TryGetValue(platform, out var configured) && configured.PermitLimit > 0
            ? configured
            : new PlatformOptions.RateLimitOptions { PermitLimit = 100, Window = TimeSpan.FromMinutes(1) };
        return _limiters.GetOrAdd((platform, limit.PerAccount ? accountId : Guid.Empty), _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    private bool WithinCap(TimeSpan? retryAfter) => (retryAfter ?? TimeSpan.Zero) <= _options.RetryAfterCap;

    private ResiliencePipeline Build(Guid accountId, Platform platform) => new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<PlatformCallException>(e => !e.Uncertain && (e.Failure == PlatformFailure.Transient || (e.Failure == PlatformFailure.RateLimited && WithinCap(e.RetryAfter))))
                .Handle<RateLimiterRejectedException>(e => WithinCap(e.RetryAfter))
                .Handle<TimeoutRejectedException>(),
            MaxRetryAttempts = Math.Max(0, _options.MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.RetryBaseDelay,
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception switch
            {
                PlatformCallException { RetryAfter: { } after } => (TimeSpan?)after,
                RateLimiterRejectedException { RetryAfter: { } after } => after,
                _ => null,
            }),
            OnRetry = args =>
            {
                logger.LogInformation("{Platform} account {AccountId}: attempt {Attempt} failed ({Error}); retrying in {Delay}.",
                    platform, accountId, args.AttemptNumber + 1, args.Outcome.Exception?.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<PlatformCallException>(e => e.Failure == PlatformFailure.Transient)
                .Handle<TimeoutRejectedException>(),
            FailureRatio = _options.Breaker.FailureRatio,
            MinimumThroughput = Math.Max(2, _options.Breaker.MinimumThroughput),
            SamplingDuration = _options.Breaker.SamplingDuration,
            BreakDuration = _options.Breaker.BreakDuration,
            OnOpened = _ => RecordCircuitAsync(accountId, platform, CircuitStates.Open),
            OnHalfOpened = _ => RecordCircuitAsync(accountId, platform, CircuitStates.HalfOpen),
            OnClosed = _ => RecordCircuitAsync(accountId, platform, CircuitStates.Closed),
        })
        .AddRateLimiter(Limiter(platform, accountId))
        .AddTimeout(_options.AttemptTimeout)
        .Build();

    private async ValueTask RecordCircuitAsync(Guid accountId, Platform platform, string state)
    {
        logger.LogWarning("{Platform} account {AccountId}: circuit {State}.", platform, accountId, state);
        try
        {
            await using var command = dataSource.CreateCommand(
                "UPDATE social_accounts SET circuit_state = $1, circuit_changed_at = $2 WHERE id = $3");
            command.Parameters.Add(new NpgsqlParameter { Value = state });
            command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
            command.Parameters.Add(new NpgsqlParameter { Value = accountId });
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The health page shows a stale state until the next change; the breaker itself is unaffected.
            logger.LogWarning(ex, "Could not record the circuit state of account {AccountId}.", accountId);
        }
    }
}
