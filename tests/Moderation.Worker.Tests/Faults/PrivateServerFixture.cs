using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Faults;

/// <summary>
/// The fault tests that restart PostgreSQL or RabbitMQ: servers of their own (<see cref="PrivateServers"/>), so that
/// nobody else's tests or work lose their connections, with a migrated, seeded database and a vhost on them. The API
/// and the worker run as child processes pointed at them.
/// </summary>
public sealed class PrivateServerFixture : IAsyncLifetime
{
    public const string AppSecret = "fault-test-meta-app-secret";

    public PrivateServers Servers { get; private set; } = null!;

    public TestEnvironment Env { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Servers = await PrivateServers.StartAsync();
        Env = new TestEnvironment("moderation_faults", Servers);
        await Env.CreateAsync();

        // Configuration given explicitly, never through this process's variables (they name the shared servers).
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Env.Variables.ToDictionary(v => v.Key.Replace("__", ":", StringComparison.Ordinal), v => (string?)v.Value));
        builder.AddModerationPersistence();
        builder.Services.AddModerationIdentityCore();
        builder.Services.AddScoped<DemoSeeder>();
        using var support = builder.Build();
        await support.Services.MigrateModerationDatabaseAsync();
        using var scope = support.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>()
            .SeedAsync(DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json")), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Servers is not null)
        {
            await Servers.DisposeAsync();
        }
    }

    /// <summary>Empty items, audit and queues; Fleming's rota and its Facebook Page connected for webhooks.</summary>
    public async Task ResetAsync()
    {
        await Env.ResetMutableTablesAsync();
        await Env.PurgeQueuesAsync();
        await using var db = Env.CreateDbContext();
        await FaultSchool.SetRotaAsync(db);
        await FaultSchool.ConnectForWebhooksAsync(db);
    }

    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(Env.Variables)
    {
        ["Platforms__Meta__AppSecret"] = AppSecret,
        ["Platforms__PollingEnabled"] = "false",
    };

    public ServiceProcess StartApi() => ServiceProcess.Api(Variables);

    public ServiceProcess StartWorker() => ServiceProcess.Worker(Variables);

    /// <summary>Messages in every error queue of the vhost, by queue.</summary>
    public async Task<Dictionary<string, long>> ErrorQueuesAsync()
    {
        using var http = Env.ManagementClient();
        var queues = await http.GetFromJsonAsync<JsonElement[]>($"queues/{Uri.EscapeDataString(Env.Name)}?columns=name,messages") ?? [];
        return queues.Where(q => q.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal))
            .ToDictionary(q => q.GetProperty("name").GetString()!, q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
    }
}

[CollectionDefinition(Name)]
public sealed class PrivateServerCollection : ICollectionFixture<PrivateServerFixture>
{
    public const string Name = "faults-private-servers";
}

[Collection(PrivateServerCollection.Name)]
public abstract class PrivateServerTest(PrivateServerFixture fixture) : IAsyncLifetime
{
    protected PrivateServerFixture Fixture { get; } = fixture;

    public Task InitializeAsync() => Fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
