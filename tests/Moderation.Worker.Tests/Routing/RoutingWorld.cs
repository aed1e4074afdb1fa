using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Routing;

/// <summary>
/// Fleming Primary from the demo seed, with a rota and routing settings each test sets, items put straight into
/// review, and the router and sweep built by hand on a clock the test moves.
/// </summary>
public sealed class RoutingWorld(WorkerFixture fixture)
{
    /// <summary>Tuesday 1 December 2026, 10:00 GMT: school hours.</summary>
    public static readonly DateTimeOffset Tuesday10am = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public ManualTimeProvider Clock { get; } = new(Tuesday10am);

    public Guid School { get; private set; }
    public Guid Amy { get; private set; }
    public Guid Tom { get; private set; }
    public Guid Admin { get; private set; }
    public Guid Head { get; private set; }
    public Guid Dsl { get; private set; }
    public Guid Author { get; private set; }
    private Guid _account;

    /// <summary>Replaces the school's rotas before <see cref="RotaStore"/> reads them; null keeps them.</summary>
    public Func<RotaDefinition, RotaDefinition>? AdjustRota { get; set; }

    public async Task<RoutingWorld> LoadAsync()
    {
        await using var db = fixture.Db();
        School = (await db.Schools.SingleAsync(s => s.Slug == "fleming-primary")).Id;
        _account = (await db.SocialAccounts.SingleAsync(a => a.SchoolId == School && a.Platform == Platform.Facebook)).Id;
        async Task<Guid> User(string email) => (await db.Users.SingleAsync(u => u.Email == email)).Id;
        Amy = await User("moderator@fleming.example");
        Tom = await User("moderator2@fleming.example");
        Admin = await User("admin@riverside.example");
        Head = await User("head@fleming.example");
        Dsl = await User("dsl@fleming.example");
        Author = await User("author@fleming.example");
        return this;
    }

    /// <summary>
    /// Replaces the rotas covering the school with one rota of these rotations: each a daily rotation of its members,
    /// round the clock all year; equal layers are on duty together.
    /// </summary>
    public async Task SetRotaAsync(params (string Name, int Layer, Guid[] Members)[] rotations)
    {
        await using var db = fixture.Db();
        await db.Rotas.Where(r => r.Schools.Any(s => s.SchoolId == School)).ExecuteDeleteAsync();
        var now = Clock.GetUtcNow();
        var rota = new DutyRota { Id = Guid.NewGuid(), Name = "Routing test rota", CreatedAt = now, UpdatedAt = now };
        rota.SetSchools([School]);
        foreach (var ((name, layer, members), position) in rotations.Select((r, i) => (r, i)))
        {
            var rotation = new Rotation
            {
                Id = Guid.NewGuid(), RotaId = rota.Id, Name = name, Layer = layer, Position = position,
                StartsOn = new DateOnly(2026, 9, 7), HandoffTime = new TimeOnly(8, 0), ShiftDays = 1, RunsInHolidays = true,
            };
            rotation.SetMembers(members);
            rota.Rotations.Add(rotation);
        }

        db.Rotas.Add(rota);
        await db.SaveChangesAsync();
    }

    public async Task SetSettingsAsync(RoutingSettings settings)
    {
        await using var db = fixture.Db();
        await db.RoutingSettings.Where(s => s.SchoolId == School).ExecuteDeleteAsync();
        db.RoutingSettings.Add(new SchoolRoutingSettings { SchoolId = School, Settings = settings.ToJson(), UpdatedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    /// <summary>A comment already screened and waiting for review, as screening leaves it; with findings in the given categories.</summary>
    public async Task<Guid> ScreenedCommentAsync(params string[] categories)
    {
        await using var db = fixture.Db();
        var now = Clock.GetUtcNow();
        var item = new ModerationItem
        {
            Id = Guid.CreateVersion7(), SchoolId = School, SocialAccountId = _account, Kind = ItemKind.InboundComment,
            State = ItemState.AwaitingReview, Platform = Platform.Facebook, PlatformItemId = $"routing-{Guid.NewGuid():N}",
            AuthorName = "A Parent", Text = "What time does the fair start?", RedactedText = "What time does the fair start?",
            ReceivedAt = now, UpdatedAt = now, ScreeningComplete = true,
        };
        db.Items.Add(item);
        db.ScreeningFindings.AddRange(categories.Select(c => new ScreeningFinding
        {
            Id = Guid.NewGuid(), ItemId = item.Id, Category = c, Rule = "test", Severity = FindingSeverity.Severe, Explanation = "test finding",
        }));
        await db.SaveChangesAsync();
        return item.Id;
    }

    /// <summary>A screened comment (<see cref="ScreenedCommentAsync"/>) that has arrived at routing (<see cref="ArriveAsync"/>).</summary>
    public async Task<Guid> ArrivedCommentAsync(params string[] categories)
    {
        var id = await ScreenedCommentAsync(categories);
        await ArriveAsync(id);
        return id;
    }

    /// <summary>Gives <paramref name="userId"/> open items of their own, to fill their cap.</summary>
    public async Task GiveOpenItemsAsync(Guid userId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = await ScreenedCommentAsync();
            await using var db = fixture.Db();
            await db.Items.Where(x => x.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.AssignedToId, userId).SetProperty(x => x.AssignedAt, Clock.GetUtcNow()));
        }
    }

    public ItemRouter Router(ModerationDbContext db) =>
        new(db, new AdjustedRotaStore(new RotaStore(), this), new Notifier(Options.Create(new NotificationOptions())), new RoutingInputs());

    public RoutingSweep Sweep(ModerationDbContext db) =>
        new(db, Router(db), Clock, Options.Create(new RoutingOptions()), NullLogger<RoutingSweep>.Instance);

    /// <summary>What the routing consumer does with a screened item, on the test's clock.</summary>
    public async Task<RoutingOutcome> ArriveAsync(Guid itemId)
    {
        await using var db = fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var item = await db.Items.SingleAsync(i => i.Id == itemId);
        var outcome = await Router(db).AssignOnArrivalAsync(item, Clock.GetUtcNow(), CancellationToken.None);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return outcome;
    }

    /// <summary>
    /// What a school's write batch does with screened comments (ADR 0601, 0604): routes them in one transaction, with
    /// nothing saved between them, on the test's clock.
    /// </summary>
    public Task ArriveTogetherAsync(IReadOnlyList<Guid> itemIds) =>
        fixture.Services.GetRequiredService<SchoolWriteBatches>().RunAsync(School, (services, ct) => RouteAsync(services, itemIds, ct), CancellationToken.None);

    /// <summary>
    /// Routes each item as a write of its own, all in one school write batch: each is saved and the batch's tracker
    /// cleared after it, as with the webhook deliveries that share a batch (ADR 0601). Returns how many batches ran.
    /// </summary>
    public async Task<long> ArriveAsWritesOfOneBatchAsync(IReadOnlyList<Guid> itemIds)
    {
        var batches = fixture.Services.GetRequiredService<SchoolWriteBatches>();
        var (gate, holder, before) = await Persistence.HeldBatches.HoldOpenAsync(batches, School);
        var writes = itemIds.Select(id => batches.RunAsync(School, (services, ct) => RouteAsync(services, [id], ct), CancellationToken.None)).ToList();
        gate.SetResult();
        await holder;
        await Task.WhenAll(writes);
        return batches.Counts.Batches - before.Batches;
    }

    private async Task RouteAsync(IServiceProvider services, IReadOnlyList<Guid> itemIds, CancellationToken ct)
    {
        var db = services.GetRequiredService<ModerationDbContext>();
        foreach (var id in itemIds)
        {
            var item = await ItemTransitions.LockAndReadAsync(db, School, id, ct);
            await Router(db).AssignOnArrivalAsync(item!, Clock.GetUtcNow(), ct);
        }
    }

    public async Task<SweepReport> SweepAsync()
    {
        await using var db = fixture.Db();
        return await Sweep(db).RunAsync(CancellationToken.None);
    }

    public async Task<ModerationItem> ItemAsync(Guid id)
    {
        await using var db = fixture.Db();
        return await db.Items.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    public async Task<List<ItemAssignment>> AssignmentsAsync(Guid itemId)
    {
        await using var db = fixture.Db();
        return await db.ItemAssignments.AsNoTracking().Where(a => a.ItemId == itemId).OrderBy(a => a.AssignedAt).ThenBy(a => a.Id).ToListAsync();
    }

    public async Task<List<AuditEntry>> AuditAsync(Guid itemId)
    {
        await using var db = fixture.Db();
        return await db.AuditEntries.AsNoTracking().Where(a => a.ItemId == itemId).OrderBy(a => a.Seq).ToListAsync();
    }

    public async Task<List<Notification>> NotificationsAsync(Guid itemId)
    {
        await using var db = fixture.Db();
        return await db.Notifications.AsNoTracking().Where(n => n.ItemId == itemId).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync();
    }

    public async Task<List<RoutingAlert>> AlertsAsync(Guid itemId)
    {
        await using var db = fixture.Db();
        return await db.Alerts.AsNoTracking().Where(a => a.ItemId == itemId).ToListAsync();
    }

    public async Task<StaffMember> StaffAsync(Guid userId, params string[] roles)
    {
        await using var db = fixture.Db();
        var schools = await db.Memberships.Where(m => m.UserId == userId).Select(m => m.SchoolId).ToListAsync();
        var name = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync();
        return new StaffMember(userId, name, roles.ToHashSet(), schools.ToHashSet());
    }

    /// <summary>The database's rotas, adjusted by the test (for example with an absence the schema cannot hold yet).</summary>
    private sealed class AdjustedRotaStore(IRotaStore inner, RoutingWorld world) : IRotaStore
    {
        public async Task<IReadOnlyList<RotaDefinition>> ForSchoolAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
        {
            var rotas = await inner.ForSchoolAsync(db, schoolId, ct);
            return world.AdjustRota is { } adjust ? [.. rotas.Select(adjust)] : rotas;
        }
    }
}
