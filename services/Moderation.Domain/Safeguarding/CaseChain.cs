using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;

namespace Moderation.Domain.Safeguarding;

/// <summary>One step of a case's acknowledgement chain: everyone on it is told, the first holds the case.</summary>
public sealed record ChainStep(string Role, IReadOnlyList<Guid> People);

/// <summary>The school's people a case can go to, by what they are for safeguarding.</summary>
public sealed record SafeguardingPeople(
    IReadOnlyList<Guid> Dsls,
    IReadOnlyList<Guid> Deputies,
    IReadOnlyList<Guid> Headteachers,
    IReadOnlyList<Guid> Chairs,
    IReadOnlyDictionary<Guid, string> Names)
{
    public string NameOf(Guid? id) => id is { } v && Names.TryGetValue(v, out var n) ? n : "nobody";

    /// <summary>The DSLs are the routing settings' DSLs (or the DSL role); deputies are the settings' deputies and the DeputyDSL role.</summary>
    public static async Task<SafeguardingPeople> LoadAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        var routing = await SchoolRouting.LoadAsync(db, schoolId, ct);
        List<Guid> Holding(string role) => [.. routing.Staff.Values.Where(s => s.Roles.Contains(role)).Select(s => s.UserId)];
        return new SafeguardingPeople(
            routing.Leads.Dsls,
            [.. routing.Leads.Deputies.Concat(Holding(Roles.DeputyDsl)).Distinct()],
            Holding(Roles.Headteacher),
            Holding(Roles.ChairOfGovernors),
            routing.Staff.ToDictionary(s => s.Key, s => s.Value.Name));
    }
}

/// <summary>A school's safeguarding settings, school hours and people, and the chain a case takes through them.</summary>
public sealed record CaseRoute(SafeguardingSettings Settings, IReadOnlyList<Rota.Scheduling.WeeklyWindow> SchoolHours, SafeguardingPeople People, IReadOnlyList<ChainStep> Steps)
{
    /// <summary>The chain of a case of <paramref name="category"/> raised at <paramref name="raisedAt"/> (in or out of school hours then).</summary>
    public static async Task<CaseRoute> LoadAsync(ModerationDbContext db, Guid schoolId, string category, bool aboutHeadteacher, DateTimeOffset raisedAt, CancellationToken ct)
    {
        var settings = await CaseCommands.SettingsAsync(db, schoolId, ct);
        var schoolHours = (await SchoolRouting.SettingsAsync(db, schoolId, ct)).SchoolHours;
        var people = await SafeguardingPeople.LoadAsync(db, schoolId, ct);
        var steps = CaseChain.Steps(category, aboutHeadteacher, !DueTimeCalculator.InSchoolHours(raisedAt, schoolHours), people, settings);
        return new CaseRoute(settings, schoolHours, people, steps);
    }

    public static Task<CaseRoute> LoadAsync(ModerationDbContext db, SafeguardingCase c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        return LoadAsync(db, c.SchoolId, c.Category, c.AboutHeadteacher, c.RaisedAt, ct);
    }

    /// <summary>The first person on the chain, who holds a new case.</summary>
    public Guid? FirstOwner => Steps.Count > 0 ? Steps[0].People[0] : null;
}

/// <summary>
/// Who a case goes to, step by step, when nobody acknowledges it in time: the DSL, the deputy DSL, then the
/// headteacher. An allegation against staff or a complaint starts with the headteacher; an allegation about the
/// headteacher goes to the chair of governors and never to the headteacher. Outside school hours the school's on-call
/// people come first. Pure: tests call it with any clock.
/// </summary>
public static class CaseChain
{
    public static IReadOnlyList<ChainStep> Steps(string category, bool aboutHeadteacher, bool outOfHours, SafeguardingPeople people, SafeguardingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(settings);
        var dsl = new ChainStep("DSL", people.Dsls);
        var deputy = new ChainStep("deputy DSL", people.Deputies);
        var head = new ChainStep("headteacher", people.Headteachers);
        IEnumerable<ChainStep> steps = aboutHeadteacher
            ? [new ChainStep("chair of governors", people.Chairs), dsl, deputy]
            : CaseCategories.HeadteacherFirst(category) ? [head, dsl, deputy] : [dsl, deputy, head];
        if (outOfHours && settings.OutOfHours.OnCall.Count > 0)
        {
            steps = steps.Prepend(new ChainStep("on call", settings.OutOfHours.OnCall));
        }

        // The headteacher never holds a case about themselves, even when they are also on call or a DSL.
        var excluded = aboutHeadteacher ? people.Headteachers.ToHashSet() : [];
        return [.. steps.Select(s => s with { People = [.. s.People.Where(p => !excluded.Contains(p)).Distinct()] }).Where(s => s.People.Count > 0)];
    }

    /// <summary>
    /// When a case raised at <paramref name="from"/> must be acknowledged: its severity's limit in school hours; outside
    /// them the out-of-hours limit, except that low and medium cases may wait for school to open.
    /// </summary>
    public static DateTimeOffset AckDueAt(DateTimeOffset from, CaseSeverity severity, SafeguardingSettings settings, IReadOnlyList<Rota.Scheduling.WeeklyWindow> schoolHours)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var limit = settings.AcknowledgeWithin(severity);
        if (DueTimeCalculator.InSchoolHours(from, schoolHours))
        {
            return from + limit;
        }

        if (settings.OutOfHours.NonUrgentWaitForSchoolHours && severity is CaseSeverity.Low or CaseSeverity.Medium && schoolHours.Count > 0)
        {
            // When school next opens: with one tick allowed in school hours against ten years outside, the calculator
            // spends the night and is due one tick after the opening.
            var opens = DueTimeCalculator.DueAt(from, TimeSpan.FromTicks(1), TimeSpan.FromDays(3650), schoolHours) - TimeSpan.FromTicks(1);
            return opens + limit;
        }

        return from + TimeSpan.FromMinutes(settings.OutOfHours.AcknowledgeMinutes);
    }
}

/// <summary>
/// Who may see a case (ADR 0301): its school's DSLs and deputy DSLs; the headteacher, except a case about the
/// headteacher (even one who is also a DSL); the chair of governors, only a case about the headteacher. Anyone else is
/// told it does not exist.
/// </summary>
public static class CaseAccess
{
    public static bool CanSee(StaffMember staff, SafeguardingCase c)
    {
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(c);
        return staff.BelongsTo(c.SchoolId) && CanSee(staff.Roles, c.AboutHeadteacher);
    }

    public static bool CanSee(IReadOnlySet<string> roles, bool aboutHeadteacher)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var leads = roles.Contains(Roles.Dsl) || roles.Contains(Roles.DeputyDsl);
        var head = roles.Contains(Roles.Headteacher);
        return aboutHeadteacher ? !head && (leads || roles.Contains(Roles.ChairOfGovernors)) : leads || head;
    }

    /// <summary>The cases of a school the person may see, as a query filter.</summary>
    public static IQueryable<SafeguardingCase> Visible(IQueryable<SafeguardingCase> cases, StaffMember staff)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var leads = staff.Roles.Contains(Roles.Dsl) || staff.Roles.Contains(Roles.DeputyDsl);
        var head = staff.Roles.Contains(Roles.Headteacher);
        var aboutHead = !head && (leads || staff.Roles.Contains(Roles.ChairOfGovernors));
        var ordinary = leads || head;
        return cases.Where(c => staff.SchoolIds.Contains(c.SchoolId) && (c.AboutHeadteacher ? aboutHead : ordinary));
    }
}
