using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Domain.Messaging;

public sealed class OutboxRelayOptions
{
    public int BatchSize { get; set; } = 200;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Publishes outbox rows. Rows are claimed with FOR UPDATE SKIP LOCKED so several relays share the work, and each is
/// published with its own MessageId, so a re-publish after a crash between publish and commit is absorbed by the
/// receiving consumer's inbox. A NOTIFY from the writing transaction wakes it; a poll covers missed notifications.
/// </summary>
public sealed class OutboxRelay(
    IServiceScopeFactory scopes,
    IBusControl bus,
    NpgsqlDataSource dataSource,
    TimeProvider time,
    IOptions<OutboxRelayOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly OutboxRelayOptions _options = options.Value;
    private readonly SemaphoreSlim _signal = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Publishing before the receive endpoints have declared their queues and bindings would route messages nowhere.
        while (!stoppingToken.IsCancellationRequested
            && await bus.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(5)) != BusHealthStatus.Healthy)
        {
            logger.LogWarning("Outbox relay is waiting for the bus to become healthy");
        }

        _ = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            int relayed;
            try
            {
                relayed = await RelayBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or DbUpdateException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(ex, "Outbox relay could not claim a batch; retrying");
                relayed = 0;
            }

            if (relayed < _options.BatchSize)
            {
                try
                {
                    await _signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and publishes one batch of due rows; returns how many were claimed.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var rows = await db.Outbox
            .FromSql($"SELECT * FROM outbox WHERE sent_at IS NULL AND due_at <= {now} ORDER BY seq LIMIT {_options.BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            await tx.CommitAsync(cancellationToken);
            return 0;
        }

        var published = await Task.WhenAll(rows.Select(row => PublishAsync(row, now, cancellationToken)));
        // The published rows are marked sent in one statement (one per row was a tenth of the pipeline's statements,
        // docs/benchmarks.md); the few that failed carry their tracked backoff and error.
        var sent = rows.Where((_, i) => published[i]).Select(r => r.Seq).ToArray();
        if (sent.Length > 0)
        {
            var sentAt = time.GetUtcNow();
            await db.Outbox.Where(o => sent.Contains(o.Seq))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.SentAt, sentAt).SetProperty(o => o.LastError, (string?)null), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Count;
    }

    /// <summary>Publishes one row; false (with the row's backoff and error set) when it could not be published.</summary>
    private async Task<bool> PublishAsync(OutboxMessage row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var (message, type) = Outbox.Deserialize(row);
            await bus.Publish(message, type, context => context.MessageId = row.MessageId, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            row.Attempts++;
            row.LastError = ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message;
            var backoff = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, row.Attempts), _options.MaxBackoff.TotalMilliseconds));
            row.DueAt = now + backoff;
            logger.LogWarning(ex, "Outbox message {MessageId} ({Type}) not published, attempt {Attempts}", row.MessageId, row.Type, row.Attempts);
            return false;
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) =>
                {
                    if (_signal.CurrentCount == 0)
                    {
                        _signal.Release();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Outbox.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                // Polling still runs; try to listen again shortly.
                logger.LogDebug(ex, "Outbox LISTEN connection lost");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }
}
