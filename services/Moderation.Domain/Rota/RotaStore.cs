using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Rota;

/// <summary>Reads the rotas that cover a school, as the scheduling engine takes them.</summary>
public interface IRotaStore
{
    /// <summary>Every rota covering <paramref name="schoolId"/>, its own or its trust's, with what the engine needs.</summary>
    Task<IReadOnlyList<RotaDefinition>> ForSchoolAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct);
}

/// <summary>
/// The rotas stored in the database: each with its rotations (members, restrictions), overrides, absences, cover pool
/// and term calendar, mapped by <see cref="RotaMapping"/>. The API's schedule reads a rota through the same query.
/// </summary>
public sealed class RotaStore : IRotaStore
{
    public async Task<IReadOnlyList<RotaDefinition>> ForSchoolAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rotas = await Complete(db).Where(r => r.Schools.Any(s => s.SchoolId == schoolId)).ToListAsync(ct);

        // A school's own rotas before the trust's shared ones, as ScheduleCalculator.OnDutyForSchool orders them.
        return [.. rotas.Select(RotaMapping.ToDefinition).OrderBy(r => r.SchoolIds.Count).ThenBy(r => r.Id)];
    }

    /// <summary>One rota's definition, or null if there is no such rota.</summary>
    public static async Task<RotaDefinition?> LoadAsync(ModerationDbContext db, Guid rotaId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rota = await Complete(db).FirstOrDefaultAsync(r => r.Id == rotaId, ct);
        return rota is null ? null : RotaMapping.ToDefinition(rota);
    }

    /// <summary>
    /// Rotas with everything the engine needs, untracked. Split into one query per collection (a handful in all,
    /// whatever the number of rotas) rather than one join that multiplies rotations by absences by term dates.
    /// </summary>
    public static IQueryable<DutyRota> Complete(ModerationDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return WithEverything(db.Rotas.AsNoTracking());
    }

    /// <summary>The rotas with every collection loaded, one query per collection.</summary>
    public static IQueryable<DutyRota> WithEverything(IQueryable<DutyRota> rotas) =>
        rotas.AsSplitQuery()
            .Include(r => r.Schools)
            .Include(r => r.Rotations).ThenInclude(x => x.Members)
            .Include(r => r.Rotations).ThenInclude(x => x.Restrictions)
            .Include(r => r.CoverPool)
            .Include(r => r.TermDates)
            .Include(r => r.Overrides)
            .Include(r => r.Absences);
}
