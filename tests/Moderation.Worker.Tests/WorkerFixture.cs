using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Domain.Seeding;
using Moderation.Testing;

namespace Moderation.Worker.Tests;

/// <summary>A migrated, seeded database and a clean vhost; each test starts the worker the way it needs.</summary>
public sealed class WorkerFixture : IAsyncLifetime
{
    public TestEnvironment Env { get; } = new("moderation_worker_tests");
    public IServiceProvider Services { get; private set; } = null!;
    private IHost? _support;

    public async Task InitializeAsync()
    {
        await Env.CreateAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.AddModerationPersistence();
        builder.Services.AddModerationIdentityCore();
        builder.Services.AddScoped<DemoSeeder>();
        builder.AddModerationPlatforms();
        builder.AddModerationNotifications();
        builder.AddModerationRouting();
        _support = builder.Build();
        Services = _support.Services;
        await Services.MigrateModerationDatabaseAsync();
        using var scope = Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DemoSeeder>()
            .SeedAsync(DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json")), CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _support?.Dispose();
        return Task.CompletedTask;
    }

    public async Task ResetAsync()
    {
        await Env.ResetMutableTablesAsync();
        await Env.PurgeQueuesAsync();
    }

    public ModerationDbContext Db() => Env.CreateDbContext();

    /// <summary>Ingests inbound comments as a connector would; each leaves an ItemReceived in the outbox.</summary>
    public Task<List<Guid>> IngestAsync(int count, string prefix = "comment") => IngestCommentsAsync(Services, count, prefix);

    /// <summary>
    /// Inbound comments stored as a connector stores them, on the account <paramref name="which"/> picks (the first by
    /// handle when none is given).
    /// </summary>
    public static async Task<List<Guid>> IngestCommentsAsync(IServiceProvider services, int count, string prefix, System.Linq.Expressions.Expression<Func<SocialAccount, bool>>? which = null)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        var accounts = db.SocialAccounts.AsNoTracking();
        var account = which is null ? await accounts.OrderBy(a => a.Handle).FirstAsync() : await accounts.SingleAsync(which);
        var intake = scope.ServiceProvider.GetRequiredService<ItemIntake>();
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var (ingested, _) = await intake.IngestAsync(
                new InboundItem(account.Id, ItemKind.InboundComment, $"{prefix}-{i}-{Guid.NewGuid():N}", "Parent", "p", $"{prefix} {i}: well done everyone", null),
                CancellationToken.None);
            ids.Add(ingested);
        }

        return ids;
    }

    public async Task<int> CountInStateAsync(IReadOnlyCollection<Guid> ids, ItemState state)
    {
        await using var db = Db();
        return await db.Items.CountAsync(i => ids.Contains(i.Id) && i.State == state);
    }

    /// <summary>Decides as the seeded Fleming moderator (approve) once screening has put the item up for review.</summary>
    public async Task DecideAsync(Guid itemId, bool approve)
    {
        await Eventually.WaitForAsync(() => CountInStateAsync([itemId], ItemState.AwaitingReview), n => n == 1, "the item to be screened");
        await using var db = Db();
        var moderator = await db.Users.SingleAsync(u => u.Email == "moderator@fleming.example");
        var schools = await db.Memberships.Where(m => m.UserId == moderator.Id).Select(m => m.SchoolId).ToListAsync();
        var staff = new StaffMember(moderator.Id, moderator.DisplayName, new HashSet<string> { Roles.Moderator }, schools.ToHashSet());
        await DecideAsPersonAsync(decisions => approve
            ? decisions.ApproveAsync(itemId, staff, null, null, CancellationToken.None)
            : decisions.RejectAsync(itemId, staff, RejectionReason.Abusive, null, null, CancellationToken.None));
    }

    /// <summary>
    /// Takes a decision as a person does: routing or the hide on arrival may be writing the item at the same moment,
    /// and then the person reloads and decides again (a new scope each time, as each request to the API has).
    /// </summary>
    public async Task DecideAsPersonAsync(Func<ItemDecisions, Task<Outcome>> decide)
    {
        var outcome = await Eventually.WaitForAsync(
            async () =>
            {
                using var scope = Services.CreateScope();
                return await decide(scope.ServiceProvider.GetRequiredService<ItemDecisions>());
            },
            o => o.Kind != OutcomeKind.Conflict, "a decision without a concurrent change");
        outcome.Kind.Should().Be(OutcomeKind.Ok, outcome.Detail);
    }

    /// <summary>The worker as its own process (for tests that kill it), on this fixture's database and vhost.</summary>
    /// <param name="settings">Extra configuration, as command-line arguments (<c>--Section:Key=value</c>).</param>
    public System.Diagnostics.Process StartWorkerProcess(params string[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Moderation.Worker.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Env.Variables)
        {
            start.Environment[key] = value;
        }

        var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <param name="settings">Extra configuration, as command-line arguments (<c>--Section:Key=value</c>).</param>
    public static async Task<IHost> StartWorkerAsync(IConsumeObserver? observer = null, params string[] settings)
    {
        var host = WorkerHost.CreateBuilder(settings).Build();
        if (observer is not null)
        {
            host.Services.GetRequiredService<IBusControl>().ConnectConsumeObserver(observer);
        }

        await host.StartAsync();
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
        return new StoppingHost(host);
    }

    /// <summary>
    /// A worker that stops when it is disposed. Disposing a generic host does not stop it: its bus would go on taking the
    /// next test's messages, and its clustered Quartz scheduler would go on acquiring the shared triggers (the routing
    /// sweep among them) for jobs that can no longer run.
    /// </summary>
    private sealed class StoppingHost(IHost host) : IHost
    {
        private bool _stopped;

        public IServiceProvider Services => host.Services;

        public Task StartAsync(CancellationToken cancellationToken = default) => host.StartAsync(cancellationToken);

        public async Task StopAsync(CancellationToken cancellationToken = default)
        {
            await host.StopAsync(cancellationToken);
            _stopped = true;
        }

        public void Dispose()
        {
            if (!_stopped)
            {
                // Off the test's synchronisation context, so that the stop's continuations cannot wait on this thread.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                Task.Run(() => host.StopAsync(timeout.Token)).GetAwaiter().GetResult();
            }

            host.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class WorkerCollection : ICollectionFixture<WorkerFixture>
{
    public const string Name = "worker";
}

[Collection(WorkerCollection.Name)]
public abstract class WorkerTest(WorkerFixture fixture) : IAsyncLifetime
{
    protected WorkerFixture Fixture { get; } = fixture;

    public Task InitializeAsync() => Fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
