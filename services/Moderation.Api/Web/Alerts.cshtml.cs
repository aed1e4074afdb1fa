using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Routing;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Web;

/// <summary>
/// Routing alerts, for the people routing tells of them (a school's administrators and its headteacher): an item
/// nobody could take, a rota with nobody on duty, everyone at their cap. Each open alert says what happened and to how
/// many items, and is resolved here with a note of what was done, as <c>POST /api/schools/ID/alerts/ID/resolve</c>
/// does. The switcher's school, or all of the person's schools.
/// </summary>
[Authorize(Policy = AccountsSetup.AlertsPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class AlertsModel(StaffResolver staff, SchoolScope scope, ModerationDbContext db, TimeProvider time) : PageModel
{
    public const int Shown = 200;

    /// <summary>Resolved alerts too, not only the open ones.</summary>
    [BindProperty(SupportsGet = true)]
    public bool All { get; set; }

    public IReadOnlyList<RoutingAlert> Alerts { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> SchoolNames { get; private set; } = new Dictionary<Guid, string>();

    public IReadOnlyDictionary<Guid, string> ResolverNames { get; private set; } = new Dictionary<Guid, string>();

    /// <summary>Why the last resolution was refused, shown above the list; nothing was written.</summary>
    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostResolveAsync(Guid id, string? resolution, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var outcome = await RoutingAlerts.ResolveAsync(db, me, null, id, resolution, time.GetUtcNow(), ct);
        switch (outcome.Kind)
        {
            case OutcomeKind.Ok:
                TempData["Message"] = "Alert resolved.";
                return RedirectToPage(new { all = All ? true : (bool?)null });
            case OutcomeKind.NotFound:
                return NotFound();
            default:
                Error = outcome.Detail;
                Response.StatusCode = outcome.Kind == OutcomeKind.Invalid ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
                db.ChangeTracker.Clear();
                await LoadAsync(ct);
                return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var schools = await scope.SchoolsAsync(User, ct);
        var current = await scope.CurrentAsync(User, ct);
        SchoolNames = schools.ToDictionary(s => s.Id, s => s.Name);
        Alerts = await RoutingAlerts.ListAsync(db, current is null ? [.. schools.Select(s => s.Id)] : [current.Id], open: !All, Shown, ct);
        var resolvers = Alerts.Select(a => a.ResolvedById).OfType<Guid>().Distinct().ToArray();
        ResolverNames = resolvers.Length == 0
            ? new Dictionary<Guid, string>()
            : await db.Users.AsNoTracking().Where(u => resolvers.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    /// <summary>An alert's causes as people read them.</summary>
    public static IEnumerable<string> Causes(string reasons) =>
        reasons.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(r => Enum.TryParse<AlertReasons>(r, out var reason)
            ? reason switch
            {
                AlertReasons.NobodyOnDuty => "Nobody on duty",
                AlertReasons.EveryoneAtCap => "Everyone on duty at their cap",
                AlertReasons.EveryoneOnDutyTried => "Everyone on duty has had it",
                AlertReasons.ReachedHeadteacher => "Reached the headteacher",
                AlertReasons.SafeguardingLeadsUnavailable => "No DSL or deputy available",
                AlertReasons.RoutesExhausted => "Every route tried",
                AlertReasons.NoOwner => "Nobody can hold it",
                AlertReasons.RepeatLimitReached => "Overdue too often",
                _ => r,
            }
            : r);
}
