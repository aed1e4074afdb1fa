using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;
using Npgsql;

namespace Moderation.Api.Dashboard;

/// <summary>The state of the items received in the window, at the end of one day (London time).</summary>
public sealed record StateDay(DateOnly Day, IReadOnlyDictionary<string, int> Counts);

/// <summary>Time from arrival to approval or rejection, for the decisions taken on one day, in minutes.</summary>
public sealed record DecisionTimeDay(DateOnly Day, int Decisions, double MedianMinutes, double P90Minutes);

/// <summary>Assignments whose time limit ran out on that day before the owner decided or the item moved on.</summary>
public sealed record BreachDay(DateOnly Day, int Breaches);

public sealed record EscalationCount(string Category, int Cases);

public sealed record DashboardData(
    DateOnly From,
    DateOnly To,
    IReadOnlyList<StateDay> StatesByDay,
    IReadOnlyList<DecisionTimeDay> DecisionTimes,
    int Decisions,
    double? MedianMinutes,
    double? P90Minutes,
    IReadOnlyList<BreachDay> Breaches,
    int TotalBreaches,
    IReadOnlyList<EscalationCount> Escalations);

/// <summary>
/// The dashboard's figures (ADR 0503), each one SQL statement over the real tables: items and their audit trail for
/// states, items' decision times, item assignments for breaches of time limits, safeguarding cases for escalations.
/// Days are London days; the window is the <see cref="Days"/> days ending today.
/// </summary>
public sealed class DashboardQueries(ModerationDbContext db, TimeProvider time)
{
    public const int Days = 30;
    private const string Zone = "Europe/London";
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    public async Task<DashboardData> GetAsync(IReadOnlyCollection<Guid> schoolIds, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var to = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, s_london).DateTime);
        var from = to.AddDays(-(Days - 1));
        var fromInstant = Start(from);
        var toInstant = Start(to.AddDays(1));
        var schools = schoolIds.ToArray();

        // Items received in the window, each counted on every day from its arrival, in the state its audit trail
        // shows at that day's end.
        var stateRows = await db.QueryAsync(
            $"""
            WITH days AS (
                SELECT d::date AS day, ((d::date + 1)::timestamp AT TIME ZONE '{Zone}') AS day_end
                FROM generate_series($2::date, $3::date, interval '1 day') AS d
            )
            SELECT d.day, coalesce(s.to_state, 'Received') AS state, count(*)::int
            FROM days d
            JOIN items i ON i.school_id = ANY($1) AND i.received_at >= $4 AND i.received_at < d.day_end
            LEFT JOIN LATERAL (
                SELECT a.to_state FROM audit_entries a
                WHERE a.item_id = i.id AND a.to_state IS NOT NULL AND a.at < d.day_end
                ORDER BY a.seq DESC LIMIT 1
            ) s ON true
            GROUP BY 1, 2
            ORDER BY 1, 2
            """,
            r => (Day: r.GetFieldValue<DateOnly>(0), State: r.GetString(1), Count: r.GetInt32(2)),
            ct, schools, from, to, fromInstant);
        var states = Enumerable.Range(0, Days).Select(n => from.AddDays(n))
            .Select(day => new StateDay(day, stateRows.Where(r => r.Day == day).ToDictionary(r => r.State, r => r.Count)))
            .ToList();

        const string decided = "i.school_id = ANY($1) AND i.decided_at >= $2 AND i.decided_at < $3";
        const string p50 = "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.decided_at - i.received_at)) / 60.0";
        const string p90 = "percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM i.decided_at - i.received_at)) / 60.0";
        var decisionTimes = await db.QueryAsync(
            $"""
            SELECT (i.decided_at AT TIME ZONE '{Zone}')::date AS day, count(*)::int, {p50}, {p90}
            FROM items i WHERE {decided}
            GROUP BY 1 ORDER BY 1
            """,
            r => new DecisionTimeDay(r.GetFieldValue<DateOnly>(0), r.GetInt32(1), r.GetDouble(2), r.GetDouble(3)),
            ct, schools, fromInstant, toInstant);
        var overall = (await db.QueryAsync(
            $"SELECT count(*)::int, {p50}, {p90} FROM items i WHERE {decided}",
            r => (Count: r.GetInt32(0), Median: r.IsDBNull(1) ? (double?)null : r.GetDouble(1), P90: r.IsDBNull(2) ? (double?)null : r.GetDouble(2)),
            ct, schools, fromInstant, toInstant)).Single();

        // A breach: the owner's due time passed before the assignment ended (handed on) and before the item was
        // decided. LEAST ignores nulls, so an assignment still running counts once its due time is past.
        var breachRows = await db.QueryAsync(
            $"""
            SELECT (a.due_at AT TIME ZONE '{Zone}')::date AS day, count(*)::int
            FROM item_assignments a JOIN items i ON i.id = a.item_id
            WHERE a.school_id = ANY($1) AND a.due_at >= $2 AND a.due_at < $3
              AND a.due_at < LEAST(a.ended_at, i.decided_at, $4)
            GROUP BY 1 ORDER BY 1
            """,
            r => new BreachDay(r.GetFieldValue<DateOnly>(0), r.GetInt32(1)),
            ct, schools, fromInstant, toInstant, now);
        var breaches = Enumerable.Range(0, Days).Select(n => from.AddDays(n))
            .Select(day => new BreachDay(day, breachRows.FirstOrDefault(b => b.Day == day)?.Breaches ?? 0))
            .ToList();

        var categoryRows = await db.QueryAsync(
            "SELECT c.category, count(*)::int FROM safeguarding_cases c WHERE c.school_id = ANY($1) AND c.raised_at >= $2 AND c.raised_at < $3 GROUP BY 1",
            r => new EscalationCount(r.GetString(0), r.GetInt32(1)),
            ct, schools, fromInstant, toInstant);
        var escalations = CaseCategories.All
            .Select(c => new EscalationCount(c, categoryRows.FirstOrDefault(r => r.Category == c)?.Cases ?? 0))
            .Concat(categoryRows.Where(r => !CaseCategories.All.Contains(r.Category)))
            .OrderByDescending(c => c.Cases).ThenBy(c => c.Category, StringComparer.Ordinal)
            .ToList();

        return new DashboardData(from, to, states, decisionTimes, overall.Count, overall.Median, overall.P90, breaches, breaches.Sum(b => b.Breaches), escalations);
    }

    /// <summary>The instant a London day starts.</summary>
    public static DateTimeOffset Start(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, s_london.GetUtcOffset(local)).ToUniversalTime();
    }

}
