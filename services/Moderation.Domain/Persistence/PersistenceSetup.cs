using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Domain.Items;
using Npgsql;

namespace Moderation.Domain.Persistence;

public static class PersistenceSetup
{
    public const string ConnectionName = "Moderation";

    /// <summary>
    /// Contexts kept for reuse, more than a host used at once in the load test. It bounds what the pool keeps, not how
    /// many are used: a context needed beyond them is made, and dropped afterwards, as without a pool.
    /// </summary>
    public const int ContextPoolSize = 64;

    public static IHostApplicationBuilder AddModerationPersistence(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set. Source infra/env.sh, or set ConnectionStrings__{ConnectionName}.");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(PoolSettings(connectionString)));
        builder.Services.AddSingleton<OutboxNotifyInterceptor>();
        // The options are built once: everything they hold (the data source, the interceptor) is a singleton. Built per
        // scope, as is EF's default, they were built again for every message's context (docs/benchmarks.md, issue 9,
        // ninth pass). The contexts are pooled too: EF sets up a context's internal services the first time it is used,
        // and a host used a few for each message and write batch (fifteenth pass). Each scope still has its own,
        // leased from the pool and given back when the scope ends.
        builder.Services.AddPooledDbContextFactory<ModerationDbContext>(
            (services, options) => Configure(options, services.GetRequiredService<NpgsqlDataSource>())
                .AddInterceptors(services.GetRequiredService<OutboxNotifyInterceptor>()),
            ContextPoolSize);
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<ModerationDbContext>>().CreateDbContext().Leased());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ItemDecisions>();
        builder.Services.AddScoped<ItemIntake>();
        builder.Services.AddSingleton<SchoolWriteBatches>();
        builder.Services.Configure<WriteBatchOptions>(builder.Configuration.GetSection(WriteBatchOptions.Section));
        builder.Services.AddScoped<Consent.RosterImport>();
        builder.Services.AddScoped<Consent.Reconciliation.ConsentReconciler>();
        builder.Services.Configure<Consent.Reconciliation.ReconciliationOptions>(builder.Configuration.GetSection(Consent.Reconciliation.ReconciliationOptions.Section));
        builder.Services.AddSingleton<Rota.IRotaStore, Rota.RotaStore>();
        return builder;
    }

    /// <summary>
    /// The pool's settings, unless the connection string sets them itself (docs/benchmarks.md, issue 9):
    /// <list type="bullet">
    /// <item>Npgsql sends DISCARD ALL each time a pooled connection is reused: one more statement per EF operation, 15
    /// per item in the load test. Nothing here leaves session state behind (the only locks are transaction advisory
    /// locks, and no session setting is changed), so the reset is skipped.</item>
    /// <item>Every statement was parsed and planned anew: the pipeline runs the same few dozen statements for every
    /// item, so each connection prepares those it has run twice and reuses the plan.</item>
    /// </list>
    /// </summary>
    public static string PoolSettings(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Sets(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 200;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

    private static bool Sets(string connectionString, params string[] keys) =>
        keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            // Migrations are hand-written (the EF design tools do not restore here), so there is no model snapshot to
            // compare with; a test checks the migrated schema against GenerateCreateScript() instead.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    /// <summary>Applies migrations; EF holds a database lock meanwhile, so replicas starting together are safe.</summary>
    public static async Task MigrateModerationDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        await db.Database.MigrateAsync(ct);
    }
}
