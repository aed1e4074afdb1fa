namespace Moderation.Domain.Schools;

public enum Platform
{
    Facebook,
    Instagram,
    X,
    YouTube,
    Blog,
}

/// <summary>Whether the service can reach the platform as the account.</summary>
public enum ConnectionStatus
{
    /// <summary>No credentials yet: nothing is polled or carried out.</summary>
    NotConnected,

    /// <summary>Credentials stored and working as far as the service knows.</summary>
    Connected,

    /// <summary>The platform refused the credentials (401 or 403): an administrator must reconnect the account.</summary>
    NeedsReconnection,

    /// <summary>An administrator disconnected it; the credentials were erased.</summary>
    Disconnected,
}

/// <summary>One of a school's official accounts. Personal staff accounts are out of scope (003 §4.10, 004 §6.3(g)).</summary>
public sealed class SocialAccount
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Platform Platform { get; set; }
    public required string Handle { get; set; }
    public required string ExternalId { get; set; }

    /// <summary>Under pre-moderation, anything the platform already shows is hidden first and reviewed second.</summary>
    public bool PreModerated { get; set; } = true;

    public ConnectionStatus ConnectionStatus { get; set; } = ConnectionStatus.NotConnected;

    /// <summary>Where the platform's API is, when not its public default (a school's own blog, a test server).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>The credentials, encrypted with Data Protection; never returned by the API or logged.</summary>
    public string? ProtectedCredentials { get; set; }

    public DateTimeOffset? ConnectedAt { get; set; }
    public Guid? ConnectedById { get; set; }

    /// <summary>How often the account is polled; null takes the service's default.</summary>
    public int? PollIntervalSeconds { get; set; }

    /// <summary>Where the last poll stopped, in the connector's own terms; null until the first poll (which backfills).</summary>
    public string? PollCursor { get; set; }

    public DateTimeOffset? LastPolledAt { get; set; }
    public int? LastPollCount { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastErrorAt { get; set; }

    /// <summary>Closed, Open or HalfOpen, as the account's circuit breaker last reported (see CircuitStates).</summary>
    public string? CircuitState { get; set; }
    public DateTimeOffset? CircuitChangedAt { get; set; }
}
