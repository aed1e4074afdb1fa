using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

/// <summary>Settings of the platform connectors (configuration section <c>Platforms</c>).</summary>
public sealed class PlatformOptions
{
    public const string Section = "Platforms";

    /// <summary>Each HTTP attempt is cut off after this long.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of one call after a 5xx, a timeout or a 429, before the action is put off to later.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off between retries; it doubles, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A 429's <c>Retry-After</c> is honoured within one call up to this long; a longer wait puts the action off
    /// instead of holding a consumer.
    /// </summary>
    public TimeSpan RetryAfterCap { get; set; } = TimeSpan.FromSeconds(30);

    public BreakerOptions Breaker { get; set; } = new();

    /// <summary>
    /// Calls per window on each platform, in this process: per account where the platform counts per user or page
    /// (Facebook, Instagram, X, each blog), across all accounts where it counts per app (YouTube's project quota).
    /// </summary>
    public Dictionary<Platform, RateLimitOptions> RateLimits { get; set; } = new()
    {
        // Page tokens fall under Meta's business use case limits: 4,800 calls in 24 hours for each engaged user of
        // the Page (impression, for Instagram). Allowing that for one user lets a viral post's hides on arrival all
        // go at once; Meta's own throttling, when it comes, is honoured from its answer (MetaErrors).
        [Platform.Facebook] = new() { PermitLimit = 4_800, Window = TimeSpan.FromHours(24) },
        [Platform.Instagram] = new() { PermitLimit = 4_800, Window = TimeSpan.FromHours(24) },
        [Platform.X] = new() { PermitLimit = 50, Window = TimeSpan.FromMinutes(15) },
        [Platform.YouTube] = new() { PermitLimit = 100, Window = TimeSpan.FromMinutes(1), PerAccount = false },
        [Platform.Blog] = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) },
    };

    /// <summary>How often a connected account is polled, unless the account sets its own interval.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>On first connection, at most this many of the most recent pending comments are read.</summary>
    public int BackfillLimit { get; set; } = 100;

    /// <summary>One poll reads at most this many pages; the rest wait for the next poll.</summary>
    public int MaxPagesPerPoll { get; set; } = 10;

    /// <summary>Whether this process schedules the polling jobs (the worker does; tests may poll directly).</summary>
    public bool PollingEnabled { get; set; } = true;

    /// <summary>How often the worker brings the polling jobs in line with the connected accounts.</summary>
    public TimeSpan PollScheduleRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A worker that starts an action holds it this long; if it dies meanwhile, another may take the action over
    /// after that. Longer than one call with all its retries.
    /// </summary>
    public TimeSpan ActionLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Actions started together (a webhook body's hides on arrival, ADR 0605) are called this many at a time, each
    /// round under leases of <see cref="ActionLease"/>, so a lease still covers one call with its retries.
    /// </summary>
    public int ActionsCalledAtOnce { get; set; } = 16;

    /// <summary>The waits used when <see cref="ActionRetryIntervals"/> is not configured.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultActionRetryIntervals =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];

    /// <summary>
    /// Waits before the next attempts of an action whose calls kept failing; the last repeats. Empty by default (the
    /// configuration binder appends to a list rather than replacing it), meaning <see cref="DefaultActionRetryIntervals"/>.
    /// </summary>
    public List<TimeSpan> ActionRetryIntervals { get; set; } = [];

    public MetaOptions Meta { get; set; } = new();

    /// <summary>A webhook body larger than this is refused with 413.</summary>
    public int WebhookMaxBodyBytes { get; set; } = 1024 * 1024;

    public sealed class BreakerOptions
    {
        public double FailureRatio { get; set; } = 0.5;
        public int MinimumThroughput { get; set; } = 6;
        public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(60);
        public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);
    }

    public sealed class RateLimitOptions
    {
        public int PermitLimit { get; set; }
        public TimeSpan Window { get; set; }

        /// <summary>Each account has its own allowance (true), or all accounts of the platform share one.</summary>
        public bool PerAccount { get; set; } = true;
    }

    /// <summary>The Meta app the school's Page and Instagram webhooks are subscribed through.</summary>
    public sealed class MetaOptions
    {
        /// <summary>Keys the HMAC in <c>X-Hub-Signature-256</c>; without it, Meta webhooks are refused.</summary>
        public string? AppSecret { get; set; }

        /// <summary>The token Meta echoes in the subscription handshake.</summary>
        public string? VerifyToken { get; set; }
    }

    public TimeSpan RetryIntervalAfter(int attempts)
    {
        IReadOnlyList<TimeSpan> intervals = ActionRetryIntervals.Count > 0 ? ActionRetryIntervals : DefaultActionRetryIntervals;
        return intervals[Math.Clamp(attempts - 1, 0, intervals.Count - 1)];
    }
}
