using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Safeguarding;

public static partial class SafeguardingApi
{
    private static void MapReports(RouteGroupBuilder school)
    {
        school.MapGet("/report", ReportAsync);
        school.MapGet("/retention/purges", PurgesAsync);
    }

    /// <summary>The leadership report for <paramref name="from"/> to <paramref name="to"/> (London days, inclusive), as JSON or CSV.</summary>
    private static async Task<Results<Ok<LeadershipReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ReportAsync(
        Guid schoolId, DateOnly? from, DateOnly? to, string? format, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (me, refusal) = await SchoolAccessAsync(schoolId, user, staff, Roles.SafeguardingReaders, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var errors = Period(from, to);
        if (format is not (null or "json" or "csv"))
        {
            errors["format"] = ["json (the default) or csv."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var report = await LeadershipReport.BuildAsync(db, me, schoolId, from!.Value, to!.Value, time.GetUtcNow(), ct);
        return format == "csv"
            ? TypedResults.File(Encoding.UTF8.GetBytes(report.ToCsv()), "text/csv; charset=utf-8", $"safeguarding-report-{from:yyyy-MM-dd}-to-{to:yyyy-MM-dd}.csv")
            : TypedResults.Ok(report);
    }

    /// <summary>What the retention job deleted in a period (the last 90 days by default): never the content, only what and why.</summary>
    private static async Task<Results<Ok<List<RetentionPurge>>, ValidationProblem, ProblemHttpResult>> PurgesAsync(
        Guid schoolId, DateOnly? from, DateOnly? to, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (_, refusal) = await SchoolAccessAsync(schoolId, user, staff, Roles.SafeguardingReaders, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var today = DateOnly.FromDateTime(LondonTime.ToLocal(time.GetUtcNow()));
        from ??= today.AddDays(-90);
        to ??= today;
        var errors = Period(from, to);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var start = LondonTime.ToUtc(from.Value, TimeOnly.MinValue);
        var end = LondonTime.ToUtc(to.Value.AddDays(1), TimeOnly.MinValue);
        return TypedResults.Ok(await db.RetentionPurges.AsNoTracking()
            .Where(p => p.SchoolId == schoolId && p.PurgedAt >= start && p.PurgedAt < end)
            .OrderByDescending(p => p.PurgedAt).Take(1000).ToListAsync(ct));
    }

    private static Dictionary<string, string[]> Period(DateOnly? from, DateOnly? to)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (from is null)
        {
            errors["from"] = ["The first day of the period, as yyyy-mm-dd."];
        }

        if (to is null)
        {
            errors["to"] = ["The last day of the period, as yyyy-mm-dd."];
        }

        if (from is { } f && to is { } t && (t < f || t.DayNumber - f.DayNumber > LeadershipReport.MaxDays))
        {
            errors["to"] = [$"On or after the first day, and at most {LeadershipReport.MaxDays} days after it."];
        }

        return errors;
    }
}
