using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Routing;

/// <summary>A member of a school, with their roles, as routing sees them.</summary>
public sealed record SchoolStaff(Guid UserId, string Name, IReadOnlySet<string> Roles);

/// <summary>
/// A school's routing as it stands now: its settings (or the defaults), the escalation policy and safeguarding leads
/// with people taken from roles where the settings leave them out, and who is alerted.
/// </summary>
public sealed record SchoolRouting(
    Guid SchoolId,
    RoutingSettings Settings,
    EscalationPolicy Escalation,
    SafeguardingLeads Leads,
    IReadOnlyList<Guid> AlertRecipients,
    IReadOnlyDictionary<Guid, SchoolStaff> Staff)
{
    /// <summary>The saved settings of <paramref name="schoolId"/>, or the defaults.</summary>
    public static async Task<RoutingSettings> SettingsAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var json = await db.RoutingSettings.AsNoTracking().Where(s => s.SchoolId == schoolId).Select(s => s.Settings).FirstOrDefaultAsync(ct);
        return json is null ? RoutingSettings.Defaults : RoutingSettings.FromJson(json);
    }

    /// <summary>The school's members and their roles, ordered by name.</summary>
    public static async Task<IReadOnlyDictionary<Guid, SchoolStaff>> StaffAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var members = await db.Memberships.AsNoTracking().Where(m => m.SchoolId == schoolId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName })
            .ToListAsync(ct);
        var ids = members.Select(m => m.Id).ToList();
        var roles = await db.UserRoles.AsNoTracking().Where(ur => ids.Contains(ur.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        var byUser = roles.ToLookup(r => r.UserId, r => r.Name!);
        return members
            .OrderBy(m => m.DisplayName, StringComparer.Ordinal).ThenBy(m => m.Id)
            .ToDictionary(
                m => m.Id,
                m => new SchoolStaff(m.Id, m.DisplayName, byUser[m.Id].ToHashSet(StringComparer.Ordinal)));
    }

    public static async Task<SchoolRouting> LoadAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        var settings = await SettingsAsync(db, schoolId, ct);
        var staff = await StaffAsync(db, schoolId, ct);
        return Build(schoolId, settings, staff);
    }

    /// <summary>
    /// Puts the settings and the staff together. People named in the settings who have since left the school, or lost
    /// the role, are dropped, so a stale list never routes an item to someone who cannot see it.
    /// </summary>
    public static SchoolRouting Build(Guid schoolId, RoutingSettings settings, IReadOnlyDictionary<Guid, SchoolStaff> staff)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(staff);
        List<Guid> Holding(string role) => [.. staff.Values.Where(s => s.Roles.Contains(role)).Select(s => s.UserId)];
        bool Can(Guid user, IEnumerable<string> roles) => staff.TryGetValue(user, out var s) && s.Roles.Overlaps(roles);

        var levels = new List<IReadOnlyList<Guid>>();
        var configured = settings.EscalationLevels ?? [Holding(Roles.Administrator)];
        foreach (var level in configured)
        {
            var people = level.Where(u => Can(u, Roles.Reviewers)).Distinct().ToList();
            if (people.Count > 0)
            {
                levels.Add(people);
            }
        }

        var heads = Holding(Roles.Headteacher);
        if (heads.Count > 0)
        {
            levels.Add(heads);
        }

        var dsls = settings.Dsls?.Where(u => Can(u, [Roles.Dsl])).ToList() ?? Holding(Roles.Dsl);
        var deputies = settings.DeputyDsls.Where(u => Can(u, [Roles.Dsl]) && !dsls.Contains(u)).ToList();
        var alerted = staff.Values.Where(s => s.Roles.Contains(Roles.Administrator) || s.Roles.Contains(Roles.Headteacher)).Select(s => s.UserId).ToList();
        return new SchoolRouting(schoolId, settings, new EscalationPolicy(levels), new SafeguardingLeads(dsls, deputies), alerted, staff);
    }

    public string NameOf(Guid? userId) =>
        userId is { } id ? Staff.TryGetValue(id, out var s) ? s.Name : id.ToString() : "nobody";
}
