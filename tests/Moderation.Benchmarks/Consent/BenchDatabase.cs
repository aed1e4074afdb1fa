using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Accounts;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;
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

    /// <summary>
    /// The benchmark's database made afresh, migrated and seeded with the demo data, in a host with the services the
    /// consent benchmarks use; returns the host and Fleming Primary's id. EF logs warnings only, as in the worker's
    /// appsettings.json (at Information it would write every statement of a run to the console).
    /// </summary>
    public static async Task<(IHost Host, Guid FlemingId)> SeededHostAsync(string baseName)
    {
        var bench = await RecreateAsync(baseName);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Moderation"] = bench.ConnectionString });
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.AddModerationPersistence();
        builder.AddModerationNotifications();
        builder.Services.AddModerationIdentityCore();
        builder.Services.AddScoped<DemoSeeder>();
        var host = builder.Build();
        await host.Services.MigrateModerationDatabaseAsync();
        using var scope = host.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(DemoSeeder.Read(Path.Combine(RepoRoot.Path, "seeds", "demo.json")), CancellationToken.None);
        var fleming = await scope.ServiceProvider.GetRequiredService<ModerationDbContext>().Schools
            .Where(s => s.Slug == "fleming-primary").Select(s => s.Id).SingleAsync();
        return (host, fleming);
    }
}
