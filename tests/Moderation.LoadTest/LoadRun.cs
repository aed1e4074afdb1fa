using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Platforms;
using Moderation.Testing;
using Moderation.Testing.Platforms;
using Npgsql;

namespace Moderation.LoadTest;

/// <summary>
/// One load run: its own database and vhost, the demo seed plus the load trust, the API and the worker(s) as real
/// processes, a fake Graph API for the hides the worker sends back to Facebook and Instagram, a warm-up, the traffic,
/// the drain, and the figures.
/// </summary>
public sealed class LoadRun(LoadOptions options, TextWriter output)
{
    private const string AppSecret = "load-test-meta-app-secret";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var env = new TestEnvironment("moderation_load");
        var apiDll = HostProcess.Dll("Moderation.Api");
        var workerDll = HostProcess.Dll("Moderation.Worker");
        var work = Directory.CreateTempSubdirectory("moderation-load-");
        Say($"Load run: {(options.Rate is { } r ? $"{r:0} items/s" : "as fast as the API accepts")} for {options.DurationSeconds} s, "
            + $"{options.Workers} worker process(es), {options.Schools} schools ({options.HotShare:P0} to one), {options.Connections} connections, "
            + $"database pool {options.PoolSize} per host, {Comments(options.WebhookBatch)} per webhook request, {options.WarmupSeconds} s warm-up");
        Say($"Database and vhost: {env.Name}; logs and keys in {work.FullName}");
        Say($"Load average at start: {LoadAverage()}");
        await env.CreateAsync();

        BaselineFigures? baseline = null;
        if (options.Baseline)
        {
            // Before the hosts start, so that they do not compete with what they are measured against.
            baseline = await Baselines.RunAsync(env, options.PgClients, options.BaselineSeconds, Say, ct);
            PrintBaseline(baseline);
        }

        var schools = LoadTrust.Schools(options.Schools);
        var seeds = Path.Combine(work.FullName, "seeds");
        LoadTrust.WriteSeeds(seeds, schools, options.Pupils);
        var keys = Directory.CreateDirectory(Path.Combine(work.FullName, "keys")).FullName;
        var variables = new Dictionary<string, string>(env.Variables)
        {
            ["ConnectionStrings__Moderation"] = $"{env.ConnectionString};Maximum Pool Size={options.PoolSize}",
            ["OutboxRelay__PollInterval"] = "00:00:01",
            ["DataProtection__KeysPath"] = keys,
            ["Platforms__Meta__AppSecret"] = AppSecret,
            ["Platforms__Meta__VerifyToken"] = "load-test-verify-token",
            // Webhooks are the way in under test; the per-account polling jobs would only poll the fake Graph API.
            ["Platforms__PollingEnabled"] = "false",
            // A missed 02:00 reconciliation would run at start-up and compete with the burst.
            ["Consent__Reconciliation__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
            // As infra/run.sh and the container images run the hosts: two malloc arenas, not one per thread.
            ["MALLOC_ARENA_MAX"] = "2",
        };

        Say("Migrating and seeding (demo data and the load trust) with the worker's seed command ...");
        var seedWatch = Stopwatch.StartNew();
        await using (var seed = HostProcess.Start("seed", workerDll, ["seed", seeds], variables, work.FullName))
        {
            while (!seed.HasExited)
            {
                await Task.Delay(200, ct);
            }
        }

        var seedLog = await File.ReadAllTextAsync(Path.Combine(work.FullName, "seed.log"), ct);
        if (!seedLog.Contains("load-trust.json", StringComparison.Ordinal))
        {
            throw new LoadToolException($"Seeding failed:\n{seedLog}");
        }

        Say($"  seeded in {seedWatch.Elapsed.TotalSeconds:0.0} s");

        await using var graph = await FakePlatformServer.StartAsync((app, _) =>
        {
            app.MapPost("/{**path}", () => Microsoft.AspNetCore.Http.Results.Json(new { success = true }));
            app.MapDelete("/{**path}", () => Microsoft.AspNetCore.Http.Results.Json(new { success = true }));
        });
        await using var db = NpgsqlDataSource.Create($"{env.ConnectionString};Maximum Pool Size=4");
        await ConnectAccountsAsync(db, keys, graph.BaseUrl, ct);

        var apiPort = FreePort();
        var apiUrl = $"http://127.0.0.1:{apiPort}/";
        var hosts = new List<HostProcess>();
        try
        {
            hosts.Add(HostProcess.Start("api", apiDll, ["--urls", apiUrl.TrimEnd('/')], variables, work.FullName, Path.Combine(RepoPaths.Root, "services", "Moderation.Api")));
            for (var w = 1; w <= options.Workers; w++)
            {
                hosts.Add(HostProcess.Start($"worker-{w}", workerDll, [], variables, work.FullName));
            }

            using var management = Sampler.ManagementClient(env.RabbitManagementPort, env.RabbitUser, env.RabbitPassword);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri(apiUrl),
                Timeout = TimeSpan.FromSeconds(60),
            };
            await WaitReadyAsync(http, management, env.Name, hosts, ct);

            var targets = await TargetsAsync(http, db, schools, ct);
            var fleming = await TargetsAsync(http, db,
                [new LoadSchool(0, "fleming-primary", "100200300400500", "17841400000000001", "author@fleming.example", ["Olivia Smith", "Zoe Núñez-Taylor", "Will Okafor"])], ct);

            // Warm-up on the demo school (its items are left out of the figures): JIT, pools and queues, as in a running service.
            Say($"Warm-up: {25 * options.WarmupSeconds} items to Fleming Primary at 25 items/s ...");
            var warm = new Traffic(http, fleming, AppSecret, "warm", 0, options.WebhookBatch, options.Mix);
            warm.PreparePhotos();
            await warm.RunAsync(25, TimeSpan.FromSeconds(options.WarmupSeconds), options.Connections, ct);
            await DrainAsync(db, expectedLoadItems: 0, TimeSpan.FromSeconds(120), null, ct);

            using var sampler = new Sampler(db, management, env.Name, hosts);
            var commitsBefore = await CounterAsync(db, Commits, ct);
            var messagesBefore = await CounterAsync(db, OutboxRows, ct);
            var walBefore = await CounterAsync(db, WalPosition, ct);
            var cpuBefore = hosts.ToDictionary(h => h.Name, h => h.CpuSeconds() ?? 0);
            var machineBefore = HostProcess.MachineBusySeconds();
            var runClock = Stopwatch.StartNew();
            sampler.Start(Say);
            Say($"Sending for {options.DurationSeconds} s ...");
            var traffic = new Traffic(http, targets, AppSecret, "load" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "-", options.HotShare, options.WebhookBatch, options.Mix);
            traffic.PreparePhotos();
            var sent = await traffic.RunAsync(options.Rate, TimeSpan.FromSeconds(options.DurationSeconds), options.Connections, ct);
            Say($"  sent {sent.Started} items in {sent.WebhookRequests + sent.DraftRequests} requests, accepted {sent.Accepted} in {sent.Elapsed.TotalSeconds:0.0} s ({sent.Accepted / sent.Elapsed.TotalSeconds:0} items/s accepted)"
                + (sent.Refused.Count == 0 ? "" : $"; refused: {string.Join(", ", sent.Refused.Select(kv => $"{kv.Key} ×{kv.Value}"))}"));
            var expected = sent.AcceptedByKind.Sum(kv => kv.Value);
            Say("Waiting for the pipeline to drain ...");
            var drained = await DrainAsync(db, expected, TimeSpan.FromSeconds(options.DrainTimeoutSeconds), hosts, ct);
            await sampler.SampleAsync(ct);
            await sampler.StopAsync();
            var cpu = hosts.ToDictionary(h => h.Name, h => (h.CpuSeconds() ?? 0) - cpuBefore[h.Name]);
            var machine = (HostProcess.MachineBusySeconds() - machineBefore) / runClock.Elapsed.TotalSeconds / Environment.ProcessorCount;
            var commits = await CounterAsync(db, Commits, ct) - commitsBefore;
            var messages = await CounterAsync(db, OutboxRows, ct) - messagesBefore;
            var wal = await CounterAsync(db, WalPosition, ct) - walBefore;
            var loadAtEnd = LoadAverage();

            var figures = await PipelineFigures.ReadAsync(db, ct);
            Print(sent, figures, sampler.Peaks, hosts, baseline, commits, messages, wal, loadAtEnd, cpu, machine);
            var lost = expected - figures.Stored;
            if (!drained || lost != 0 || figures.Assigned != figures.Stored)
            {
                await Console.Error.WriteLineAsync(
                    $"error: the pipeline did not finish: {expected} accepted, {figures.Stored} stored, {figures.Screened} screened, {figures.Assigned} assigned "
                    + $"(drain timeout {options.DrainTimeoutSeconds} s). Logs: {work.FullName}");
                return 1;
            }

            return 0;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private void Say(string line) => output.WriteLine(line);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Connects every Facebook and Instagram account to the fake Graph API, with credentials encrypted by the hosts' key ring.</summary>
    private static async Task ConnectAccountsAsync(NpgsqlDataSource db, string keys, Uri graph, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(PlatformsSetup.DataProtectionApplication).PersistKeysToFileSystem(new DirectoryInfo(keys));
        await using var provider = services.BuildServiceProvider();
        var protector = new CredentialProtector(provider.GetRequiredService<IDataProtectionProvider>());
        var credentials = protector.Protect(new PlatformCredentials(AccessToken: "load-test-page-token"));
        await using var command = db.CreateCommand("""
            UPDATE social_accounts SET connection_status = 'Connected', protected_credentials = $1, api_base_url = $2, connected_at = now()
            WHERE platform IN ('Facebook', 'Instagram')
            """);
        command.Parameters.AddWithValue(credentials);
        command.Parameters.AddWithValue(new Uri(graph, "v21.0/").ToString());
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task WaitReadyAsync(HttpClient http, HttpClient management, string vhost, IReadOnlyList<HostProcess> hosts, CancellationToken ct)
    {
        Say("Starting the API and the worker(s) ...");
        var watch = Stopwatch.StartNew();
        while (true)
        {
            foreach (var host in hosts.Where(h => h.HasExited))
            {
                throw new LoadToolException($"{host.Name} exited during start-up:\n{host.Tail()}");
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new LoadToolException($"The hosts were not ready within 120 s:\n{string.Join("\n", hosts.Select(h => $"--- {h.Name}\n{h.Tail()}"))}");
            }

            try
            {
                using var ready = await http.GetAsync("health/ready", ct);
                var consumers = await ConsumersAsync(management, vhost, "screening", ct);
                var routing = await ConsumersAsync(management, vhost, "routing", ct);
                if (ready.IsSuccessStatusCode && consumers >= options.Workers && routing >= options.Workers)
                {
                    Say($"  ready in {watch.Elapsed.TotalSeconds:0.0} s");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500, ct);
        }
    }

    private static async Task<long> ConsumersAsync(HttpClient management, string vhost, string queue, CancellationToken ct)
    {
        using var response = await management.GetAsync($"queues/{Uri.EscapeDataString(vhost)}/{queue}", ct);
        if (!response.IsSuccessStatusCode)
        {
            return 0;
        }

        var q = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return q.TryGetProperty("consumers", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt64() : 0;
    }

    private static async Task<List<SchoolTarget>> TargetsAsync(HttpClient http, NpgsqlDataSource db, IReadOnlyList<LoadSchool> schools, CancellationToken ct)
    {
        var targets = new List<SchoolTarget>();
        foreach (var school in schools)
        {
            await using var command = db.CreateCommand("""
                SELECT s.id, a.id FROM schools s JOIN social_accounts a ON a.school_id = s.id AND a.platform = 'Facebook' WHERE s.slug = $1
                """);
            command.Parameters.AddWithValue(school.Slug);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                throw new LoadToolException($"The seed has no school {school.Slug} with a Facebook account.");
            }

            var (schoolId, accountId) = (reader.GetGuid(0), reader.GetGuid(1));
            using var login = await http.PostAsJsonAsync("api/auth/login", new { email = school.AuthorEmail, password = LoadTrust.Password, twoFactorCode = Totp.Code(Totp.DemoKey) }, ct);
            if (!login.IsSuccessStatusCode)
            {
                throw new LoadToolException($"{school.AuthorEmail} could not sign in: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync(ct)}");
            }

            var token = (await login.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
            targets.Add(new SchoolTarget(school, schoolId, accountId, token));
        }

        return targets;
    }

    /// <summary>Waits until every webhook is processed, every expected load item is stored and routed, and nothing is left in the outbox or unscreened.</summary>
    private async Task<bool> DrainAsync(NpgsqlDataSource db, long expectedLoadItems, TimeSpan timeout, IReadOnlyList<HostProcess>? hosts, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            var b = await Sampler.BacklogAsync(db, ct);
            if (b.WebhooksUnprocessed == 0 && b.ItemsUnscreened == 0 && b.ItemsScreenedNotRouted == 0 && b.OutboxUnsent == 0
                && b.LoadItems >= expectedLoadItems && b.LoadItemsRouted == b.LoadItems)
            {
                Say($"  drained {watch.Elapsed.TotalSeconds:0.0} s after sending ended");
                return true;
            }

            foreach (var host in (hosts ?? []).Where(h => h.HasExited))
            {
                throw new LoadToolException($"{host.Name} exited during the run:\n{host.Tail()}");
            }

            await Task.Delay(500, ct);
        }

        return false;
    }

    // Counters read before and after the run; the figures are their differences.
    private const string Commits = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()";
    private const string OutboxRows = "SELECT count(*) FROM outbox";

    // The server's WAL position in bytes: exact at once (not a statistics view that backends report late), and the same
    // for the same work however busy the machine is, so it compares builds where the machine's speed varies.
    private const string WalPosition = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint";

    private static async Task<long> CounterAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private void PrintBaseline(BaselineFigures b)
    {
        Say("");
        Say($"Baselines ({b.Seconds} s each):");
        Say($"  pgbench TPC-B-like, {b.PgClients} clients:                 {b.PgbenchTpcb,10:0} tps");
        Say($"  pgbench single-row INSERT, {b.PgClients} clients:          {b.PgbenchInsert,10:0} commits/s");
        Say($"  pgbench single-row INSERT, 1 client:             {b.PgbenchInsertOneClient,10:0} commits/s");
        Say($"  RabbitMQ persistent + confirms, published:       {b.RabbitPublished,10:0} msg/s");
        Say($"  RabbitMQ persistent + acks, consumed:            {b.RabbitConsumed,10:0} msg/s");
        Say("");
    }

    private void Print(TrafficResult sent, PipelineFigures f, Peaks peaks, IReadOnlyList<HostProcess> hosts, BaselineFigures? b, long commits, long messages, long wal, string loadAtEnd,
        IReadOnlyDictionary<string, double> cpu, double machineBusy)
    {
        var window = f.FirstIngest is { } a && f.LastAssigned is { } z ? (z - a).TotalSeconds : 0;
        var requests = sent.RequestMilliseconds.Order().ToArray();
        double Q(double q) => requests.Length == 0 ? 0 : requests[Math.Min(requests.Length - 1, (int)Math.Ceiling(q * requests.Length) - 1)];
        Say("");
        Say("| figure | value |");
        Say("|---|---|");
        Say($"| offered | {(options.Rate is { } r ? $"{r:0} items/s" : "max")} for {options.DurationSeconds} s, {options.Workers} worker(s), {options.Schools} schools, mix {string.Join(",", options.Mix)} |");
        Say($"| webhook comments per request | {options.WebhookBatch} ({sent.WebhookRequests} webhook requests for {sent.Started - sent.DraftRequests} comments; {sent.DraftRequests} draft requests, one item each) |");
        Say($"| sent / accepted by the API, items | {sent.Started} / {sent.Accepted} ({string.Join(", ", sent.AcceptedByKind.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))}) |");
        Say($"| refused | {(sent.Refused.Count == 0 ? "none" : string.Join(", ", sent.Refused.Select(kv => $"{kv.Key} ×{kv.Value}")))} |");
        Say($"| stored / screened / assigned | {f.Stored} / {f.Screened} / {f.Assigned} (from webhooks {f.FromWebhooks}, drafts {f.Drafts}, safeguarding {f.Safeguarding}) |");
        Say($"| accepted by the API | {sent.Accepted / sent.Elapsed.TotalSeconds:0} items/s (request p50 {Q(0.5):0} ms, p99 {Q(0.99):0} ms ({Comments(options.WebhookBatch)} per webhook request); sender lag max {sent.MaxLagSeconds * 1000:0} ms) |");
        Say($"| ingested (database) | {f.IngestRate:0} items/s |");
        Say($"| throughput, ingest → assigned | {f.Throughput:0} items/s (first in to last assigned: {window:0.0} s) |");
        Say($"| ingest → ready for decision, ms | p50 {f.IngestToReady?.P50:0}, p90 {f.IngestToReady?.P90:0}, p99 {f.IngestToReady?.P99:0}, max {f.IngestToReady?.Max:0} |");
        Say($"| ingest → assigned, ms | p50 {f.IngestToAssigned?.P50:0}, p90 {f.IngestToAssigned?.P90:0}, p99 {f.IngestToAssigned?.P99:0}, max {f.IngestToAssigned?.Max:0} |");
        foreach (var host in hosts)
        {
            Say($"| peak memory (VmHWM), {host.Name} | {peaks.HostPeakMb.GetValueOrDefault(host.Name):0} MB |");
        }

        foreach (var host in hosts)
        {
            Say($"| CPU time, {host.Name} | {cpu[host.Name]:0.0} s ({(f.Stored == 0 ? 0 : cpu[host.Name] * 1000 / f.Stored):0.0} ms per item) |");
        }

        Say($"| machine busy during the run (all processes, both cores) | {machineBusy:P0} |");
        var waits = peaks.WaitSamples == 0 ? "" : string.Join(", ", peaks.WaitEvents.OrderByDescending(kv => kv.Value).Take(6)
            .Select(kv => $"{kv.Key} {(double)kv.Value / peaks.WaitSamples:0.0}"));
        Say($"| load database sessions, average active by wait | {waits} (peak waiting on advisory locks {peaks.PeakAdvisoryLockWaiters}) |");

        Say($"| peak PostgreSQL backlog | outbox unsent {peaks.OutboxUnsent}, webhooks unprocessed {peaks.WebhooksUnprocessed}, items unscreened {peaks.ItemsUnscreened}, screened not routed {peaks.ItemsScreenedNotRouted} |");
        Say($"| peak RabbitMQ depth | {peaks.RabbitTotal} in all; {string.Join(", ", peaks.RabbitByQueue.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Take(5).Select(kv => $"{kv.Key} {kv.Value}"))} |");
        var perItem = f.Stored == 0 ? 0 : (double)commits / f.Stored;
        Say($"| PostgreSQL commits | {commits} ({perItem:0.0} per item; {(window > 0 ? commits / window : 0):0}/s over the window) |");
        Say($"| messages through the outbox | {messages} ({(f.Stored == 0 ? 0 : (double)messages / f.Stored):0.0} per item) |");
        Say($"| WAL written (the whole server, from the end of the warm-up to the end of the drain) | {wal / 1048576.0:0.0} MB ({(f.Stored == 0 ? 0 : (double)wal / f.Stored):0} bytes per item) |");
        if (b is not null)
        {
            Say($"| throughput ÷ pgbench single-row INSERT ({b.PgClients} clients) | {Ratio(f.Throughput, b.PgbenchInsert)} |");
            Say($"| pipeline commits/s ÷ pgbench single-row INSERT ({b.PgClients} clients) | {Ratio(window > 0 ? commits / window : 0, b.PgbenchInsert)} |");
            Say($"| throughput ÷ pgbench TPC-B | {Ratio(f.Throughput, b.PgbenchTpcb)} |");
            Say($"| outbox messages/s ÷ RabbitMQ publish-and-consume | {Ratio(window > 0 ? messages / window : 0, b.RabbitConsumed)} |");
        }

        Say($"| load average (1, 5, 15 min) at the end | {loadAtEnd} |");
        Say("");
    }

    private static string Comments(int batch) => batch == 1 ? "1 comment" : $"{batch} comments";

    private static string Ratio(double value, double of) => of <= 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{value / of:0.000} ({value:0} of {of:0})");
}
