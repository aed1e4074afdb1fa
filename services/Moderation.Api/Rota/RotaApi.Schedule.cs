using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Moderation.Api.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Rota;

public static partial class RotaApi
{
    /// <summary>The longest schedule one request may ask for, in London days: a whole term.</summary>
    public const int MaxScheduleDays = 93;

    /// <summary>How far ahead the on-duty answer looks for the next gap to start.</summary>
    public static readonly TimeSpan NextGapWindow = TimeSpan.FromHours(24);

    /// <summary>How far ahead it follows that gap to its end.</summary>
    public static readonly TimeSpan NextGapHorizon = TimeSpan.FromDays(7);

    private static async Task<Results<Ok<ScheduleDto>, ProblemHttpResult>> ScheduleAsync(
        Guid rotaId, string? from, string? to, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (await CoveredSchoolsAsync(db, rotaId, me, ct) is null)
        {
            return NotFoundRota();
        }

        var errors = new List<string>();
        var (start, end) = ReadRange(from, to, TimeSpan.MaxValue, errors);
        if (errors.Count == 0 && LondonTime.ToLocal(end) - LondonTime.ToLocal(start) > TimeSpan.FromDays(MaxScheduleDays))
        {
            errors.Add($"A schedule covers at most {MaxScheduleDays} days; ask for a shorter range.");
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        return await ScheduleOfAsync(db, rotaId, start, end, ct) is { } dto ? TypedResults.Ok(dto) : NotFoundRota();
    }

    /// <summary>The final schedule over [<paramref name="start"/>, <paramref name="end"/>) with names (the API and the rota page); null if there is no such rota.</summary>
    internal static async Task<ScheduleDto?> ScheduleOfAsync(ModerationDbContext db, Guid rotaId, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var rota = await RotaStore.LoadAsync(db, rotaId, ct);
        if (rota is null)
        {
            return null;
        }

        var schedule = ScheduleCalculator.Compute(rota, start, end);
        var people = await PeopleAsync(db, schedule.Shifts.SelectMany(Ids).Concat(schedule.Gaps.SelectMany(g => g.AbsentUserIds)), ct);
        return new ScheduleDto(
            rota.Id,
            rota.Name,
            schedule.From,
            schedule.To,
            RotaTimes.InLondon(schedule.From),
            RotaTimes.InLondon(schedule.To),
            [.. schedule.Shifts.Select(s => ToDto(s, people))],
            [.. schedule.Primary.Select(s => ToDto(s, people))],
            [.. schedule.Gaps.Select(g => ToDto(g, people))]);
    }

    private static async Task<Results<Ok<OnDutyDto>, ProblemHttpResult>> OnDutyAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, IRotaStore store, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFoundSchool();
        }

        return TypedResults.Ok(await OnDutyForAsync(db, store, schoolId, time.GetUtcNow(), ct));
    }

    /// <summary>Who is on duty for the school at <paramref name="now"/> and the next gap (the API and the rota page).</summary>
    internal static async Task<OnDutyDto> OnDutyForAsync(ModerationDbContext db, IRotaStore store, Guid schoolId, DateTimeOffset now, CancellationToken ct)
    {
        // The same rotas, in the same order, as assignment reads them: the school's own first, then the trust's.
        var rotas = (await store.ForSchoolAsync(db, schoolId, ct)).OrderBy(r => r.SchoolIds.Count).ThenBy(r => r.Id).ToList();
        var onDuty = rotas.SelectMany(r => ScheduleCalculator.OnDutyAt(r, now).Select(s => (Rota: r, Shift: s))).ToList();
        var schedules = rotas.Select(r => ScheduleCalculator.Compute(r, now, now + NextGapHorizon)).ToList();
        var gap = NextGap(schedules, now);
        var people = await PeopleAsync(db, onDuty.SelectMany(e => Ids(e.Shift)).Concat(gap?.Absent ?? []), ct);
        return new OnDutyDto(
            schoolId,
            now,
            RotaTimes.InLondon(now),
            [.. onDuty.Select(e => new OnDutyEntryDto(
                e.Rota.Id,
                e.Rota.Name,
                Person(people, e.Shift.UserId),
                Kebab(e.Shift.Source.ToString()),
                e.Shift.SourceName,
                e.Shift.Layer,
                e.Shift.CoveringFor is { } c ? Person(people, c) : null,
                e.Shift.StartUtc,
                e.Shift.EndUtc,
                RotaTimes.InLondon(e.Shift.StartUtc),
                RotaTimes.InLondon(e.Shift.EndUtc)))],
            gap is null
                ? null
                : new OnDutyGapDto(
                    gap.From,
                    gap.Until,
                    RotaTimes.InLondon(gap.From),
                    gap.Until is { } u ? RotaTimes.InLondon(u) : null,
                    gap.Reason,
                    gap.Reason == "no-cover" ? NoCoverDetail(gap.Absent, people) : gap.Detail));
    }

    private sealed record SchoolGap(DateTimeOffset From, DateTimeOffset? Until, string Reason, string Detail, IReadOnlyList<Guid> Absent);

    /// <summary>
    /// The first stretch, starting within <see cref="NextGapWindow"/>, in which no rota covering the school has anyone
    /// on duty. Its reason is the first rota's (in precedence order) for the gap's first instant.
    /// </summary>
    private static SchoolGap? NextGap(List<FinalSchedule> schedules, DateTimeOffset now)
    {
        var horizon = now + NextGapHorizon;
        if (schedules.Count == 0)
        {
            return new SchoolGap(now, null, "no-rota", "No rota covers this school.", []);
        }

        // Where everyone is off, every schedule has a gap: walk the first schedule's gaps and cut each by the others'.
        var common = schedules[0].Gaps.Select(g => (g.StartUtc, g.EndUtc)).ToList();
        foreach (var other in schedules.Skip(1))
        {
            common = [.. common.SelectMany(c => other.Gaps
                .Where(g => g.StartUtc < c.EndUtc && c.StartUtc < g.EndUtc)
                .Select(g => (Max(c.StartUtc, g.StartUtc), Min(c.EndUtc, g.EndUtc))))];
        }

        var next = common.Where(c => c.StartUtc < now + NextGapWindow && c.StartUtc < c.EndUtc).OrderBy(c => c.StartUtc).ToList();
        if (next.Count == 0)
        {
            return null;
        }

        var (start, end) = next[0];

        var first = schedules.SelectMany(s => s.Gaps).First(g => g.Contains(start));
        return new SchoolGap(start, end >= horizon ? null : end, Kebab(first.Reason.ToString()), first.Detail, first.AbsentUserIds);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static IEnumerable<Guid> Ids(Shift s) => s.CoveringFor is { } c ? [s.UserId, c] : [s.UserId];

    private static ShiftDto ToDto(Shift s, Dictionary<Guid, string> people) => new(
        Person(people, s.UserId),
        s.StartUtc,
        s.EndUtc,
        RotaTimes.InLondon(s.StartUtc),
        RotaTimes.InLondon(s.EndUtc),
        Kebab(s.Source.ToString()),
        s.SourceName,
        s.Layer,
        s.CoveringFor is { } c ? Person(people, c) : null);

    private static GapDto ToDto(ScheduleGap g, Dictionary<Guid, string> people) => new(
        g.StartUtc,
        g.EndUtc,
        RotaTimes.InLondon(g.StartUtc),
        RotaTimes.InLondon(g.EndUtc),
        Kebab(g.Reason.ToString()),
        g.Reason == GapReason.NoCover ? NoCoverDetail(g.AbsentUserIds, people) : g.Detail,
        [.. g.AbsentUserIds.Select(a => Person(people, a))]);

    // The engine names the absent by id; people read names.
    private static string NoCoverDetail(IEnumerable<Guid> absent, Dictionary<Guid, string> people) =>
        "no cover for absent " + string.Join(", ", absent.Select(a => Person(people, a).DisplayName));
}
