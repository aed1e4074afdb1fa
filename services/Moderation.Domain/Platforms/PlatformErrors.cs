namespace Moderation.Domain.Platforms;

/// <summary>How a platform call failed, which decides what happens next.</summary>
public enum PlatformFailure
{
    /// <summary>5xx, a timeout or a dropped connection: try again later.</summary>
    Transient,

    /// <summary>429 or a usage header at its limit: try again after <see cref="PlatformCallException.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The circuit for this account is open: the platform has been failing; try again when it closes.</summary>
    CircuitOpen,

    /// <summary>401 or 403: the token expired or was revoked. The account needs reconnecting; retrying cannot help.</summary>
    Unauthorized,

    /// <summary>404 or 410: the comment is gone (deleted by its author or the platform).</summary>
    NotFound,

    /// <summary>Any other 4xx: the platform refused the request as made.</summary>
    Rejected,

    /// <summary>The platform answered with something that is not its documented shape.</summary>
    Malformed,
}

/// <summary>A platform call that failed; the message never contains a credential.</summary>
public sealed class PlatformCallException(
    PlatformFailure failure, string message, int? status = null, TimeSpan? retryAfter = null, Exception? inner = null, bool uncertain = false)
    : Exception(message, inner)
{
    /// <summary>
    /// A request that must not be repeated (a new post) may have reached the platform: it timed out, or the platform
    /// answered 5xx after receiving it. Nobody can tell whether it took effect, so it is not retried.
    /// </summary>
    public bool Uncertain { get; } = uncertain;

    public PlatformFailure Failure { get; } = failure;

    public int? Status { get; } = status;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Worth trying again later (as opposed to needing a person).</summary>
    public bool IsTransient => Failure is PlatformFailure.Transient or PlatformFailure.RateLimited or PlatformFailure.CircuitOpen;
}

/// <summary>A webhook body that is not valid JSON or not the platform's shape.</summary>
public sealed class PlatformPayloadException(string message, Exception? inner = null) : Exception(message, inner);
