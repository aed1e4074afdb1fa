using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Dashboard;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web;

/// <summary>The dashboard (ADR 0503): four charts over the last 30 days, for administrators and the headteacher.</summary>
[Authorize(Policy = DashboardApi.Policy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class DashboardModel(StaffResolver staff, DashboardQueries queries, ModerationDbContext db) : PageModel
{
    private static readonly CultureInfo s_en = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>Each state's colour: at least 3:1 against white, and told apart by the legend and the table too.</summary>
    public static readonly IReadOnlyList<(ItemState State, string Colour)> StateColours =
    [
        (ItemState.Received, "#5b6475"),
        (ItemState.Screening, "#7048a8"),
        (ItemState.AwaitingReview, "#1f5fbf"),
        (ItemState.Escalated, "#b3261e"),
        (ItemState.Approved, "#1e7a3c"),
        (ItemState.Rejected, "#a35200"),
        (ItemState.Actioned, "#0b6e75"),
    ];

    [BindProperty(SupportsGet = true)]
    public Guid? School { get; set; }

    public IReadOnlyList<SchoolSummaryOption> Schools { get; private set; } = [];

    public DashboardData Data { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (School is { } s && !me.BelongsTo(s))
        {
            return NotFound();
        }

        Schools = await db.Schools.AsNoTracking().Where(x => me.SchoolIds.Contains(x.Id)).OrderBy(x => x.Name)
            .Select(x => new SchoolSummaryOption(x.Id, x.Name)).ToListAsync(ct);
        Data = await queries.GetAsync(School is { } only ? [only] : [.. me.SchoolIds], ct);
        return Page();
    }

    public static string Day(DateOnly day) => day.ToString("d MMM", s_en);

    public static string Minutes(double? minutes) => minutes switch
    {
        null => "no decisions",
        < 60 => $"{SvgCharts.Number(minutes.Value)} min",
        < 60 * 48 => $"{SvgCharts.Number(minutes.Value / 60)} h",
        _ => $"{SvgCharts.Number(minutes.Value / 60 / 24)} days",
    };

    public IHtmlContent StatesChart()
    {
        var labels = Data.StatesByDay.Select(d => Day(d.Day)).ToList();
        var series = StateColours
            .Select(c => new Series(QueueModel.Label(c.State), c.Colour, [.. Data.StatesByDay.Select(d => (double?)d.Counts.GetValueOrDefault(c.State.ToString()))]))
            .ToList();
        var last = Data.StatesByDay[^1];
        var open = last.Counts.GetValueOrDefault(nameof(ItemState.AwaitingReview)) + last.Counts.GetValueOrDefault(nameof(ItemState.Escalated));
        return SvgCharts.Bars("states", "Items by state over time",
            $"Items received since {Day(Data.From)}, by their state at the end of each day. Today: {last.Counts.Values.Sum()} received, {open} still awaiting review or escalated.",
            labels, series, "items");
    }

    public IHtmlContent DecisionChart()
    {
        var days = Enumerable.Range(0, DashboardQueries.Days).Select(n => Data.From.AddDays(n)).ToList();
        var byDay = Data.DecisionTimes.ToDictionary(d => d.Day);
        var median = days.Select(d => byDay.TryGetValue(d, out var x) ? x.MedianMinutes : (double?)null).ToList();
        var p90 = days.Select(d => byDay.TryGetValue(d, out var x) ? x.P90Minutes : (double?)null).ToList();
        return SvgCharts.Lines("decision-time", "Time to decision (minutes)",
            $"From arrival to approval or rejection, per day. Over the 30 days: {Data.Decisions} decisions, median {Minutes(Data.MedianMinutes)}, 90th percentile {Minutes(Data.P90Minutes)}.",
            [.. days.Select(Day)], [new Series("Median", "#1f5fbf", median), new Series("90th percentile", "#a35200", p90)], "minutes");
    }

    public IHtmlContent BreachesChart() =>
        SvgCharts.Bars("breaches", "Breaches of time limits",
            $"Times an owner's time limit ran out before they decided or the item moved on, by the day it ran out: {Data.TotalBreaches} in 30 days.",
            [.. Data.Breaches.Select(b => Day(b.Day))], [new Series("Breaches", "#b3261e", [.. Data.Breaches.Select(b => (double?)b.Breaches)])], "breaches");

    public IHtmlContent EscalationsChart() =>
        SvgCharts.HorizontalBars("escalations", "Safeguarding escalations by category",
            $"Safeguarding cases raised in the last 30 days, by category: {Data.Escalations.Sum(e => e.Cases)} in all.",
            [.. Data.Escalations.Select(e => e.Category)], new Series("Cases", "#7048a8", [.. Data.Escalations.Select(e => (double?)e.Cases)]), "cases");
}

public sealed record SchoolSummaryOption(Guid Id, string Name);
