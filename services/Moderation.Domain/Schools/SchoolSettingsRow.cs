using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Schools;

/// <summary>A school's settings of one kind, saved as JSON: routing, safeguarding.</summary>
public interface ISchoolSettingsRow
{
    Guid SchoolId { get; set; }
    string Settings { get; set; }
    DateTimeOffset UpdatedAt { get; set; }
    Guid? UpdatedById { get; set; }
}

public static class SchoolSettingsRows
{
    /// <summary>Saves (or first creates) a school's settings row, in one transaction with its audit entry.</summary>
    public static async Task SaveAsync<TRow>(
        ModerationDbContext db, Guid schoolId, string json, StaffMember by, string action, DateTimeOffset now, Func<TRow> create, CancellationToken ct)
        where TRow : class, ISchoolSettingsRow
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(by);
        ArgumentNullException.ThrowIfNull(create);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rows = db.Set<TRow>();
        var row = await rows.FirstOrDefaultAsync(s => s.SchoolId == schoolId, ct);
        if (row is null)
        {
            row = create();
            row.SchoolId = schoolId;
            rows.Add(row);
        }

        row.Settings = json;
        row.UpdatedAt = now;
        row.UpdatedById = by.UserId;
        await AuditLog.AppendAsync(db, schoolId, by.AsActor(), action, now, detail: json, cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
