using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Moderation.Testing;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Moderation.LoadTest;

public sealed record BaselineFigures(double PgbenchTpcb, double PgbenchInsert, double PgbenchInsertOneClient, double RabbitPublished, double RabbitConsumed, int PgClients, int Seconds);

/// <summary>
/// The machine's own limits, measured in the same run so every pipeline figure can be read as a share of them:
/// PostgreSQL's commit rate with pgbench (TPC-B-like, and one single-row INSERT per transaction), and RabbitMQ's
/// publish-and-consume rate with a minimal RabbitMQ.Client loop (durable queue, persistent messages, publisher
/// confirms, manual acks; MassTransit's settings).
/// </summary>
public static partial class Baselines
{
    public static async Task<BaselineFigures> RunAsync(TestEnvironment env, int pgClients, int seconds, Action<string> say, CancellationToken ct)
    {
        var (tpcb, insert, insertOne) = await PgbenchAsync(env, pgClients, seconds, say, ct);
        var (published, consumed) = await RabbitAsync(env, seconds, say, ct);
        return new BaselineFigures(tpcb, insert, insertOne, published, consumed, pgClients, seconds);
    }

    private static string Pgbench()
    {
        var bin = Environment.GetEnvironmentVariable("PG_BIN");
        foreach (var candidate in new[] { bin is null ? null : Path.Combine(bin, "pgbench"), "/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench" })
        {
            if (candidate is not null && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new LoadToolException("pgbench is not installed (it comes with postgresql-15 in /usr/lib/postgresql/15/bin); run infra/up.sh once.");
    }

    private static async Task<(double Tpcb, double Insert, double InsertOne)> PgbenchAsync(TestEnvironment env, int clients, int seconds, Action<string> say, CancellationToken ct)
    {
        var pgbench = Pgbench();
        var admin = new NpgsqlConnectionStringBuilder(env.AdminConnectionString);
        var database = env.Name + "_pgbench";
        await using (var connection = new NpgsqlConnection(env.AdminConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }

        try
        {
            string[] common = ["-h", admin.Host ?? "127.0.0.1", "-p", admin.Port.ToString(CultureInfo.InvariantCulture), "-U", admin.Username ?? "moderation"];
            var environment = new Dictionary<string, string> { ["PGPASSWORD"] = admin.Password ?? "" };
            say($"pgbench: initialising scale {clients} in {database} ...");
            await RunAsync(pgbench, [.. common, "-i", "-q", "-s", clients.ToString(CultureInfo.InvariantCulture), database], environment, ct);

            var c = clients.ToString(CultureInfo.InvariantCulture);
            var t = seconds.ToString(CultureInfo.InvariantCulture);
            say($"pgbench: TPC-B-like, {clients} clients, {seconds} s ...");
            var tpcb = Tps(await RunAsync(pgbench, [.. common, "-n", "-c", c, "-j", "2", "-T", t, database], environment, ct));

            await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(env.AdminConnectionString) { Database = database }.ConnectionString))
            {
                await connection.OpenAsync(ct);
                await using var table = new NpgsqlCommand("CREATE TABLE single_row (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)", connection);
                await table.ExecuteNonQueryAsync(ct);
            }

            var script = Path.Combine(Path.GetTempPath(), $"moderation-load-insert-{Environment.ProcessId}.sql");
            await File.WriteAllTextAsync(script, "INSERT INTO single_row (payload) VALUES (repeat('x', 300));\n", ct);
            try
            {
                say($"pgbench: one single-row INSERT per transaction, {clients} clients, {seconds} s ...");
                var insert = Tps(await RunAsync(pgbench, [.. common, "-n", "-f", script, "-c", c, "-j", "2", "-T", t, database], environment, ct));
                say($"pgbench: one single-row INSERT per transaction, 1 client, {seconds} s ...");
                var one = Tps(await RunAsync(pgbench, [.. common, "-n", "-f", script, "-c", "1", "-j", "1", "-T", t, database], environment, ct));
                return (tpcb, insert, one);
            }
            finally
            {
                File.Delete(script);
            }
        }
        finally
        {
            await using var connection = new NpgsqlConnection(env.AdminConnectionString);
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static double Tps(string output)
    {
        var match = TpsLine().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new LoadToolException($"pgbench printed no tps line:\n{output}");
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    private static async Task<string> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new LoadToolException($"{file} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new LoadToolException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}):\n{output}");
    }

    /// <summary>Publishes and consumes at once for <paramref name="seconds"/>; rates are per second of that window.</summary>
    private static async Task<(double Published, double Consumed)> RabbitAsync(TestEnvironment env, int seconds, Action<string> say, CancellationToken ct)
    {
        say($"RabbitMQ: publish (persistent, confirmed) and consume (acked) on one durable queue, {seconds} s ...");
        var factory = new ConnectionFactory
        {
            HostName = env.RabbitHost, Port = env.RabbitPort, UserName = env.RabbitUser, Password = env.RabbitPassword, VirtualHost = env.Name,
        };
        const string queue = "load-baseline";
        await using var publisherConnection = await factory.CreateConnectionAsync(ct);
        await using var consumerConnection = await factory.CreateConnectionAsync(ct);
        await using var publisher = await publisherConnection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await using var consumer = await consumerConnection.CreateChannelAsync(cancellationToken: ct);
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await publisher.QueuePurgeAsync(queue, ct);
        await consumer.BasicQosAsync(0, 32, false, ct);

        long consumed = 0;
        var counting = 1;
        var receiver = new AsyncEventingBasicConsumer(consumer);
        receiver.ReceivedAsync += async (_, delivery) =>
        {
            await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false, ct);
            if (Volatile.Read(ref counting) == 1)
            {
                Interlocked.Increment(ref consumed);
            }
        };
        await consumer.BasicConsumeAsync(queue, autoAck: false, receiver, ct);

        var body = new byte[600];
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        long published = 0;
        var clock = Stopwatch.StartNew();
        var window = TimeSpan.FromSeconds(seconds);
        while (clock.Elapsed < window)
        {
            // Like the outbox relay: a batch published at once, each awaiting its confirm.
            var batch = new List<Task>(100);
            for (var i = 0; i < 100; i++)
            {
                batch.Add(publisher.BasicPublishAsync("", queue, mandatory: false, properties, body, ct).AsTask());
            }

            await Task.WhenAll(batch);
            published += batch.Count;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref counting, 0);
        var consumedInWindow = Interlocked.Read(ref consumed);
        await publisher.QueueDeleteAsync(queue, cancellationToken: ct);
        return (published / elapsed, consumedInWindow / elapsed);
    }
}
