using Npgsql;

namespace Moderation.Benchmarks.Consent;

/// <summary>A benchmark's own database, dropped and created afresh on the servers of infra/env.sh.</summary>
public static class BenchDatabase
{
    /// <summary><paramref name="baseName"/> plus MODERATION_TEST_SUFFIX, refused unless it is a plain PostgreSQL name.</summary>
    public static string Name(string baseName, string? suffix)
    {
        var name = baseName + suffix;
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9_]{1,63}$"))
        {
            throw new InvalidOperationException($"MODERATION_TEST_SUFFIX '{suffix}' would make the database name '{name}': use lower-case letters, digits and '_' only (63 characters in all).");
        }

        return name;
    }

    /// <summary>Drops and creates the database; returns its connection string (10-minute command timeout).</summary>
    public static async Task<NpgsqlConnectionStringBuilder> RecreateAsync(string baseName)
    {
        var baseConnection = Environment.GetEnvironmentVariable("ConnectionStrings__Moderation")
            ?? throw new InvalidOperationException("ConnectionStrings__Moderation is not set: source infra/env.sh first.");
        var name = Name(baseName, Environment.GetEnvironmentVariable("MODERATION_TEST_SUFFIX"));
        var bench = new NpgsqlConnectionStringBuilder(baseConnection) { Database = name, CommandTimeout = 600 };
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(baseConnection) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return bench;
    }
}
