using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Rota;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Web;

/// <summary>
/// The rota: who is on duty now for each of the viewer's schools, a week or month calendar of a rota's final schedule
/// (London time) with its gaps and their reasons, and its absences and overrides. Administrators and headteachers add
/// and remove absences (with named cover or the cover pool) and overrides; a moderator records and cancels their own
/// leave. Every change goes through the same <see cref="RotaApi"/> commands as the REST API.
/// </summary>
[Authorize(Policy = AccountsSetup.QueuePolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class RotaModel(StaffResolver staff, ModerationDbContext db, IRotaStore store, TimeProvider time) : PageModel
{
    private static readonly CultureInfo s_uk = CultureInfo.GetCultureInfo("en-GB");
    private static readonly string[] s_managers = [Roles.Administrator, Roles.Headteacher];

    [BindProperty(Name = "rota", SupportsGet = true)]
    public Guid? RotaId { get; set; }

    /// <summary>"week" (the default) or "month".</summary>
    [BindProperty(SupportsGet = true)]
    public string? View { get; set; }

    /// <summary>Any London date in the week or month shown; today by default.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Date { get; set; }

    public sealed record RotaChoice(Guid Id, string Name, string Schools);

    public sealed record SchoolOnDuty(string School, OnDutyDto OnDuty);

    /// <summary>One line in a day's cell: someone on duty, or a gap, clipped to that London day.</summary>
    public sealed record Segment(DateTimeOffset Start, DateTimeOffset End, bool EndsAtMidnight, ShiftDto? Shift, GapDto? Gap);

    public sealed record Day(DateOnly Date, bool InPeriod, bool Today, IReadOnlyList<Segment> Segments);

    /// <summary>Someone a form may name: on the staff of every school the rota covers, in a role that moderates.</summary>
    public sealed record Person(Guid Id, string Name);

    public IReadOnlyList<RotaChoice> Rotas { get; private set; } = [];

    public RotaChoice? Current { get; private set; }

    public IReadOnlyList<SchoolOnDuty> OnDuty { get; private set; } = [];

    public ScheduleDto? Schedule { get; private set; }

    public IReadOnlyList<IReadOnlyList<Day>> Weeks { get; private set; } = [];

    public bool Month => string.Equals(View, "month", StringComparison.OrdinalIgnoreCase);

    public DateOnly Anchor { get; private set; }

    public string Heading { get; private set; } = "";

    public DateOnly Previous { get; private set; }

    public DateOnly Next { get; private set; }

    public IReadOnlyList<AbsenceDto> Absences { get; private set; } = [];

    public IReadOnlyList<OverrideDto> Overrides { get; private set; } = [];

    public IReadOnlyList<Person> People { get; private set; } = [];

    public bool Manager { get; private set; }

    public bool Moderator { get; private set; }

    public Guid Me { get; private set; }

    /// <summary>Which form failed ("absence", "leave", "override"), its problems, and what was typed, to show again.</summary>
    public string? FailedForm { get; private set; }

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public IReadOnlyDictionary<string, string?> Kept { get; private set; } = new Dictionary<string, string?>();

    public string? KeptValue(string form, string field) => FailedForm == form ? Kept.GetValueOrDefault(field) : null;

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostAbsenceAsync(
        Guid? userId, string? kind, string? fromDate, string? fromTime, string? toDate, string? toTime, Guid? coverUserId, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var request = new AbsenceRequest(userId, kind, Instant(fromDate, fromTime), Instant(toDate, toTime), coverUserId);
        var result = await RotaApi.RecordAbsenceByAsync(RotaId ?? Guid.Empty, request, me, db, time, ct);
        return await AfterAsync(result.Result, "absence", "The absence is recorded.", ct,
            ("userId", userId?.ToString()), ("kind", kind), ("fromDate", fromDate), ("fromTime", fromTime), ("toDate", toDate), ("toTime", toTime), ("coverUserId", coverUserId?.ToString()));
    }

    public async Task<IActionResult> OnPostLeaveAsync(string? fromDate, string? fromTime, string? toDate, string? toTime, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var request = new AbsenceRequest(me.UserId, nameof(AbsenceKind.Leave), Instant(fromDate, fromTime), Instant(toDate, toTime), null);
        var result = await RotaApi.RecordAbsenceByAsync(RotaId ?? Guid.Empty, request, me, db, time, ct);
        return await AfterAsync(result.Result, "leave", "Your leave is recorded; the cover pool stands in for you.", ct,
            ("fromDate", fromDate), ("fromTime", fromTime), ("toDate", toDate), ("toTime", toTime));
    }

    public async Task<IActionResult> OnPostRemoveAbsenceAsync(Guid absenceId, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var result = await RotaApi.DeleteAbsenceByAsync(RotaId ?? Guid.Empty, absenceId, me, db, time, ct);
        return await AfterAsync(result.Result, "remove", "The absence is removed.", ct);
    }

    public async Task<IActionResult> OnPostOverrideAsync(
        Guid? userId, string? fromDate, string? fromTime, string? toDate, string? toTime, string? reason, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var request = new OverrideRequest(userId, Instant(fromDate, fromTime), Instant(toDate, toTime), reason);
        var result = await RotaApi.AddOverrideByAsync(RotaId ?? Guid.Empty, request, me, db, time, ct);
        return await AfterAsync(result.Result, "override", "The override is added.", ct,
            ("userId", userId?.ToString()), ("fromDate", fromDate), ("fromTime", fromTime), ("toDate", toDate), ("toTime", toTime), ("reason", reason));
    }

    public async Task<IActionResult> OnPostRemoveOverrideAsync(Guid overrideId, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var result = await RotaApi.RemoveOverrideByAsync(RotaId ?? Guid.Empty, overrideId, me, db, time, ct);
        return await AfterAsync(result.Result, "remove", "The override is removed.", ct);
    }

    /// <summary>A date alone (the whole day, as the API reads it) or a date and a London time.</summary>
    private static string? Instant(string? date, string? clock) =>
        string.IsNullOrWhiteSpace(date) ? null : string.IsNullOrWhiteSpace(clock) ? date.Trim() : $"{date.Trim()}T{clock.Trim()}";

    private async Task<IActionResult> AfterAsync(IResult result, string form, string done, CancellationToken ct, params (string Field, string? Value)[] typed)
    {
        if (result is not ProblemHttpResult problem)
        {
            TempData["Message"] = done;
            return RedirectToPage(new { rota = RotaId, view = View, date = Date });
        }

        FailedForm = form;
        Errors = problem.ProblemDetails.Extensions.TryGetValue("errors", out var list) && list is IEnumerable<string> errors
            ? [.. errors]
            : [problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "That did not work."];
        Kept = typed.ToDictionary(t => t.Field, t => t.Value);
        Response.StatusCode = problem.StatusCode == StatusCodes.Status404NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        Me = me.UserId;
        Manager = me.IsInAny(s_managers);
        Moderator = me.Roles.Contains(Roles.Moderator);
        var now = time.GetUtcNow();

        var schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        var onDuty = new List<SchoolOnDuty>();
        foreach (var school in schools)
        {
            onDuty.Add(new SchoolOnDuty(school.Name, await RotaApi.OnDutyForAsync(db, store, school.Id, now, ct)));
        }

        OnDuty = onDuty;

        var mine = me.SchoolIds.ToList();
        var rotas = await db.Rotas.AsNoTracking().Where(r => r.Schools.Any(rs => mine.Contains(rs.SchoolId))).OrderBy(r => r.Name)
            .Select(r => new { r.Id, r.Name, Schools = r.Schools.Select(x => x.SchoolId).ToList() }).ToListAsync(ct);
        var names = schools.ToDictionary(s => s.Id, s => s.Name);
        Rotas = [.. rotas.Select(r => new RotaChoice(r.Id, r.Name, string.Join(", ", r.Schools.Where(names.ContainsKey).Select(s => names[s]).Order(StringComparer.Ordinal))))];
        Current = Rotas.FirstOrDefault(r => r.Id == RotaId) ?? Rotas.FirstOrDefault();
        RotaId = Current?.Id;

        var today = DateOnly.FromDateTime(RotaTimes.InLondon(now).DateTime);
        Anchor = DateOnly.TryParseExact(Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : today;
        var (first, last) = Month ? MonthGrid(Anchor) : (Monday(Anchor), Monday(Anchor).AddDays(6));
        Heading = Month
            ? Anchor.ToString("MMMM yyyy", s_uk)
            : $"Week of {first.ToString("d MMMM yyyy", s_uk)}";
        Previous = Month ? new DateOnly(Anchor.Year, Anchor.Month, 1).AddMonths(-1) : first.AddDays(-7);
        Next = Month ? new DateOnly(Anchor.Year, Anchor.Month, 1).AddMonths(1) : first.AddDays(7);

        if (Current is null)
        {
            return;
        }

        RotaTimes.TryParseStart(first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), out var fromUtc);
        RotaTimes.TryParseEnd(last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), out var toUtc);
        Schedule = await RotaApi.ScheduleOfAsync(db, Current.Id, fromUtc, toUtc, ct);
        Weeks = Schedule is null ? [] : Grid(Schedule, first, last, today);
        Absences = await RotaApi.AbsencesSeenByAsync(Current.Id, me, db, ct) ?? [];
        Overrides = await RotaApi.OverridesSeenByAsync(Current.Id, me, db, ct) ?? [];

        // The people a form may name: everyone the rota could put on duty (the API checks again).
        var covered = rotas.First(r => r.Id == Current.Id).Schools;
        var members = await db.Memberships.AsNoTracking().Where(m => covered.Contains(m.SchoolId)).Select(m => m.UserId).Distinct().ToListAsync(ct);
        var people = await RotaStaff.LoadAsync(db, members, ct);
        People = [.. people.Values.Where(p => p.MayModerate && p.BelongsToAll(covered)).OrderBy(p => p.DisplayName, StringComparer.Ordinal).Select(p => new Person(p.Id, p.DisplayName))];
    }

    private static DateOnly Monday(DateOnly date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    private static (DateOnly First, DateOnly Last) MonthGrid(DateOnly anchor)
    {
        var firstOfMonth = new DateOnly(anchor.Year, anchor.Month, 1);
        var lastOfMonth = firstOfMonth.AddMonths(1).AddDays(-1);
        return (Monday(firstOfMonth), Monday(lastOfMonth).AddDays(6));
    }

    /// <summary>The schedule cut into London days, a row per week: everyone on duty and every gap, in time order.</summary>
    private IReadOnlyList<IReadOnlyList<Day>> Grid(ScheduleDto schedule, DateOnly first, DateOnly last, DateOnly today)
    {
        var weeks = new List<IReadOnlyList<Day>>();
        var week = new List<Day>();
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            var iso = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            RotaTimes.TryParseStart(iso, out var dayStart);
            RotaTimes.TryParseEnd(iso, out var dayEnd);
            var segments = schedule.Shifts
                .Where(s => s.StartUtc < dayEnd && dayStart < s.EndUtc)
                .Select(s => Clip(s.StartUtc, s.EndUtc, dayStart, dayEnd, s, null))
                .Concat(schedule.Gaps.Where(g => g.StartUtc < dayEnd && dayStart < g.EndUtc).Select(g => Clip(g.StartUtc, g.EndUtc, dayStart, dayEnd, null, g)))
                .OrderBy(s => s.Start).ThenBy(s => s.Gap is null ? 0 : 1).ThenBy(s => s.Shift?.Layer ?? 0)
                .ToList();
            week.Add(new Day(date, !Month || date.Month == Anchor.Month, date == today, segments));
            if (week.Count == 7)
            {
                weeks.Add(week);
                week = [];
            }
        }

        return weeks;
    }

    private static Segment Clip(DateTimeOffset start, DateTimeOffset end, DateTimeOffset dayStart, DateTimeOffset dayEnd, ShiftDto? shift, GapDto? gap) =>
        new(RotaTimes.InLondon(start > dayStart ? start : dayStart), RotaTimes.InLondon(end < dayEnd ? end : dayEnd), end >= dayEnd, shift, gap);

    public static string Clock(DateTimeOffset local) => local.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string Span(Segment s) => $"{Clock(s.Start)}–{(s.EndsAtMidnight ? "24:00" : Clock(s.End))}";

    public static string When(DateTimeOffset local) => local.ToString("ddd d MMM yyyy, HH:mm", s_uk);

    /// <summary>The reason a gap has, in words: the engine's reason and its detail (the holiday's name, who is away).</summary>
    public static string GapReason(string reason, string detail) => reason switch
    {
        "no-cover" => $"No cover: {detail.Replace("no cover for absent ", "", StringComparison.Ordinal)} away",
        "holiday" => $"Holiday: {detail}",
        "outside-rota-hours" => "Outside rota hours",
        "no-rota" => "No rota covers this school",
        _ => detail,
    };

    public static string Source(ShiftDto s) => s.Source switch
    {
        "override" => $"Override: {s.SourceName}",
        "cover" => s.CoveringFor is { } c ? $"Cover for {c.DisplayName}" : "Cover",
        _ => s.Layer is { } layer ? $"{s.SourceName} (layer {layer})" : s.SourceName,
    };

    /// <summary>The answer looks at most a week ahead, so a shift that reaches that far is "for at least a week", not "until" a made-up minute.</summary>
    public static string Until(OnDutyDto onDuty, OnDutyEntryDto e) =>
        e.UntilUtc >= onDuty.AtUtc + ScheduleCalculator.OnDutyWindow - TimeSpan.FromMinutes(1) ? "for at least the next week" : $"until {When(e.UntilLocal)}";

    public static string Source(OnDutyEntryDto e) => e.Source switch
    {
        "override" => $"override: {e.SourceName}",
        "cover" => e.CoveringFor is { } c ? $"covering for {c.DisplayName}" : "cover",
        _ => e.SourceName,
    };

    public string Link(DateOnly date, string? view = null) =>
        $"/rota?rota={RotaId}&view={view ?? (Month ? "month" : "week")}&date={date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}
