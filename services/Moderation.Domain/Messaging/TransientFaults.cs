using System.Net.Sockets;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Moderation.Domain.Messaging;

/// <summary>
/// Failures that say nothing about the message, only that PostgreSQL is not there just now: a refused or cut
/// connection, a server shutting down or starting up, a timeout. EF Core wraps them (an <see cref="InvalidOperationException"/>
/// "likely due to a transient failure", or a <see cref="DbUpdateException"/>), which the consumers' own retries ignore as
/// a bug in the message; without this, a PostgreSQL restart would send every message in flight to the error queue.
/// </summary>
public static class TransientFaults
{
    /// <summary>How long a message waits for the database to come back, in steps: about a minute and a half in all.</summary>
    public static readonly TimeSpan[] RetryIntervals =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(15),
    ];

    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg when pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                    or PostgresErrorCodes.CannotConnectNow:
                    return true;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return true;
                case SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Retries a message whose consumer failed only because the database was unreachable, for as long as
    /// <see cref="RetryIntervals"/> lasts, around whatever retry the consumer's definition adds for its own failures.
    /// The message stays unacknowledged meanwhile, so a worker that stops hands it back to the broker.
    /// </summary>
    public static void UseTransientFaultRetry(this IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(IsTransient);
            r.Intervals(RetryIntervals);
        });

    /// <summary>
    /// The consumers' own retry for write conflicts (a concurrency exception, a deadlock, a unique violation from a
    /// racing duplicate): eight quick exponential attempts. An <see cref="InvalidOperationException"/> is a bug in the
    /// message or the code and is not retried.
    /// </summary>
    public static void UseConflictRetry(this IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(r =>
        {
            r.Ignore<InvalidOperationException>();
            r.Exponential(8, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        });
}
