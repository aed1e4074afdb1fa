using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Rota;

/// <summary>A person a rota names, with what decides whether they may be put on duty.</summary>
public sealed record RotaPerson(Guid Id, string DisplayName, IReadOnlySet<Guid> SchoolIds, IReadOnlySet<string> Roles)
{
    /// <summary>Moderators, administrators and headteachers review items; DSLs and authors are not put on a rota.</summary>
    public bool MayModerate => Roles.Overlaps(Accounts.Roles.Reviewers);

    public bool BelongsToAll(IEnumerable<Guid> schoolIds) => schoolIds.All(SchoolIds.Contains);
}

/// <summary>
/// Who a rota may put on duty. Anyone on duty for a rota gets the items of every school it covers, so they must belong
/// to all of them (tenancy: a person sees only their schools' items) and hold a role that reviews items.
/// </summary>
public static class RotaStaff
{
    /// <summary>The people among <paramref name="userIds"/> that exist, with their schools and roles (three queries).</summary>
    public static async Task<Dictionary<Guid, RotaPerson>> LoadAsync(ModerationDbContext db, IEnumerable<Guid> userIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = userIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var users = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(ct);
        var schools = await db.Memberships.AsNoTracking().Where(m => ids.Contains(m.UserId)).ToListAsync(ct);
        var roles = await db.UserRoles.AsNoTracking().Where(ur => ids.Contains(ur.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name }).ToListAsync(ct);
        return users.ToDictionary(
            u => u.Id,
            u => new RotaPerson(
                u.Id,
                u.DisplayName,
                schools.Where(m => m.UserId == u.Id).Select(m => m.SchoolId).ToHashSet(),
                roles.Where(r => r.UserId == u.Id && r.Name is not null).Select(r => r.Name!).ToHashSet(StringComparer.Ordinal)));
    }

    /// <summary>
    /// Why <paramref name="userId"/> cannot be put on duty for <paramref name="schoolIds"/>, as <paramref name="what"/>
    /// ("a member of 'Weekday'", "the cover"); null if they can. Someone unknown and someone from another school get the
    /// same words, so the answer says nothing about other schools' staff.
    /// </summary>
    public static string? Problem(IReadOnlyDictionary<Guid, RotaPerson> people, Guid userId, IReadOnlyCollection<Guid> schoolIds, string what)
    {
        ArgumentNullException.ThrowIfNull(people);
        if (!people.TryGetValue(userId, out var person) || !person.BelongsToAll(schoolIds))
        {
            return schoolIds.Count == 1
                ? $"{Capitalise(what)}: {userId} is not on the staff of the school this rota covers."
                : $"{Capitalise(what)}: {userId} is not on the staff of every school this rota covers.";
        }

        return person.MayModerate
            ? null
            : $"{Capitalise(what)}: {person.DisplayName} is not a moderator, administrator or headteacher.";
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
