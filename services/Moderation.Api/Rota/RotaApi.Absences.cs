using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Rota;

public static partial class RotaApi
{
    /// <summary>Longer than this is not an absence or an override but a change to the rota.</summary>
    public static readonly TimeSpan MaxAbsence = TimeSpan.FromDays(366);

    private static readonly string[] s_managers = [Roles.Administrator, Roles.Headteacher];

    private static async Task<Results<Ok<List<AbsenceDto>>, ProblemHttpResult>> ListAbsencesAsync(
        Guid rotaId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return await AbsencesSeenByAsync(rotaId, me, db, ct) is { } list ? TypedResults.Ok(list) : NotFoundRota();
    }

    /// <summary>The rota's absences as <paramref name="me"/> may see them (the API and the rota page); null if the rota is not theirs.</summary>
    internal static async Task<List<AbsenceDto>?> AbsencesSeenByAsync(Guid rotaId, StaffMember me, ModerationDbContext db, CancellationToken ct)
    {
        if (await CoveredSchoolsAsync(db, rotaId, me, ct) is null)
        {
            return null;
        }

        // Why someone is away is theirs and their managers' business: others see only their own absences.
        var query = db.RotaAbsences.AsNoTracking().Where(a => a.RotaId == rotaId);
        if (!me.IsInAny(s_managers))
        {
            query = query.Where(a => a.UserId == me.UserId);
        }

        var rows = await query.OrderBy(a => a.RecordedAt).ThenBy(a => a.Id).ToListAsync(ct);
        var people = await PeopleAsync(db, rows.Select(a => a.UserId).Concat(rows.Where(a => a.CoverUserId.HasValue).Select(a => a.CoverUserId!.Value)), ct);
        return rows.Select(a => ToDto(a, people)).ToList();
    }

    private static async Task<Results<Created<AbsenceDto>, ProblemHttpResult>> RecordAbsenceAsync(
        Guid rotaId, HttpRequest http, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var (request, problem) = await ReadBodyAsync<AbsenceRequest>(http, ct);
        return problem ?? (Results<Created<AbsenceDto>, ProblemHttpResult>)await RecordAbsenceByAsync(rotaId, request, me, db, time, ct);
    }

    /// <summary>
    /// Records an absence for <paramref name="me"/> (the API and the rota page's forms): every problem listed in one
    /// 400, or the absence saved and audited in one transaction.
    /// </summary>
    internal static async Task<Results<Created<AbsenceDto>, ProblemHttpResult>> RecordAbsenceByAsync(
        Guid rotaId, AbsenceRequest? request, StaffMember me, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockRowAsync(db, rotaId, ct);
        var schools = await CoveredSchoolsAsync(db, rotaId, me, ct);
        if (schools is null)
        {
            return NotFoundRota();
        }

        var manager = me.IsInAny(s_managers);
        if (!manager && !me.Roles.Contains(Roles.Moderator))
        {
            return NotAllowed("Administrators and headteachers record absences; a moderator may record their own planned leave.");
        }

        var errors = new List<string>();
        if (request is null)
        {
            return Invalid(["A body is required: {\"userId\", \"kind\", \"from\", \"to\", \"coverUserId\"}."]);
        }

        var kindOk = TryParseKind(request.Kind, out var kind);
        var userId = request.UserId ?? (manager ? null : me.UserId);
        if (!manager && (userId != me.UserId || (kindOk && kind != AbsenceKind.Leave)))
        {
            return NotAllowed("A moderator may record only their own planned leave (kind Leave).");
        }

        if (userId is null)
        {
            errors.Add("userId is required: who is away.");
        }

        if (!kindOk)
        {
            errors.Add($"kind is required: one of {string.Join(", ", Enum.GetNames<AbsenceKind>())}.");
        }

        var (from, to) = ReadRange(request.From, request.To, MaxAbsence, errors);
        if (request.CoverUserId is { } cover && cover == userId)
        {
            errors.Add("Nobody can cover for themselves: the cover must be someone other than the absent person.");
        }

        var people = await RotaStaff.LoadAsync(db, new[] { userId, request.CoverUserId }.OfType<Guid>(), ct);
        var mySchools = schools.Where(me.BelongsTo).ToList();
        if (userId is { } absent && (!people.TryGetValue(absent, out var person) || !person.SchoolIds.Overlaps(mySchools)))
        {
            errors.Add($"userId: {absent} is not on the staff of your schools that this rota covers.");
        }

        if (request.CoverUserId is { } c && c != userId && RotaStaff.Problem(people, c, schools, "the cover") is { } coverProblem)
        {
            errors.Add(coverProblem);
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var now = time.GetUtcNow();
        var absence = new RotaAbsence
        {
            Id = Guid.CreateVersion7(now),
            RotaId = rotaId,
            UserId = userId!.Value,
            Kind = kind,
            StartsAt = from,
            EndsAt = to,
            CoverUserId = request.CoverUserId,
            RecordedBy = me.Name,
            RecordedAt = now,
        };
        db.RotaAbsences.Add(absence);
        var names = people.ToDictionary(p => p.Key, p => p.Value.DisplayName);
        await CommitChangeAsync(db, tx, rotaId, schools, me, "rota-absence-recorded", now, name => $"{name}: {DescribeAbsence(absence, names)}", ct);
        return TypedResults.Created($"/api/rotas/{rotaId}/absences/{absence.Id}", ToDto(absence, names));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAbsenceAsync(
        Guid rotaId, Guid absenceId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
        await DeleteAbsenceByAsync(rotaId, absenceId, await staff.GetAsync(user, ct), db, time, ct);

    /// <summary>Removes an absence for <paramref name="me"/> (the API and the rota page), audited.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAbsenceByAsync(
        Guid rotaId, Guid absenceId, StaffMember me, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockRowAsync(db, rotaId, ct);
        var schools = await CoveredSchoolsAsync(db, rotaId, me, ct);
        var absence = await db.RotaAbsences.FirstOrDefaultAsync(a => a.Id == absenceId && a.RotaId == rotaId, ct);
        var manager = me.IsInAny(s_managers);
        if (schools is null || absence is null || (!manager && absence.UserId != me.UserId))
        {
            return TypedResults.Problem("No such absence.", statusCode: 404, title: "Not found");
        }

        if (!manager && !(me.Roles.Contains(Roles.Moderator) && absence.Kind == AbsenceKind.Leave))
        {
            return NotAllowed("A moderator may cancel only their own planned leave; ask an administrator or the headteacher.");
        }

        var now = time.GetUtcNow();
        var people = await PeopleAsync(db, new[] { absence.UserId, absence.CoverUserId }.OfType<Guid>(), ct);
        db.RotaAbsences.Remove(absence);
        await CommitChangeAsync(db, tx, rotaId, schools, me, "rota-absence-deleted", now, name => $"{name}: {DescribeAbsence(absence, people)}", ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<OverrideDto>>, ProblemHttpResult>> ListOverridesAsync(
        Guid rotaId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return await OverridesSeenByAsync(rotaId, me, db, ct) is { } list ? TypedResults.Ok(list) : NotFoundRota();
    }

    /// <summary>The rota's overrides (the API and the rota page); null if the rota is not <paramref name="me"/>'s.</summary>
    internal static async Task<List<OverrideDto>?> OverridesSeenByAsync(Guid rotaId, StaffMember me, ModerationDbContext db, CancellationToken ct)
    {
        if (await CoveredSchoolsAsync(db, rotaId, me, ct) is null)
        {
            return null;
        }

        var rows = await db.DutyOverrides.AsNoTracking().Where(o => o.RotaId == rotaId)
            .OrderBy(o => o.StartsAt).ThenBy(o => o.CreatedAt).ThenBy(o => o.Id).ToListAsync(ct);
        var people = await PeopleAsync(db, rows.Select(o => o.UserId), ct);
        return rows.Select(o => ToDto(o, people)).ToList();
    }

    private static async Task<Results<Created<OverrideDto>, ProblemHttpResult>> AddOverrideAsync(
        Guid rotaId, HttpRequest http, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var (request, problem) = await ReadBodyAsync<OverrideRequest>(http, ct);
        return problem ?? (Results<Created<OverrideDto>, ProblemHttpResult>)await AddOverrideByAsync(rotaId, request, me, db, time, ct);
    }

    /// <summary>Adds an override for <paramref name="me"/> (the API and the rota page): every problem in one 400, or saved and audited.</summary>
    internal static async Task<Results<Created<OverrideDto>, ProblemHttpResult>> AddOverrideByAsync(
        Guid rotaId, OverrideRequest? request, StaffMember me, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockRowAsync(db, rotaId, ct);
        var schools = await CoveredSchoolsAsync(db, rotaId, me, ct);
        if (schools is null)
        {
            return NotFoundRota();
        }

        if (ManagesEverySchool(schools, me) is { } forbidden)
        {
            return forbidden;
        }

        if (request is null)
        {
            return Invalid(["A body is required: {\"userId\", \"from\", \"to\", \"reason\"}."]);
        }

        var errors = new List<string>();
        if (request.UserId is null)
        {
            errors.Add("userId is required: who is on duty instead.");
        }

        var (from, to) = ReadRange(request.From, request.To, MaxAbsence, errors);
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > 200)
        {
            errors.Add("reason is required, at most 200 characters (for example \"Residential trip to Kingswood\").");
        }

        var people = await RotaStaff.LoadAsync(db, new[] { request.UserId }.OfType<Guid>(), ct);
        if (request.UserId is { } id && RotaStaff.Problem(people, id, schools, "userId") is { } personProblem)
        {
            errors.Add(personProblem);
        }

        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var now = time.GetUtcNow();
        var entry = new DutyOverride
        {
            Id = Guid.CreateVersion7(now),
            RotaId = rotaId,
            UserId = request.UserId!.Value,
            StartsAt = from,
            EndsAt = to,
            Reason = reason,
            CreatedBy = me.Name,
            CreatedAt = now,
        };
        var names = people.ToDictionary(p => p.Key, p => p.Value.DisplayName);
        db.DutyOverrides.Add(entry);
        await CommitChangeAsync(db, tx, rotaId, schools, me, "rota-override-added", now, name => $"{name}: {DescribeOverride(entry, names)}", ct);
        return TypedResults.Created($"/api/rotas/{rotaId}/overrides/{entry.Id}", ToDto(entry, names));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveOverrideAsync(
        Guid rotaId, Guid overrideId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
        await RemoveOverrideByAsync(rotaId, overrideId, await staff.GetAsync(user, ct), db, time, ct);

    /// <summary>Removes an override for <paramref name="me"/> (the API and the rota page), audited.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveOverrideByAsync(
        Guid rotaId, Guid overrideId, StaffMember me, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockRowAsync(db, rotaId, ct);
        var schools = await CoveredSchoolsAsync(db, rotaId, me, ct);
        var entry = await db.DutyOverrides.FirstOrDefaultAsync(o => o.Id == overrideId && o.RotaId == rotaId, ct);
        if (schools is null || entry is null)
        {
            return TypedResults.Problem("No such override.", statusCode: 404, title: "Not found");
        }

        if (ManagesEverySchool(schools, me) is { } forbidden)
        {
            return forbidden;
        }

        var now = time.GetUtcNow();
        var people = await PeopleAsync(db, [entry.UserId], ct);
        db.DutyOverrides.Remove(entry);
        await CommitChangeAsync(db, tx, rotaId, schools, me, "rota-override-removed", now, name => $"{name}: {DescribeOverride(entry, people)}", ct);
        return TypedResults.NoContent();
    }

    /// <summary>The schools the rota covers, or null if there is no such rota or none of them is the caller's.</summary>
    private static async Task<List<Guid>?> CoveredSchoolsAsync(ModerationDbContext db, Guid rotaId, StaffMember me, CancellationToken ct)
    {
        var schools = await db.RotaSchools.AsNoTracking().Where(s => s.RotaId == rotaId).Select(s => s.SchoolId).ToListAsync(ct);
        return schools.Exists(me.BelongsTo) ? schools : null;
    }

    /// <summary>An override puts someone on duty for every school the rota covers, so it takes a manager of each of them.</summary>
    private static ProblemHttpResult? ManagesEverySchool(List<Guid> schools, StaffMember me)
    {
        if (!me.IsInAny(s_managers))
        {
            return NotAllowed("Administrators and headteachers add and remove overrides.");
        }

        return schools.TrueForAll(me.BelongsTo)
            ? null
            : NotAllowed("This rota also covers schools you do not belong to; only someone who belongs to every school it covers may change its overrides.");
    }

    /// <summary>from and to as <see cref="RotaTimes"/> reads them: to after from, and at most <paramref name="longest"/> apart.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) ReadRange(string? fromText, string? toText, TimeSpan longest, List<string> errors)
    {
        var fromOk = RotaTimes.TryParseStart(fromText, out var from);
        var toOk = RotaTimes.TryParseEnd(toText, out var to);
        if (!fromOk)
        {
            errors.Add("from is required: a date like 2026-11-02 (from the start of that day, London time) or a date and time like 2026-11-02T13:00 or 2026-11-02T13:00Z.");
        }

        if (!toOk)
        {
            errors.Add("to is required: a date like 2026-11-06 (that whole day included) or a date and time like 2026-11-06T16:00.");
        }

        if (fromOk && toOk)
        {
            if (to <= from)
            {
                errors.Add("to must be after from.");
            }
            else if (to - from > longest)
            {
                errors.Add($"from and to are at most {longest.TotalDays:0} days apart.");
            }
        }

        return (from, to);
    }

    private static bool TryParseKind(string? text, out AbsenceKind kind)
    {
        kind = default;
        var trimmed = text?.Trim();
        return !string.IsNullOrEmpty(trimmed) && char.IsLetter(trimmed[0]) && Enum.TryParse(trimmed, ignoreCase: true, out kind);
    }

    /// <summary>Changes to one rota wait for each other, so each is checked against the rota as the one before left it.</summary>
    private static Task LockRowAsync(ModerationDbContext db, Guid rotaId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT 1 FROM rotas WHERE id = {rotaId} FOR UPDATE", ct);

    /// <summary>Marks the rota changed; absences and overrides change its schedule as much as its rotations do.</summary>
    /// <summary>The end of every change to a rota's absences or overrides: the rota touched, the change audited in each covered school, saved and committed.</summary>
    private static async Task CommitChangeAsync(
        ModerationDbContext db, IDbContextTransaction tx, Guid rotaId, IEnumerable<Guid> schools, StaffMember me, string action,
        DateTimeOffset now, Func<string, string> describe, CancellationToken ct)
    {
        await TouchAsync(db, rotaId, now, ct);
        await AuditAsync(db, schools, me, action, now, describe(await RotaNameAsync(db, rotaId, ct)), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static Task TouchAsync(ModerationDbContext db, Guid rotaId, DateTimeOffset now, CancellationToken ct) =>
        db.Rotas.Where(r => r.Id == rotaId).ExecuteUpdateAsync(u => u.SetProperty(r => r.UpdatedAt, now), ct);

    private static Task<string> RotaNameAsync(ModerationDbContext db, Guid rotaId, CancellationToken ct) =>
        db.Rotas.Where(r => r.Id == rotaId).Select(r => r.Name).FirstAsync(ct);

    private static AbsenceDto ToDto(RotaAbsence a, Dictionary<Guid, string> people) => new(
        a.Id,
        Person(people, a.UserId),
        a.Kind.ToString(),
        a.StartsAt.ToUniversalTime(),
        a.EndsAt.ToUniversalTime(),
        RotaTimes.InLondon(a.StartsAt),
        RotaTimes.InLondon(a.EndsAt),
        a.CoverUserId is { } c ? Person(people, c) : null,
        a.RecordedBy,
        a.RecordedAt);

    private static OverrideDto ToDto(DutyOverride o, Dictionary<Guid, string> people) => new(
        o.Id,
        Person(people, o.UserId),
        o.StartsAt.ToUniversalTime(),
        o.EndsAt.ToUniversalTime(),
        RotaTimes.InLondon(o.StartsAt),
        RotaTimes.InLondon(o.EndsAt),
        o.Reason,
        o.CreatedBy,
        o.CreatedAt);

    private static string DescribeAbsence(RotaAbsence a, Dictionary<Guid, string> people) =>
        $"{a.Kind} of {Person(people, a.UserId).DisplayName} from {Local(a.StartsAt)} to {Local(a.EndsAt)}" +
        (a.CoverUserId is { } c ? $", covered by {Person(people, c).DisplayName}" : ", cover from the pool");

    private static string DescribeOverride(DutyOverride o, Dictionary<Guid, string> people) =>
        $"{Person(people, o.UserId).DisplayName} on duty from {Local(o.StartsAt)} to {Local(o.EndsAt)}: {o.Reason}";

    private static string Local(DateTimeOffset instant) =>
        RotaTimes.InLondon(instant).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private static ProblemHttpResult NotAllowed(string detail) =>
        TypedResults.Problem(detail, statusCode: 403, title: "Not allowed");
}
