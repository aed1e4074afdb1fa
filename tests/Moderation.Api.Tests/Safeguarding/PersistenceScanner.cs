using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>Every log line a host writes, at every level, kept in memory for a test to search.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {values} {exception}");
        }
    }
}

/// <summary>
/// Looks for a byte sequence everywhere a file could have been kept: every bytea, text, varchar and jsonb column of
/// every table (as bytes, hex and base64), the PostgreSQL write-ahead log and server log written since a moment, and
/// files written to the temporary folder since then.
/// </summary>
public static class PersistenceScanner
{
    public static async Task<List<string>> FindInDatabaseAsync(string connectionString, byte[] needle, byte[] wholeFile)
    {
        var found = new List<string>();
        var texts = new[] { Convert.ToHexStringLower(needle), Convert.ToHexString(needle), Convert.ToBase64String(wholeFile) };
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var list = new NpgsqlCommand(
            """
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('bytea', 'text', 'character varying', 'jsonb', 'json')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        foreach (var (table, column, type) in columns)
        {
            // Names come from information_schema, not from input.
            var sql = type == "bytea"
                ? $"SELECT count(*) FROM \"{table}\" WHERE position(@needle IN \"{column}\") > 0 OR position(@hex::bytea IN \"{column}\") > 0"
                : $"SELECT count(*) FROM \"{table}\" WHERE \"{column}\"::text LIKE '%' || @t0 || '%' OR \"{column}\"::text LIKE '%' || @t1 || '%' OR \"{column}\"::text LIKE '%' || @t2 || '%'";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("needle", needle);
            command.Parameters.AddWithValue("hex", System.Text.Encoding.ASCII.GetBytes(texts[0]));
            for (var i = 0; i < texts.Length; i++)
            {
                command.Parameters.AddWithValue($"t{i}", texts[i]);
            }

            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                found.Add($"{table}.{column}");
            }
        }

        return found;
    }

    /// <summary>Files under <paramref name="folder"/> written since <paramref name="since"/> that contain the needle or its hex or base64 forms.</summary>
    public static List<string> FindInFiles(string folder, DateTime since, byte[] needle, byte[] wholeFile)
    {
        var forms = new[]
        {
            needle,
            System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(needle)),
            System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(wholeFile)),
        };
        var found = new List<string>();
        if (!Directory.Exists(folder))
        {
            return found;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            try
            {
                var info = new FileInfo(file);
                if (info.LastWriteTimeUtc < since || info.Length > 64L * 1024 * 1024 || info.Length == 0)
                {
                    continue;
                }

                var bytes = File.ReadAllBytes(file);
                if (forms.Any(f => bytes.AsSpan().IndexOf(f) >= 0))
                {
                    found.Add(file);
                }
            }
            catch (IOException)
            {
                // A file in use or removed meanwhile is someone else's; it cannot be ours.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>The PostgreSQL data folder that infra/ sets up ($STATE/pg/data), if this process can see it.</summary>
    public static string? PostgresDataFolder() =>
        Environment.GetEnvironmentVariable("STATE") is { Length: > 0 } state && Directory.Exists(Path.Combine(state, "pg", "data", "pg_wal"))
            ? Path.Combine(state, "pg")
            : null;
}
