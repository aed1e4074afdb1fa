using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Safeguarding;

public sealed record CategoryCount(string Category, int Cases, int Critical, int High, int Medium, int Low);

public sealed record AcknowledgementStats(int Acknowledged, int WithinFirstLimit, int Reescalated, double? MedianMinutes, double? MeanMinutes, double? LongestMinutes);

public sealed record AgencyCount(ReferralAgency Agency, int Referrals);

public sealed record OverdueCase(Guid CaseId, string Category, CaseSeverity Severity, DateTimeOffset RaisedAt, DateTimeOffset AckDueAt, string Owner, int MinutesOverdue);

public sealed record ReasonCount(string Reason, int Items);

/// <summary>
/// What leadership sees for a period (003 §6.3(h): abuse removed at once and reported to leadership): incidents by
/// category, time to acknowledge, referrals made, cases open past their time limits, and rejected items by reason.
/// It covers only the cases the reader may see (an allegation about the headteacher is not in the headteacher's).
/// </summary>
public sealed record LeadershipReport(
    Guid SchoolId,
    DateOnly From,
    DateOnly To,
    DateTimeOffset GeneratedAt,
    int CasesOpened,
    int CasesClosed,
    IReadOnlyList<CategoryCount> IncidentsByCategory,
    AcknowledgementStats Acknowledgement,
    IReadOnlyList<AgencyCount> ReferralsMade,
    IReadOnlyList<OverdueCase> OpenPastTimeLimit,
    IReadOnlyList<ReasonCount> RejectedItemsByReason)
{
    public const int MaxDays = 3 * 366;

    /// <summary>Days are London days, <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public static async Task<LeadershipReport> BuildAsync(
        ModerationDbContext db, StaffMember reader, Guid schoolId, DateOnly from, DateOnly to, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var start = LondonTime.ToUtc(from, TimeOnly.MinValue);
        var end = LondonTime.ToUtc(to.AddDays(1), TimeOnly.MinValue);
        var visible = CaseAccess.Visible(db.SafeguardingCases.AsNoTracking(), reader).Where(c => c.SchoolId == schoolId);
        var raised = await visible.Where(c => c.RaisedAt >= start && c.RaisedAt < end).ToListAsync(ct);
        var closed = await visible.CountAsync(c => c.ClosedAt >= start && c.ClosedAt < end, ct);

        var byCategory = raised.GroupBy(c => c.Category).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CategoryCount(g.Key, g.Count(), g.Count(c => c.Severity == CaseSeverity.Critical), g.Count(c => c.Severity == CaseSeverity.High),
                g.Count(c => c.Severity == CaseSeverity.Medium), g.Count(c => c.Severity == CaseSeverity.Low)))
            .ToList();

        var minutes = raised.Where(c => c.AcknowledgedAt is not null).Select(c => (c.AcknowledgedAt!.Value - c.RaisedAt).TotalMinutes).Order().ToList();
        var ack = new AcknowledgementStats(
            minutes.Count,
            raised.Count(c => c.AcknowledgedAt is not null && c.ChainStep == 0 && c.AcknowledgedAt <= c.AckDueAt),
            raised.Count(c => c.ChainStep > 0),
            minutes.Count == 0 ? null : Math.Round(minutes.Count % 2 == 1 ? minutes[minutes.Count / 2] : (minutes[(minutes.Count / 2) - 1] + minutes[minutes.Count / 2]) / 2, 1),
            minutes.Count == 0 ? null : Math.Round(minutes.Average(), 1),
            minutes.Count == 0 ? null : Math.Round(minutes[^1], 1));

        var referrals = await db.CaseReferrals.AsNoTracking()
            .Where(r => r.MadeAt >= start && r.MadeAt < end && visible.Any(c => c.Id == r.CaseId))
            .GroupBy(r => r.Agency).Select(g => new { Agency = g.Key, Count = g.Count() }).ToListAsync(ct);

        var overdueAt = now < end ? now : end;
        var overdue = await visible.Where(c => c.Status == CaseStatus.Open && c.AckDueAt < overdueAt).OrderBy(c => c.AckDueAt).ToListAsync(ct);
        var people = await SafeguardingPeople.LoadAsync(db, schoolId, ct);

        var rejected = await db.Items.AsNoTracking()
            .Where(i => i.SchoolId == schoolId && i.RejectionReason != null && i.DecidedAt >= start && i.DecidedAt < end)
            .GroupBy(i => i.RejectionReason).Select(g => new { Reason = g.Key, Count = g.Count() }).ToListAsync(ct);

        return new LeadershipReport(
            schoolId, from, to, now, raised.Count, closed, byCategory, ack,
            [.. referrals.OrderBy(r => r.Agency).Select(r => new AgencyCount(r.Agency, r.Count))],
            [.. overdue.Select(c => new OverdueCase(c.Id, c.Category, c.Severity, c.RaisedAt, c.AckDueAt!.Value, people.NameOf(c.OwnerId), (int)(overdueAt - c.AckDueAt!.Value).TotalMinutes))],
            [.. rejected.OrderByDescending(r => r.Count).Select(r => new ReasonCount(r.Reason!.Value.ToString(), r.Count))]);
    }

    /// <summary>One row per figure: section, name, value, and detail where a row needs one.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("section,name,value,detail\n");
        void Row(string section, string name, object? value, string detail = "") =>
            csv.Append(CultureInfo.InvariantCulture, $"{Cell(section)},{Cell(name)},{Cell(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")},{Cell(detail)}\n");

        Row("period", "from", From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row("period", "to", To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row("cases", "opened", CasesOpened);
        Row("cases", "closed", CasesClosed);
        foreach (var c in IncidentsByCategory)
        {
            Row("incidents by category", c.Category, c.Cases, $"critical {c.Critical}; high {c.High}; medium {c.Medium}; low {c.Low}");
        }

        Row("acknowledgement", "acknowledged", Acknowledgement.Acknowledged);
        Row("acknowledgement", "within first time limit", Acknowledgement.WithinFirstLimit);
        Row("acknowledgement", "re-escalated", Acknowledgement.Reescalated);
        Row("acknowledgement", "median minutes", Acknowledgement.MedianMinutes);
        Row("acknowledgement", "mean minutes", Acknowledgement.MeanMinutes);
        Row("acknowledgement", "longest minutes", Acknowledgement.LongestMinutes);
        foreach (var r in ReferralsMade)
        {
            Row("referrals made", r.Agency.ToString(), r.Referrals);
        }

        foreach (var o in OpenPastTimeLimit)
        {
            Row("open past time limit", o.CaseId.ToString(), o.MinutesOverdue,
                $"{o.Category} ({o.Severity}); due {o.AckDueAt.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; with {o.Owner}");
        }

        foreach (var r in RejectedItemsByReason)
        {
            Row("rejected items by reason", r.Reason, r.Items);
        }

        return csv.ToString();
    }

    /// <summary>Quotes a cell when it must, and defuses one a spreadsheet would run as a formula.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
