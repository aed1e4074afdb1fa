using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Moderation.LoadTest;

/// <summary>Peaks seen while sampling once a second: each host's memory, the database's backlogs and the queues' depths.</summary>
public sealed class Peaks
{
    public Dictionary<string, double> HostPeakMb { get; } = new(StringComparer.Ordinal);
    public long OutboxUnsent { get; set; }
    public long WebhooksUnprocessed { get; set; }
    public long ItemsUnscreened { get; set; }
    public long ItemsScreenedNotRouted { get; set; }
    public long RabbitTotal { get; set; }
    public Dictionary<string, long> RabbitByQueue { get; } = new(StringComparer.Ordinal);

    /// <summary>How often a session of the load database was seen waiting on each wait event (sampled 5 times a second).</summary>
    public Dictionary<string, long> WaitEvents { get; } = new(StringComparer.Ordinal);
    public long WaitSamples { get; set; }
    public long PeakAdvisoryLockWaiters { get; set; }
}

/// <param name="OutboxUnsent">Outbox rows due and not yet relayed; rows due later (a platform action put off by the account's rate limiter) are not a backlog.</param>
public sealed record Backlog(long OutboxUnsent, long WebhooksUnprocessed, long ItemsUnscreened, long ItemsScreenedNotRouted, long LoadItems, long LoadItemsRouted);

/// <summary>Reads the pipeline's state from PostgreSQL and RabbitMQ's management API while it runs.</summary>
public sealed class Sampler(NpgsqlDataSource db, HttpClient management, string vhost, IReadOnlyList<HostProcess> hosts) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private Task? _waits;

    public Peaks Peaks { get; } = new();
    public Backlog? Last { get; private set; }

    public static HttpClient ManagementClient(int port, string user, string password)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public void Start(Action<string>? progress = null)
    {
        _waits = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await SampleWaitsAsync(_stop.Token);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (NpgsqlException)
                {
                    // The next sample.
                }
            }
        });
        _loop = Task.Run(async () =>
        {
            var tick = 0;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var backlog = await SampleAsync(_stop.Token);
                    if (progress is not null && tick++ % 5 == 0)
                    {
                        progress($"  backlog: outbox unsent {backlog.OutboxUnsent}, webhooks unprocessed {backlog.WebhooksUnprocessed}, "
                            + $"items unscreened {backlog.ItemsUnscreened}, screened not routed {backlog.ItemsScreenedNotRouted}, routed {backlog.LoadItemsRouted}/{backlog.LoadItems}; "
                            + $"queues {Peaks.RabbitTotal} peak; memory {string.Join(", ", hosts.Select(h => $"{h.Name} {h.Memory()?.CurrentMb ?? 0:0} MB"))}");
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or JsonException)
                {
                    progress?.Invoke($"  (sample failed: {ex.Message})");
                }
            }
        });
    }

    public async Task<Backlog> SampleAsync(CancellationToken ct)
    {
        foreach (var host in hosts)
        {
            if (host.Memory() is { } memory)
            {
                Peaks.HostPeakMb[host.Name] = Math.Max(Peaks.HostPeakMb.GetValueOrDefault(host.Name), memory.PeakMb);
            }
        }

        var backlog = await BacklogAsync(db, ct);
        Last = backlog;
        Peaks.OutboxUnsent = Math.Max(Peaks.OutboxUnsent, backlog.OutboxUnsent);
        Peaks.WebhooksUnprocessed = Math.Max(Peaks.WebhooksUnprocessed, backlog.WebhooksUnprocessed);
        Peaks.ItemsUnscreened = Math.Max(Peaks.ItemsUnscreened, backlog.ItemsUnscreened);
        Peaks.ItemsScreenedNotRouted = Math.Max(Peaks.ItemsScreenedNotRouted, backlog.ItemsScreenedNotRouted);

        var queues = await management.GetFromJsonAsync<JsonElement[]>($"queues/{Uri.EscapeDataString(vhost)}?columns=name,messages", ct) ?? [];
        long total = 0;
        foreach (var q in queues)
        {
            var name = q.GetProperty("name").GetString() ?? "";
            var messages = q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            total += messages;
            Peaks.RabbitByQueue[name] = Math.Max(Peaks.RabbitByQueue.GetValueOrDefault(name), messages);
        }

        Peaks.RabbitTotal = Math.Max(Peaks.RabbitTotal, total);
        return backlog;
    }

    /// <summary>
    /// What the load database's active sessions are waiting on right now (pg_stat_activity): "CPU" when on a CPU or
    /// waiting for one, else the wait event (Lock/advisory is the audit chain's and routing's per-school locks).
    /// </summary>
    private async Task SampleWaitsAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT COALESCE(wait_event_type || '/' || wait_event, 'CPU'), count(*)
            FROM pg_stat_activity
            WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            GROUP BY 1
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        long advisory = 0;
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            var count = reader.GetInt64(1);
            if (name == "Lock/advisory")
            {
                advisory = count;
            }

            lock (Peaks.WaitEvents)
            {
                Peaks.WaitEvents[name] = Peaks.WaitEvents.GetValueOrDefault(name) + count;
            }
        }

        lock (Peaks.WaitEvents)
        {
            Peaks.WaitSamples++;
            Peaks.PeakAdvisoryLockWaiters = Math.Max(Peaks.PeakAdvisoryLockWaiters, advisory);
        }
    }

    public static async Task<Backlog> BacklogAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL AND due_at <= now()),
                   (SELECT count(*) FROM webhook_deliveries WHERE processed_at IS NULL),
                   (SELECT count(*) FROM items WHERE state IN ('Received', 'Screening')),
                   (SELECT count(*) FROM items WHERE state IN ('AwaitingReview', 'Escalated') AND assigned_at IS NULL),
                   (SELECT count(*) FROM items i JOIN schools s ON s.id = i.school_id WHERE s.slug LIKE 'load-school-%'),
                   (SELECT count(*) FROM items i JOIN schools s ON s.id = i.school_id WHERE s.slug LIKE 'load-school-%' AND i.assigned_at IS NOT NULL)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Backlog(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        if (_waits is not null)
        {
            await _waits;
        }
    }

    public void Dispose() => _stop.Dispose();
}

public sealed record Percentiles(double P50, double P90, double P99, double Max)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{P50,8:0} {P90,8:0} {P99,8:0} {Max,8:0}");
}

/// <summary>
/// What the pipeline did, from the database's own timestamps: ingested is when the API stored the webhook body
/// (webhook_deliveries.received_at) or the draft (items.received_at); ready for decision is the "screened" audit
/// entry; assigned is the item's first assignment (item_assignments.assigned_at). All are written by the hosts'
/// clocks inside their transactions, not by the load tool.
/// </summary>
public sealed record PipelineFigures(
    long Stored, long Screened, long Assigned, long FromWebhooks, long Drafts, long Safeguarding,
    DateTimeOffset? FirstIngest, DateTimeOffset? LastIngest, DateTimeOffset? LastScreened, DateTimeOffset? LastAssigned,
    Percentiles? IngestToReady, Percentiles? IngestToAssigned)
{
    public double IngestRate => FirstIngest is { } a && LastIngest is { } b && b > a ? Stored / (b - a).TotalSeconds : 0;

    /// <summary>Items assigned per second, from the first item in to the last item assigned.</summary>
    public double Throughput => FirstIngest is { } a && LastAssigned is { } b && b > a ? Assigned / (b - a).TotalSeconds : 0;

    public static async Task<PipelineFigures> ReadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("""
            WITH d AS (
                SELECT w.received_at, COALESCE(c.change #>> '{value,comment_id}', c.change #>> '{value,id}') AS comment_id
                FROM webhook_deliveries w
                CROSS JOIN LATERAL jsonb_array_elements(w.body::jsonb -> 'entry') AS e(entry)
                CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(e.entry -> 'changes') = 'array' THEN e.entry -> 'changes' ELSE '[]' END) AS c(change)),
            x AS (
                SELECT i.id, i.kind, i.safeguarding, d.received_at IS NOT NULL AS from_webhook,
                       COALESCE(d.received_at, i.received_at) AS ingested,
                       (SELECT min(a.at) FROM audit_entries a WHERE a.item_id = i.id AND a.action = 'screened') AS screened,
                       (SELECT min(a.assigned_at) FROM item_assignments a WHERE a.item_id = i.id) AS assigned
                FROM items i
                JOIN schools s ON s.id = i.school_id AND s.slug LIKE 'load-school-%'
                LEFT JOIN d ON i.kind <> 'OutboundDraft' AND d.comment_id = i.platform_item_id)
            SELECT count(*), count(screened), count(assigned),
                   count(*) FILTER (WHERE from_webhook), count(*) FILTER (WHERE kind = 'OutboundDraft'), count(*) FILTER (WHERE safeguarding),
                   min(ingested), max(ingested), max(screened), max(assigned),
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM screened - ingested) * 1000),
                   max(extract(epoch FROM screened - ingested) * 1000),
                   percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM assigned - ingested) * 1000),
                   max(extract(epoch FROM assigned - ingested) * 1000)
            FROM x
            """);
        command.CommandTimeout = 300;
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        DateTimeOffset? At(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        Percentiles? P(int array, int max) => reader.IsDBNull(array) || reader.IsDBNull(max)
            ? null
            : reader.GetFieldValue<double[]>(array) is var p ? new Percentiles(p[0], p[1], p[2], Convert.ToDouble(reader.GetValue(max), CultureInfo.InvariantCulture)) : null;
        return new PipelineFigures(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
            At(6), At(7), At(8), At(9), P(10, 11), P(12, 13));
    }
}
