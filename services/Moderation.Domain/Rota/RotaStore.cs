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
/// The rotas stored in the database. Today a school's rota is its rotations (one layer each, whole-day shifts of
/// <see cref="Rotation.ShiftDays"/> handing over at <see cref="Rotation.HandoffTime"/>), with no overrides, absences,
/// cover pool or term dates yet.
/// </summary>
public sealed class RotaStore : IRotaStore
{
    public async Task<IReadOnlyList<RotaDefinition>> ForSchoolAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rotations = await db.Rotations.AsNoTracking().Include(r => r.Members)
            .Where(r => r.SchoolId == schoolId).OrderBy(r => r.Layer).ThenBy(r => r.Name).ToListAsync(ct);
        if (rotations.Count == 0)
        {
            return [];
        }

        return
        [
            new RotaDefinition
            {
                Id = schoolId,
                Name = string.Join(", ", rotations.Select(r => r.Name)),
                SchoolIds = [schoolId],
                Layers = [.. rotations.Select(r => new RotationLayer
                {
                    Id = r.Id,
                    Name = r.Name,
                    Layer = r.Layer,
                    Members = [.. r.Members.OrderBy(m => m.Order).Select(m => m.UserId)],
                    StartsOn = r.StartsOn,
                    HandoffTime = r.HandoffTime,
                    ShiftLength = TimeSpan.FromDays(r.ShiftDays),
                    RunsInHolidays = true,
                })],
            },
        ];
    }
}
