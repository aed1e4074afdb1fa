using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moderation.Testing;

/// <summary>
/// A PostgreSQL cluster and a RabbitMQ node of a test's own, which it may stop and start at will without disturbing
/// the shared servers that infra/up.sh started (other engineers and the other test assemblies use those). Both are run
/// by the project's own scripts, infra/postgres.sh and infra/rabbitmq.sh, with free loopback ports, a node name of
/// their own and <c>MODERATION_INFRA_STATE</c> pointing at a temporary folder, which is removed on disposal.
/// Like those scripts it needs root: PostgreSQL runs as the <c>postgres</c> user and RabbitMQ as <c>rabbitmq</c>.
/// </summary>
public sealed class PrivateServers : IAsyncDisposable
{
    public const string User = "moderation";
    public const string Password = "moderation";

    private readonly StringBuilder _log = new();

    private PrivateServers(string state)
    {
        State = state;
        PgPort = FreePort();
        AmqpPort = FreePort();
        DistPort = FreePort();
        ManagementPort = FreePort();
        Node = $"modfaults{Environment.ProcessId}x{Path.GetFileName(state)[^6..].ToLowerInvariant()}@localhost";
    }

    /// <summary>The temporary folder that holds both servers' data, sockets and logs.</summary>
    public string State { get; }
    public int PgPort { get; }
    public int AmqpPort { get; }
    public int DistPort { get; }
    public int ManagementPort { get; }
    public string Node { get; }

    /// <summary>What the scripts printed, in order; shown when a test fails.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public string AdminConnectionString =>
        $"Host=127.0.0.1;Port={PgPort};Database=postgres;Username={User};Password={Password}";

    public static async Task<PrivateServers> StartAsync()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                "The fault tests that restart PostgreSQL and RabbitMQ start private servers through infra/postgres.sh and infra/rabbitmq.sh, " +
                $"which run them as the postgres and rabbitmq users and so need root; this test runs as '{Environment.UserName}'. " +
                "Run the tests as root, as infra/test.sh does.");
        }

        var state = Directory.CreateTempSubdirectory("moderation-faults-").FullName;
        var servers = new PrivateServers(state);
        try
        {
            await servers.StartPostgresAsync();
            await servers.StartRabbitAsync();
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    public Task StartPostgresAsync() => RunAsync("postgres.sh", "start");

    /// <summary>A fast shutdown (<c>pg_ctl stop -m fast</c>): open connections are cut, as in a real restart.</summary>
    public Task StopPostgresAsync() => RunAsync("postgres.sh", "stop");

    public Task StartRabbitAsync() => RunAsync("rabbitmq.sh", "start");

    /// <summary>Stops the node (<c>rabbitmqctl stop</c>) and waits for its VM to exit; connections are closed by the broker.</summary>
    public Task StopRabbitAsync() => RunAsync("rabbitmq.sh", "stop");

    private async Task RunAsync(string script, string command)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "infra", script), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MODERATION_INFRA_STATE"] = State;
        start.Environment["PG_PORT"] = PgPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["AMQP_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["RABBIT_DIST_PORT"] = DistPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["RABBIT_MGMT_PORT"] = ManagementPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["RABBIT_NODE"] = Node;
        start.Environment["PG_USER"] = User;
        start.Environment["PG_PASSWORD"] = Password;
        start.Environment["PG_DATABASE"] = "moderation";
        start.Environment["RABBIT_USER"] = User;
        start.Environment["RABBIT_PASSWORD"] = Password;
        start.Environment["RABBIT_VHOST"] = "/";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = (await stdout) + (await stderr);
        lock (_log)
        {
            _log.Append(CultureInfo.InvariantCulture, $"$ infra/{script} {command}\n{output}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/{script} {command} failed (exit {process.ExitCode}):\n{output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (script, command) in new[] { ("rabbitmq.sh", "stop"), ("postgres.sh", "stop") })
        {
            try
            {
                await RunAsync(script, command);
            }
            catch (InvalidOperationException)
            {
                // Already down; the folder goes anyway.
            }
        }

        try
        {
            Directory.Delete(State, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
