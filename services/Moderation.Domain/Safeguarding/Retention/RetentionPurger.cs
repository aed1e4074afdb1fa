using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Domain.Safeguarding.Retention;

/// <summary>What one retention run deleted, and what it kept because of a legal hold.</summary>
public sealed record RetentionReport(int ItemsPurged, int CasesPurged, int KeptUnderLegalHold)
{
    public override string ToString() => $"{ItemsPurged} rejected item(s) and {CasesPurged} closed case(s) purged, {KeptUnderLegalHold} kept under legal hold";
}

/// <summary>
/// Deletes what has passed its school's retention period (<see cref="SafeguardingSettings.Retention"/>): ordinary
/// rejected items that are part of no case, counted from their decision, and closed cases with their notes,
/// referrals, evidence and item, counted from their closure. A case under legal hold, and its item, are never
/// deleted: the query leaves them out, and the database's legal-hold trigger refuses if a hold lands meanwhile. Each
/// deletion is its own transaction with a <see cref="RetentionPurge"/> row, an audit entry and a log line.
/// </summary>
public sealed class RetentionPurger(ModerationDbContext db, TimeProvider time, ILogger<RetentionPurger> logger)
{
    public const string Stage = "retention";
    private const int Batch = 500;

    public async Task<RetentionReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        int items = 0, cases = 0, held = 0;
        var schools = await db.Schools.AsNoTracking().Select(s => s.Id).ToListAsync(ct);
        foreach (var schoolId in schools)
        {
            var settings = await CaseCommands.SettingsAsync(db, schoolId, ct);
            var rejectedDays = settings.RetentionDays(SafeguardingSettings.RejectedItems);
            var rejectedBefore = now - TimeSpan.FromDays(rejectedDays);
            var rejected = await db.Items.AsNoTracking()
                .Where(i => i.SchoolId == schoolId && i.RejectionReason != null && (i.State == ItemState.Rejected || i.State == ItemState.Actioned))
                .Where(i => i.DecidedAt != null && i.DecidedAt <= rejectedBefore)
                .Where(i => !db.SafeguardingCases.Any(c => c.ItemId == i.Id))
                .OrderBy(i => i.DecidedAt).Select(i => new { i.Id, i.RejectionReason }).Take(Batch).ToListAsync(ct);
            foreach (var i in rejected)
            {
                var result = await PurgeAsync(schoolId, "RejectedItem", i.Id, SafeguardingSettings.RejectedItems, rejectedDays,
                    $"rejected item ({i.RejectionReason}) decided more than {rejectedDays} day(s) ago", now, ct,
                    () => db.Items.Where(x => x.Id == i.Id).ExecuteDeleteAsync(ct));
                items += result == true ? 1 : 0;
                held += result == false ? 1 : 0;
            }

            var closed = await db.SafeguardingCases.AsNoTracking()
                .Where(c => c.SchoolId == schoolId && c.Status == CaseStatus.Closed && c.ClosedAt != null)
                .Select(c => new { c.Id, c.Category, c.ItemId, c.ClosedAt, c.LegalHold })
                .ToListAsync(ct);
            foreach (var c in closed.Where(c => c.ClosedAt <= now - TimeSpan.FromDays(settings.RetentionDays(c.Category))).Take(Batch))
            {
                var days = settings.RetentionDays(c.Category);
                if (c.LegalHold)
                {
                    held++;
                    logger.LogInformation("Retention: case {CaseId} ({Category}) is past its {Days} day(s) but under legal hold; kept", c.Id, c.Category, days);
                    continue;
                }

                var result = await PurgeAsync(schoolId, "Case", c.Id, c.Category, days,
                    $"closed {c.Category} case and its notes, referrals and evidence{(c.ItemId is null ? "" : $", and item {c.ItemId}")}, closed more than {days} day(s) ago",
                    now, ct, async () =>
                    {
                        var deleted = await db.SafeguardingCases.Where(x => x.Id == c.Id && !x.LegalHold).ExecuteDeleteAsync(ct);
                        if (deleted > 0 && c.ItemId is { } itemId && !await db.SafeguardingCases.AnyAsync(x => x.ItemId == itemId, ct))
                        {
                            await db.Items.Where(x => x.Id == itemId).ExecuteDeleteAsync(ct);
                        }

                        return deleted;
                    });
                cases += result == true ? 1 : 0;
                held += result == false ? 1 : 0;
            }
        }

        var report = new RetentionReport(items, cases, held);
        logger.LogInformation("Retention run at {Now}: {Report}", now, report);
        return report;
    }

    /// <summary>True when deleted, false when a legal hold stopped it, null when it was already gone.</summary>
    private async Task<bool?> PurgeAsync(
        Guid schoolId, string kind, Guid subjectId, string retentionClass, int days, string detail, DateTimeOffset now, CancellationToken ct, Func<Task<int>> delete)
    {
        db.ChangeTracker.Clear();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await delete() == 0)
            {
                return null;
            }

            db.RetentionPurges.Add(new RetentionPurge
            {
                Id = Guid.CreateVersion7(now),
                SchoolId = schoolId,
                PurgedAt = now,
                Kind = kind,
                SubjectId = subjectId,
                RetentionClass = retentionClass,
                RetentionDays = days,
                Detail = detail,
            });
            await AuditLog.AppendAsync(db, schoolId, Actor.System(Stage), "retention-purged", now, kind == "RejectedItem" ? subjectId : null,
                detail: $"{kind} {subjectId}: {detail}", cancellationToken: ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            logger.LogInformation("Retention: purged {Kind} {SubjectId} of school {SchoolId} ({Class}, {Days} day(s))", kind, subjectId, schoolId, retentionClass, days);
            return true;
        }
        catch (PostgresException ex) when (ex.MessageText.StartsWith("legal hold", StringComparison.Ordinal))
        {
            logger.LogInformation("Retention: {Kind} {SubjectId} is under legal hold; kept", kind, subjectId);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
