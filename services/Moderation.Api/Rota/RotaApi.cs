using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Npgsql;

namespace Moderation.Api.Rota;

/// <summary>
/// Rotas: administrators manage them, administrators and headteachers record absences and overrides (a moderator their
/// own planned leave), and anyone who sees a covered school's queue reads the final schedule and who is on duty.
/// </summary>
/// <remarks>
/// A rota that covers several schools is changed only by someone who belongs to all of them, because the change reaches
/// every school. Everyone a rota can put on duty (members, cover pool, named cover, overrides) must belong to every
/// school it covers, or they would own items they cannot see. Each change is audited in the chain of every school the
/// rota covers.
/// </remarks>
public static partial class RotaApi
{
    // Bodies are read by hand so that every problem is listed in one answer; this tells OpenAPI their shape.
    private const string Json = "application/json";

    public static IEndpointRouteBuilder MapRotaApi(this IEndpointRouteBuilder app)
    {
        var rotas = app.MapGroup("/api/rotas").WithTags("Rota").RequireAuthorization(AccountsSetup.QueuePolicy);
        rotas.MapGet("", ListAsync);
        rotas.MapGet("/{rotaId:guid}", GetAsync);
        rotas.MapPost("", CreateAsync).RequireAuthorization(AccountsSetup.AdminPolicy).Accepts<RotaRequest>(Json);
        rotas.MapPut("/{rotaId:guid}", UpdateAsync).RequireAuthorization(AccountsSetup.AdminPolicy).Accepts<RotaRequest>(Json);
        rotas.MapDelete("/{rotaId:guid}", DeleteAsync).RequireAuthorization(AccountsSetup.AdminPolicy);
        rotas.MapGet("/{rotaId:guid}/schedule", ScheduleAsync);

        rotas.MapGet("/{rotaId:guid}/absences", ListAbsencesAsync);
        rotas.MapPost("/{rotaId:guid}/absences", RecordAbsenceAsync).Accepts<AbsenceRequest>(Json);
        rotas.MapDelete("/{rotaId:guid}/absences/{absenceId:guid}", DeleteAbsenceAsync);

        rotas.MapGet("/{rotaId:guid}/overrides", ListOverridesAsync);
        rotas.MapPost("/{rotaId:guid}/overrides", AddOverrideAsync).Accepts<OverrideRequest>(Json);
        rotas.MapDelete("/{rotaId:guid}/overrides/{overrideId:guid}", RemoveOverrideAsync);

        app.MapGet("/api/schools/{schoolId:guid}/on-duty", OnDutyAsync).WithTags("Rota").RequireAuthorization(AccountsSetup.QueuePolicy);
        return app;
    }

    private static async Task<Results<Ok<List<RotaSummaryDto>>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct, Guid? school = null)
    {
        var me = await staff.GetAsync(user, ct);
        if (school is { } s && !me.BelongsTo(s))
        {
            return NotFoundSchool();
        }

        var mine = school is { } one ? [one] : me.SchoolIds.ToList();
        var rows = await db.Rotas.AsNoTracking()
            .Where(r => r.Schools.Any(rs => mine.Contains(rs.SchoolId)))
            .OrderBy(r => r.Name)
            .Select(r => new { r.Id, r.Name, Schools = r.Schools.Select(x => x.SchoolId).ToList(), Rotations = r.Rotations.Count })
            .ToListAsync(ct);
        var names = await SchoolNamesAsync(db, rows.SelectMany(r => r.Schools), ct);
        return TypedResults.Ok(rows.Select(r => new RotaSummaryDto(r.Id, r.Name, SchoolRefs(r.Schools, names), r.Rotations)).ToList());
    }

    private static async Task<Results<Ok<RotaDto>, ProblemHttpResult>> GetAsync(
        Guid rotaId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var rota = await RotaStore.Complete(db).FirstOrDefaultAsync(r => r.Id == rotaId, ct);
        return rota is null || !rota.Schools.Exists(s => me.BelongsTo(s.SchoolId))
            ? NotFoundRota()
            : TypedResults.Ok(await ToDtoAsync(db, rota, ct));
    }

    private static async Task<Results<Created<RotaDto>, ProblemHttpResult>> CreateAsync(
        HttpRequest http, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var (request, problem) = await ReadBodyAsync<RotaRequest>(http, ct);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var rota = new DutyRota { Id = Guid.CreateVersion7(now), Name = "", CreatedAt = now, UpdatedAt = now };
        var (draft, errors) = await CheckAsync(db, request, rota, me, ct);
        if (draft is null)
        {
            return Invalid(errors);
        }

        rota.Name = draft.Name;

        Apply(rota, draft, now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Rotas.Add(rota);
        await AuditAsync(db, draft.SchoolIds, me, "rota-created", now, $"{rota.Name}: {Describe(draft)}", ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var saved = await RotaStore.Complete(db).FirstAsync(r => r.Id == rota.Id, ct);
        return TypedResults.Created($"/api/rotas/{rota.Id}", await ToDtoAsync(db, saved, ct));
    }

    private static async Task<Results<Ok<RotaDto>, ProblemHttpResult>> UpdateAsync(
        Guid rotaId, HttpRequest http, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var (request, problem) = await ReadBodyAsync<RotaRequest>(http, ct);
        if (problem is not null)
        {
            return problem;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rota = await LockAsync(db, rotaId, ct);
        if (rota is null || !rota.Schools.Exists(s => me.BelongsTo(s.SchoolId)))
        {
            return NotFoundRota();
        }

        if (NotInEverySchool(rota, me) is { } forbidden)
        {
            return forbidden;
        }

        var (draft, errors) = await CheckAsync(db, request, rota, me, ct);
        if (draft is null)
        {
            return Invalid(errors);
        }

        var before = rota.Schools.Select(s => s.SchoolId).ToList();
        var now = time.GetUtcNow();
        Apply(rota, draft, now);
        await AuditAsync(db, before.Union(draft.SchoolIds), me, "rota-updated", now, $"{rota.Name}: {Describe(draft)}", ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two rotations swapping names in one request meet the unique name index half-way.
            return TypedResults.Problem(
                "The rotations could not be renamed in one step; rename them one request at a time.", statusCode: 409, title: "Conflict");
        }

        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        var saved = await RotaStore.Complete(db).FirstAsync(r => r.Id == rota.Id, ct);
        return TypedResults.Ok(await ToDtoAsync(db, saved, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid rotaId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rota = await LockAsync(db, rotaId, ct);
        if (rota is null || !rota.Schools.Exists(s => me.BelongsTo(s.SchoolId)))
        {
            return NotFoundRota();
        }

        if (NotInEverySchool(rota, me) is { } forbidden)
        {
            return forbidden;
        }

        var now = time.GetUtcNow();
        await AuditAsync(db, rota.Schools.Select(s => s.SchoolId), me, "rota-deleted", now,
            $"{rota.Name}: {rota.Rotations.Count} rotation(s), {rota.Absences.Count} absence(s), {rota.Overrides.Count} override(s)", ct);
        db.Rotas.Remove(rota);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Takes the rota's row lock for this transaction, so that two changes to one rota run one after the other, then loads it tracked.</summary>
    private static async Task<DutyRota?> LockAsync(ModerationDbContext db, Guid rotaId, CancellationToken ct)
    {
        await LockRowAsync(db, rotaId, ct);
        return await RotaStore.WithEverything(db.Rotas).FirstOrDefaultAsync(r => r.Id == rotaId, ct);
    }

    private static ProblemHttpResult? NotInEverySchool(DutyRota rota, StaffMember me) =>
        rota.Schools.TrueForAll(s => me.BelongsTo(s.SchoolId))
            ? null
            : TypedResults.Problem(
                "This rota also covers schools you do not belong to; only someone who belongs to every school it covers may change it.",
                statusCode: 403, title: "Not allowed");

    /// <summary>
    /// Everyone the draft puts on duty, and the covers and override people already recorded, must be able to moderate
    /// every school the draft covers.
    /// </summary>
    /// <summary>Reads a rota request and checks it against the caller's schools and the people it names: the draft, or null with every error.</summary>
    private static async Task<(RotaDraft? Draft, List<string> Errors)> CheckAsync(
        ModerationDbContext db, RotaRequest? request, DutyRota rota, StaffMember me, CancellationToken ct)
    {
        var errors = new List<string>();
        var draft = RotaRequests.Read(request, errors);
        if (draft is null)
        {
            return (null, errors);
        }

        errors.AddRange(draft.SchoolIds.Where(id => !me.BelongsTo(id)).Select(id => $"School {id} is not one of yours."));
        await CheckPeopleAsync(db, draft, rota, errors, ct);
        return errors.Count > 0 ? (null, errors) : (draft, errors);
    }

    private static async Task CheckPeopleAsync(ModerationDbContext db, RotaDraft draft, DutyRota existing, List<string> errors, CancellationToken ct)
    {
        var schools = draft.SchoolIds;
        var covers = existing.Absences.Where(a => a.CoverUserId.HasValue).Select(a => a.CoverUserId!.Value).ToList();
        var overrides = existing.Overrides.Select(o => o.UserId).ToList();
        var people = await RotaStaff.LoadAsync(
            db, draft.Rotations.SelectMany(r => r.Members).Concat(draft.CoverPool).Concat(covers).Concat(overrides), ct);
        var problems = draft.Rotations
            .SelectMany(r => r.Members.Select(m => RotaStaff.Problem(people, m, schools, $"a member of '{r.Name}'")))
            .Concat(draft.CoverPool.Select(c => RotaStaff.Problem(people, c, schools, "the cover pool")))
            .Concat(covers.Select(c => RotaStaff.Problem(people, c, schools, "a recorded absence's cover")))
            .Concat(overrides.Select(o => RotaStaff.Problem(people, o, schools, "a recorded override")))
            .OfType<string>();
        errors.AddRange(problems.Distinct());
        foreach (var id in draft.Rotations.Where(r => r.Id.HasValue && !existing.Rotations.Exists(x => x.Id == r.Id)).Select(r => r.Id))
        {
            errors.Add($"Rotation {id} is not part of this rota; leave the id out to add a rotation.");
        }
    }

    private static void Apply(DutyRota rota, RotaDraft draft, DateTimeOffset now)
    {
        rota.Name = draft.Name;
        rota.UpdatedAt = now;
        rota.SetSchools(draft.SchoolIds);
        var keep = draft.Rotations.Where(r => r.Id.HasValue).Select(r => r.Id!.Value).ToHashSet();
        rota.Rotations.RemoveAll(r => !keep.Contains(r.Id));
        for (var i = 0; i < draft.Rotations.Count; i++)
        {
            var d = draft.Rotations[i];
            var rotation = d.Id is { } id ? rota.Rotations.Find(r => r.Id == id) : null;
            if (rotation is null)
            {
                rotation = new Rotation { Id = Guid.CreateVersion7(now), RotaId = rota.Id, Name = d.Name };
                rota.Rotations.Add(rotation);
            }

            rotation.Name = d.Name;
            rotation.Set(d.Layer, i, d.StartsOn, d.HandoffTime, d.ShiftHours, d.RunsInHolidays, d.Members, d.Restrictions);
        }

        rota.SetCoverPool(draft.CoverPool);
        rota.SetTermDates(draft.Terms, draft.Closures);
    }

    private static string Describe(RotaDraft draft) =>
        $"{draft.SchoolIds.Count} school(s); rotations {string.Join(", ", draft.Rotations.Select(r => $"'{r.Name}' (layer {r.Layer}, {r.Members.Count} member(s), {r.ShiftHours} h from {r.StartsOn:yyyy-MM-dd} {RotaTimes.Format(r.HandoffTime)})"))}; " +
        $"cover pool of {draft.CoverPool.Count}; {draft.Terms.Count} term(s), {draft.Closures.Count} closure(s)";

    private static async Task<RotaDto> ToDtoAsync(ModerationDbContext db, DutyRota rota, CancellationToken ct)
    {
        var people = await PeopleAsync(db, rota.Rotations.SelectMany(r => r.Members.Select(m => m.UserId)).Concat(rota.CoverPool.Select(c => c.UserId)), ct);
        var schools = await SchoolNamesAsync(db, rota.Schools.Select(s => s.SchoolId), ct);
        var definition = RotaMapping.ToDefinition(rota);
        return new RotaDto(
            rota.Id,
            rota.Name,
            SchoolRefs(definition.SchoolIds, schools),
            [.. definition.Layers.Select(l => new RotationDto(
                l.Id, l.Name, l.Layer, [.. l.Members.Select(m => Person(people, m))], l.StartsOn, RotaTimes.Format(l.HandoffTime),
                (int)l.ShiftLength.TotalHours,
                [.. l.Restrictions
                    .GroupBy(w => (w.Start, w.End))
                    .Select(g => new RestrictionDto([.. g.Select(w => w.Day.ToString())], RotaTimes.Format(g.Key.Start), RotaTimes.Format(g.Key.End)))],
                l.RunsInHolidays))],
            [.. definition.CoverPool.Select(c => Person(people, c))],
            [.. definition.Calendar.Terms.Select(t => new TermDatesDto(t.Name, t.FirstDay, t.LastDay))],
            [.. definition.Calendar.Closures.Select(t => new TermDatesDto(t.Name, t.FirstDay, t.LastDay))],
            rota.CreatedAt,
            rota.UpdatedAt);
    }

    /// <summary>Appends one entry to each school's chain, in a fixed order so that two changes never wait on each other's locks.</summary>
    private static async Task AuditAsync(
        ModerationDbContext db, IEnumerable<Guid> schoolIds, StaffMember me, string action, DateTimeOffset now, string detail, CancellationToken ct)
    {
        foreach (var schoolId in schoolIds.Distinct().Order())
        {
            await AuditLog.AppendAsync(db, schoolId, me.AsActor(), action, now, detail: detail, cancellationToken: ct);
        }
    }

    /// <summary>
    /// Reads a JSON body so that a malformed one is a 400 problem; binding it as a parameter would answer an empty
    /// 400 outside development.
    /// </summary>
    private static async Task<(T? Body, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpRequest http, CancellationToken ct)
        where T : class
    {
        if (!http.HasJsonContentType())
        {
            return (null, TypedResults.Problem("Send application/json.", statusCode: 415, title: "Unsupported media type"));
        }

        try
        {
            return (await http.ReadFromJsonAsync<T>(ct), null);
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.Problem($"The body is not valid JSON: {ex.Message}", statusCode: 400, title: "Invalid request"));
        }
    }

    private static async Task<Dictionary<Guid, string>> PeopleAsync(ModerationDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return list.Count == 0
            ? []
            : await db.Users.AsNoTracking().Where(u => list.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private static PersonDto Person(Dictionary<Guid, string> people, Guid id) =>
        new(id, people.TryGetValue(id, out var name) ? name : "(removed)");

    private static async Task<Dictionary<Guid, string>> SchoolNamesAsync(ModerationDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return await db.Schools.AsNoTracking().Where(s => list.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
    }

    private static List<SchoolRefDto> SchoolRefs(IEnumerable<Guid> ids, Dictionary<Guid, string> names) =>
        [.. ids.Select(id => new SchoolRefDto(id, names.GetValueOrDefault(id, ""))).OrderBy(s => s.Name, StringComparer.Ordinal)];

    private static ProblemHttpResult NotFoundRota() =>
        TypedResults.Problem("No such rota among your schools.", statusCode: 404, title: "Not found");

    private static ProblemHttpResult NotFoundSchool() =>
        TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");

    private static ProblemHttpResult Invalid(List<string> errors) =>
        TypedResults.Problem(
            string.Join(" ", errors), statusCode: 400, title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private static string Kebab(string name) => JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
