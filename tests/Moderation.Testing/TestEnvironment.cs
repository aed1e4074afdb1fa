using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Testing;

/// <summary>
/// Gives a test assembly its own PostgreSQL database and RabbitMQ vhost on the servers that infra/up.sh started,
/// and points the hosts under test at them through environment variables.
/// </summary>
public sealed class TestEnvironment
{
    private static readonly string[] s_referenceTables =
        ["schools", "social_accounts", "school_memberships", "asp_net_users", "asp_net_roles", "asp_net_user_roles",
         "asp_net_user_claims", "asp_net_user_logins", "asp_net_user_tokens", "asp_net_role_claims", "pupils", "consents",
         "__ef_migrations_history", "routing_config_version"];

    private NpgsqlDataSource? _dataSource;

    /// <param name="name">The database and vhost name; <c>MODERATION_TEST_SUFFIX</c> is appended, so that two checkouts can test side by side against the same servers.</param>
    public TestEnvironment(string name)
    {
        Name = name + (Environment.GetEnvironmentVariable("MODERATION_TEST_SUFFIX") ?? "");
        AdminConnectionString = Require("MODERATION_PG_ADMIN");
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Name };
        ConnectionString = builder.ConnectionString;
        RabbitHost = Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";
        RabbitPort = int.Parse(Require("RabbitMq__Port"), System.Globalization.CultureInfo.InvariantCulture);
        RabbitManagementPort = int.Parse(Require("RabbitMq__ManagementPort"), System.Globalization.CultureInfo.InvariantCulture);
        RabbitUser = Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "moderation";
        RabbitPassword = Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "moderation";
    }

    /// <summary>A database and vhost on <paramref name="servers"/>, a test's own servers; never exported to this process.</summary>
    public TestEnvironment(string name, PrivateServers servers)
    {
        Name = name;
        AdminConnectionString = servers.AdminConnectionString;
        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Name }.ConnectionString;
        RabbitHost = "127.0.0.1";
        RabbitPort = servers.AmqpPort;
        RabbitManagementPort = servers.ManagementPort;
        RabbitUser = PrivateServers.User;
        RabbitPassword = PrivateServers.Password;
        _export = false;
    }

    private readonly bool _export = true;

    public string Name { get; }
    public string AdminConnectionString { get; }
    public string ConnectionString { get; }
    public string RabbitHost { get; }
    public int RabbitPort { get; }
    public int RabbitManagementPort { get; }
    public string RabbitUser { get; }
    public string RabbitPassword { get; }

    /// <summary>The variables a host under test reads, whether it runs in this process or as a child process.</summary>
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>
    {
        ["ConnectionStrings__Moderation"] = ConnectionString,
        ["RabbitMq__Host"] = RabbitHost,
        ["RabbitMq__Port"] = RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq__ManagementPort"] = RabbitManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq__VirtualHost"] = Name,
        ["RabbitMq__Username"] = RabbitUser,
        ["RabbitMq__Password"] = RabbitPassword,
        ["OutboxRelay__PollInterval"] = "00:00:00.200",
    };

    /// <summary>
    /// Drops this environment's database. PostgreSQL 15 will not let a role that is not a superuser end an autovacuum
    /// worker (42501): one that is vacuuming the database after a heavy run makes the drop fail, so it is tried again
    /// once the worker has moved on.
    /// </summary>
    private async Task DropDatabaseAsync(NpgsqlConnection admin)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 60)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>Drops and recreates the database and the vhost, then exports the variables to this process (not for a private environment).</summary>
    public async Task CreateAsync()
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await DropDatabaseAsync(admin);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        using var http = ManagementClient();
        var vhost = Uri.EscapeDataString(Name);
        (await http.DeleteAsync($"vhosts/{vhost}")).Dispose();
        using (var put = await http.PutAsync($"vhosts/{vhost}", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            put.EnsureSuccessStatusCode();
        }

        using (var perms = await http.PutAsync(
            $"permissions/{vhost}/{Uri.EscapeDataString(RabbitUser)}",
            new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json")))
        {
            perms.EnsureSuccessStatusCode();
        }

        // A private environment is for child processes and explicit configuration only: the variables of this process
        // belong to the tests running beside it on the shared servers.
        if (_export)
        {
            foreach (var (key, value) in Variables)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }

    public HttpClient ManagementClient()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{RabbitHost}:{RabbitManagementPort}/api/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RabbitUser}:{RabbitPassword}")));
        return http;
    }

    /// <summary>One pool for every context the tests open, so polling does not exhaust the server's connections.</summary>
    private NpgsqlDataSource DataSource => _dataSource ??= NpgsqlDataSource.Create(ConnectionString);

    /// <param name="interceptors">EF interceptors for this context alone (a test that watches the commands EF sends).</param>
    public ModerationDbContext CreateDbContext(params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<ModerationDbContext>();
        PersistenceSetup.Configure(options, DataSource);
        if (interceptors.Length > 0)
        {
            options.AddInterceptors(interceptors);
        }

        return new ModerationDbContext(options.Options);
    }

    /// <summary>
    /// Empties everything that tests change (items, audit, messages, rotas), keeping schools, users and rosters. Rotas
    /// are emptied too, so that every test starts with none and builds the rota it needs.
    /// </summary>
    public async Task ResetMutableTablesAsync()
    {
        await using var db = CreateDbContext();
        var tables = await db.Database.SqlQueryRaw<string>(
            "SELECT tablename AS \"Value\" FROM pg_tables WHERE schemaname = 'public'").ToListAsync();
        var mutable = tables.Except(s_referenceTables).Where(t => !t.StartsWith("qrtz_", StringComparison.Ordinal)).ToList();
        if (mutable.Count > 0)
        {
            // Table names come from pg_tables, not from input. A worker still finishing the last test's messages can
            // deadlock with the truncation's table locks; the truncation then simply runs again.
            var truncate = "TRUNCATE " + string.Join(", ", mutable) + " RESTART IDENTITY CASCADE";
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await db.Database.ExecuteSqlRawAsync(truncate);
                    break;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
                {
                    await Task.Delay(100 * attempt);
                }
            }

            // Cached screening profiles must not keep what was just emptied (a school's own screening words); no webhook carries over.
            await db.Database.ExecuteSqlRawAsync("UPDATE schools SET screening_version = screening_version + 1, notification_webhook_url = NULL");

            // Accounts go back to not connected: no credentials, cursor or health carries over from another test.
            await db.Database.ExecuteSqlRawAsync(
                """
                UPDATE social_accounts SET connection_status = 'NotConnected', api_base_url = NULL, protected_credentials = NULL,
                    connected_at = NULL, connected_by_id = NULL, poll_interval_seconds = NULL, poll_cursor = NULL, last_polled_at = NULL,
                    last_poll_count = NULL, last_error = NULL, last_error_at = NULL, circuit_state = NULL, circuit_changed_at = NULL,
                    pre_moderated = TRUE
                """);
        }
    }

    public async Task PurgeQueuesAsync()
    {
        using var http = ManagementClient();
        var vhost = Uri.EscapeDataString(Name);
        var queues = await http.GetFromJsonAsync<System.Text.Json.JsonElement[]>($"queues/{vhost}?columns=name") ?? [];
        foreach (var q in queues)
        {
            (await http.DeleteAsync($"queues/{vhost}/{Uri.EscapeDataString(q.GetProperty("name").GetString()!)}/contents")).Dispose();
        }
    }

    /// <summary>A queue's depth and how many deliveries it has acknowledged, from the management API (a few seconds behind).</summary>
    public async Task<QueueStats> QueueStatsAsync(string queue)
    {
        using var http = ManagementClient();
        using var response = await http.GetAsync($"queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode)
        {
            return new QueueStats(0, 0);
        }

        var q = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var messages = q.TryGetProperty("messages", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Number ? m.GetInt64() : 0;
        var acked = q.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("ack", out var a) ? a.GetInt64() : 0;
        return new QueueStats(messages, acked);
    }

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} is not set: run the tests through infra/test.sh, or source infra/env.sh first.");
}

public sealed record QueueStats(long Messages, long Delivered);
