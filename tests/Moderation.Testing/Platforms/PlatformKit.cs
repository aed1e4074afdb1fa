using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Npgsql;

namespace Moderation.Testing.Platforms;

/// <summary>
/// A connector's HTTP plumbing without a host, for connector tests: the real <see cref="PlatformHttp"/> and
/// per-account resilience, with short back-offs so retries run in milliseconds.
/// </summary>
public static class PlatformKit
{
    /// <summary>Options for tests: 50 ms back-off, a 2 s attempt timeout, a 5 s cap on honoured <c>Retry-After</c>.</summary>
    public static PlatformOptions FastOptions() => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(2),
        RetryAfterCap = TimeSpan.FromSeconds(5),
        MaxRetries = 3,
    };

    /// <param name="connectionString">Where circuit changes are recorded; by default nowhere (the failure to record is logged and ignored).</param>
    public static PlatformHttp Http(PlatformOptions? options = null, string? connectionString = null)
    {
        var resilience = new PlatformResilience(
            Options.Create(options ?? FastOptions()),
            NpgsqlDataSource.Create(connectionString ?? "Host=127.0.0.1;Port=1;Timeout=1"),
            TimeProvider.System,
            NullLogger<PlatformResilience>.Instance);
        return new PlatformHttp(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, resilience, NullLogger<PlatformHttp>.Instance);
    }

    public static ConnectedAccount Account(Platform platform, Uri apiBaseUrl, PlatformCredentials credentials, string externalId = "1000", string handle = "@school") =>
        new(Guid.NewGuid(), Guid.NewGuid(), platform, externalId, handle, apiBaseUrl, credentials);
}
