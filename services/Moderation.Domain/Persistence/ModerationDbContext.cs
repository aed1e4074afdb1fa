using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Rota;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;

namespace Moderation.Domain.Persistence;

public sealed class ModerationDbContext(DbContextOptions<ModerationDbContext> options)
    : IdentityDbContext<AppUser, IdentityRole<Guid>, Guid>(options)
{
    public DbSet<School> Schools => Set<School>();
    public DbSet<SocialAccount> SocialAccounts => Set<SocialAccount>();
    public DbSet<SchoolMembership> Memberships => Set<SchoolMembership>();
    public DbSet<ModerationItem> Items => Set<ModerationItem>();
    public DbSet<ItemMedia> ItemMedia => Set<ItemMedia>();
    public DbSet<DraftTarget> DraftTargets => Set<DraftTarget>();
    public DbSet<ScreeningFinding> ScreeningFindings => Set<ScreeningFinding>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<InboxMessage> Inbox => Set<InboxMessage>();
    public DbSet<Pupil> Pupils => Set<Pupil>();
    public DbSet<ConsentRecord> Consents => Set<ConsentRecord>();
    public DbSet<SchoolScreeningTerm> SchoolScreeningTerms => Set<SchoolScreeningTerm>();
    public DbSet<DutyRota> Rotas => Set<DutyRota>();
    public DbSet<RotaSchool> RotaSchools => Set<RotaSchool>();
    public DbSet<Rotation> Rotations => Set<Rotation>();
    public DbSet<RotationMember> RotationMembers => Set<RotationMember>();
    public DbSet<RotationRestriction> RotationRestrictions => Set<RotationRestriction>();
    public DbSet<RotaCoverMember> RotaCoverPool => Set<RotaCoverMember>();
    public DbSet<RotaTermDate> RotaTermDates => Set<RotaTermDate>();
    public DbSet<DutyOverride> DutyOverrides => Set<DutyOverride>();
    public DbSet<RotaAbsence> RotaAbsences => Set<RotaAbsence>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationDelivery> NotificationDeliveries => Set<NotificationDelivery>();
    public DbSet<Routing.SchoolRoutingSettings> RoutingSettings => Set<Routing.SchoolRoutingSettings>();
    public DbSet<Routing.ItemAssignment> ItemAssignments => Set<Routing.ItemAssignment>();
    public DbSet<Routing.RoutingAlert> Alerts => Set<Routing.RoutingAlert>();
    public DbSet<Platforms.PlatformActionRecord> PlatformActions => Set<Platforms.PlatformActionRecord>();
    public DbSet<Platforms.WebhookDelivery> WebhookDeliveries => Set<Platforms.WebhookDelivery>();
    public DbSet<Safeguarding.SafeguardingCase> SafeguardingCases => Set<Safeguarding.SafeguardingCase>();
    public DbSet<Safeguarding.CaseNote> CaseNotes => Set<Safeguarding.CaseNote>();
    public DbSet<Safeguarding.CaseReferral> CaseReferrals => Set<Safeguarding.CaseReferral>();
    public DbSet<Safeguarding.EvidencePart> EvidenceParts => Set<Safeguarding.EvidencePart>();
    public DbSet<Safeguarding.SchoolSafeguardingSettings> SafeguardingSettings => Set<Safeguarding.SchoolSafeguardingSettings>();
    public DbSet<Safeguarding.RetentionPurge> RetentionPurges => Set<Safeguarding.RetentionPurge>();
    public DbSet<Consent.Reconciliation.ConsentReconciliationRun> ConsentReconciliationRuns => Set<Consent.Reconciliation.ConsentReconciliationRun>();
    public DbSet<Consent.Reconciliation.ConsentSnapshotEntry> ConsentSnapshot => Set<Consent.Reconciliation.ConsentSnapshotEntry>();

    /// <summary>
    /// What this context holds in its current transaction: the audit chains' heads it appended under the chains'
    /// locks (see <see cref="Audit.AuditLog"/>), so a later append chains on from here instead of taking the lock and
    /// reading the head again; the other transaction locks it took (routing's per school); and the items it locked and
    /// read in one statement. Forgotten when a save fails, and by a write batch when it rolls back to a savepoint,
    /// because the entries and locks it describes may then be gone.
    /// </summary>
    internal Audit.TransactionHolds HeldInTransaction { get; } = new();

    /// <summary>
    /// Set by <see cref="SchoolWriteBatches"/> on its own context: the writes of one school's batch run here, and
    /// nothing in them changes a school's staff, rota or routing settings, so routing may read those once per batch.
    /// </summary>
    internal bool InWriteBatch { get; set; }

    /// <summary>What writes in this context's batch read once for all of them (see <see cref="OncePerBatchAsync"/>).</summary>
    private readonly Dictionary<(string Kind, Guid Id), object?> _batchReads = [];

    /// <summary>In a write batch, an outbox row was added: the batch sends one NOTIFY before it commits.</summary>
    internal bool OutboxNotifyPending { get; set; }

    /// <summary>
    /// Readies a context leased from the pool (<see cref="PersistenceSetup"/>): EF resets its own state when a context
    /// goes back, and this forgets what the last lease held here.
    /// </summary>
    internal ModerationDbContext Leased()
    {
        HeldInTransaction.Forget();
        InWriteBatch = false;
        OutboxNotifyPending = false;
        _batchReads.Clear();
        return this;
    }

    /// <summary>
    /// Reads something a batch's writes never change (a school's routing data, a user's email) once per batch: in a
    /// write batch the first <paramref name="load"/> is kept for the batch's other writes; anywhere else it always runs.
    /// </summary>
    internal async Task<T> OncePerBatchAsync<T>(string kind, Guid id, Func<Task<T>> load)
    {
        if (!InWriteBatch)
        {
            return await load();
        }

        if (_batchReads.TryGetValue((kind, id), out var kept))
        {
            return (T)kept!;
        }

        var value = await load();
        _batchReads[(kind, id)] = value;
        return value;
    }

    /// <summary>
    /// Saves as EF does, except for two kinds of rows:
    /// <list type="bullet">
    /// <item>the rows a write batch adds by the dozen (items, findings, assignments, platform actions) go first, one
    /// statement a table (<see cref="SetInserts"/>), when the save runs in a transaction the caller opened;</item>
    /// <item>the audit entries appended since the last save go last, with one statement
    /// (<see cref="AuditLog.InsertAsync"/>). They have no foreign keys, so going last changes nothing else.</item>
    /// </list>
    /// EF would build, send and read back one INSERT for each of them. Changes are detected once, here. If the save
    /// fails, both kinds are left added again, as EF keeps what it did not save.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var tracker = ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        if (detect)
        {
            tracker.DetectChanges();
        }

        tracker.AutoDetectChangesEnabled = false;
        var audit = AuditLog.TakeUnsaved(this);
        List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> inserted = [];
        try
        {
            if (acceptAllChangesOnSuccess)
            {
                inserted = await SetInserts.InsertAsync(this, cancellationToken);
            }

            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            if (audit.Count > 0)
            {
                await AuditLog.InsertAsync(this, audit, cancellationToken);
            }

            return saved + inserted.Count + audit.Count;
        }
        catch
        {
            SetInserts.Undo(inserted);
            HeldInTransaction.Forget();
            AuditEntries.AddRange(audit);
            throw;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        catch
        {
            HeldInTransaction.Forget();
            throw;
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(ModerationDbContext).Assembly);
        ApplySnakeCase(builder);
    }

    /// <summary>Every table, column, key and index in snake_case, so hand-written SQL reads naturally.</summary>
    private static void ApplySnakeCase(ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table)
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.GetColumnName()));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(ToSnakeCase(key.GetName()!));
            }

            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName()!));
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName()!));
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                var previousIsUpper = i > 0 && char.IsUpper(name[i - 1]);
                if (i > 0 && name[i - 1] != '_' && (previousIsLower || (previousIsUpper && nextIsLower)))
                {
                    result.Append('_');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
