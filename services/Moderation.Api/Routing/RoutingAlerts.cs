using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;

namespace Moderation.Api.Routing;

/// <summary>What resolving an alert came to: the alert as resolved, or why it was not.</summary>
public sealed record AlertOutcome(OutcomeKind Kind, RoutingAlert? Alert = null, string? Detail = null);

/// <summary>
/// Routing alerts as the API and the alerts page read and resolve them: one piece of code, so the page and
/// <c>/api/schools/ID/alerts</c> cannot disagree on who sees what or what resolving writes.
/// </summary>
public static class RoutingAlerts
{
    public const int MaxResolutionLength = 500;

    /// <summary>Who deals with alerts: the people routing tells of them (a school's administrators and its headteacher).</summary>
    public static IReadOnlyList<string> Handlers { get; } = [Roles.Administrator, Roles.Headteacher];

    /// <summary>The schools' alerts, newest first: the open ones, or (with <paramref name="open"/> false) all of them.</summary>
    public static Task<List<RoutingAlert>> ListAsync(ModerationDbContext db, IReadOnlyCollection<Guid> schoolIds, bool open, int limit, CancellationToken ct)
    {
        var ids = schoolIds.ToArray();
        var query = db.Alerts.AsNoTracking().Where(a => ids.Contains(a.SchoolId));
        if (open)
        {
            query = query.Where(a => a.ResolvedAt == null);
        }

        return query.OrderByDescending(a => a.RaisedAt).Take(limit).ToListAsync(ct);
    }

    /// <summary>
    /// Resolves an open alert of one of <paramref name="me"/>'s schools with a note of what was done, and records it in
    /// the school's audit chain. Nothing is written unless it is resolved; an alert resolved meanwhile by someone else
    /// is a conflict.
    /// </summary>
    /// <param name="schoolId">The school the caller named, if it named one: an alert of another school is then not found.</param>
    public static async Task<AlertOutcome> ResolveAsync(
        ModerationDbContext db, StaffMember me, Guid? schoolId, Guid alertId, string? resolution, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(me);
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == alertId, ct);
        if (alert is null || !me.BelongsTo(alert.SchoolId) || (schoolId is { } named && named != alert.SchoolId))
        {
            return new AlertOutcome(OutcomeKind.NotFound, Detail: "No such alert in your schools.");
        }

        if (string.IsNullOrWhiteSpace(resolution) || resolution.Trim().Length > MaxResolutionLength)
        {
            return new AlertOutcome(OutcomeKind.Invalid, alert, $"Say what was done, in at most {MaxResolutionLength} characters.");
        }

        if (alert.ResolvedAt is not null)
        {
            return new AlertOutcome(OutcomeKind.Conflict, alert, "The alert is already resolved.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        alert.ResolvedAt = now;
        alert.ResolvedById = me.UserId;
        alert.Resolution = resolution.Trim();
        await AuditLog.AppendAsync(db, alert.SchoolId, me.AsActor(), "alert-resolved", now, alert.ItemId, detail: alert.Resolution, cancellationToken: ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Resolved by someone else since it was read (ResolvedAt is the row's concurrency token); nothing was written.
            return new AlertOutcome(OutcomeKind.Conflict, Detail: "The alert is already resolved.");
        }

        await tx.CommitAsync(ct);
        // Read again after the commit: routings folded into it while this waited for the school's lock are counted.
        await db.Entry(alert).ReloadAsync(ct);
        return new AlertOutcome(OutcomeKind.Ok, alert);
    }
}
