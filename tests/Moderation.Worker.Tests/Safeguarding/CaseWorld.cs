using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Domain.Audit;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;
using Moderation.Domain.Safeguarding.Retention;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Safeguarding;

/// <summary>Fleming Primary's safeguarding people from the demo seed, and cases opened and swept on a clock the test moves.</summary>
public sealed class CaseWorld(WorkerFixture fixture)
{
    /// <summary>Tuesday 8 December 2026, 10:00 GMT: school hours.</summary>
    public static readonly DateTimeOffset Tuesday10am = new(2026, 12, 8, 10, 0, 0, TimeSpan.Zero);

    public ManualTimeProvider Clock { get; } = new(Tuesday10am);
    public Guid School { get; private set; }
    public Guid Dsl { get; private set; }
    public Guid Deputy { get; private set; }
    public Guid Head { get; private set; }
    public Guid Chair { get; private set; }
    public Guid Moderator { get; private set; }

    public async Task<CaseWorld> LoadAsync()
    {
        await using var db = fixture.Db();
        School = (await db.Schools.SingleAsync(s => s.Slug == "fleming-primary")).Id;
        async Task<Guid> User(string email) => (await db.Users.SingleAsync(u => u.Email == email)).Id;
        Dsl = await User("dsl@fleming.example");
        Deputy = await User("deputydsl@fleming.example");
        Head = await User("head@fleming.example");
        Chair = await User("chair@fleming.example");
        Moderator = await User("moderator@fleming.example");
        return this;
    }

    public CaseCommands Commands(ModerationDbContext db) => new(db, new Notifier(Options.Create(new NotificationOptions())), Clock);

    public async Task SaveSettingsAsync(SafeguardingSettings settings)
    {
        await using var db = fixture.Db();
        db.SafeguardingSettings.Add(new SchoolSafeguardingSettings { SchoolId = School, Settings = settings.ToJson(), UpdatedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    public async Task<SafeguardingCase> OpenAsync(
        string category, CaseSeverity severity, bool aboutHeadteacher = false, Guid? itemId = null, EvidenceInput? evidence = null)
    {
        await using var db = fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var (c, _) = await Commands(db).OpenAsync(new CaseOpening(
            School, itemId, category, severity, CaseSource.Raised, aboutHeadteacher, "Test concern", new Actor(Moderator, "Ms Amy Reed"),
            evidence ?? EvidenceInput.None), Clock.GetUtcNow(), CancellationToken.None);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return c;
    }

    public async Task<CaseSweepReport> SweepAsync()
    {
        await using var db = fixture.Db();
        return await new CaseSweep(db, Commands(db), Clock, NullLogger<CaseSweep>.Instance).RunAsync(CancellationToken.None);
    }

    public async Task<RetentionReport> PurgeAsync()
    {
        await using var db = fixture.Db();
        return await new RetentionPurger(db, Clock, NullLogger<RetentionPurger>.Instance).RunAsync(CancellationToken.None);
    }

    public async Task<SafeguardingCase> CaseAsync(Guid id)
    {
        await using var db = fixture.Db();
        return await db.SafeguardingCases.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    public async Task<List<Notification>> NotificationsAsync()
    {
        await using var db = fixture.Db();
        return await db.Notifications.AsNoTracking().OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync();
    }

    public async Task<List<string>> AuditActionsAsync()
    {
        await using var db = fixture.Db();
        return await db.AuditEntries.AsNoTracking().Where(a => a.ChainId == School).OrderBy(a => a.Position).Select(a => a.Action).ToListAsync();
    }

    /// <summary>Moves the clock past the case's acknowledgement deadline and sweeps.</summary>
    public async Task<SafeguardingCase> MissDeadlineAsync(Guid id)
    {
        var c = await CaseAsync(id);
        Clock.Advance(c.AckDueAt!.Value - Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        await SweepAsync();
        return await CaseAsync(id);
    }
}
