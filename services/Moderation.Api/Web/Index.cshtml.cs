using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Queue;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Web;

[Authorize(Policy = AccountsSetup.QueuePolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class QueueModel(StaffResolver staff, QueueQueries queries, ModerationDbContext db, SchoolScope scope) : PageModel
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [BindProperty(SupportsGet = true)]
    public Guid? School { get; set; }

    [BindProperty(SupportsGet = true)]
    public ItemState? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public ItemKind? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public Platform? Platform { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool AssignedToMe { get; set; }

    [BindProperty(Name = "page", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    public QueuePage Results { get; private set; } = null!;

    public IReadOnlyList<SchoolSummary> Schools { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!Request.Query.ContainsKey("school"))
        {
            // The school chosen in the header's switcher, unless the link names one (ADR 0502).
            School = (await scope.CurrentAsync(User, ct))?.Id;
        }

        Schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name)
            .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name)).ToListAsync(ct);
        var page = await queries.ListAsync(me, new QueueFilter(School, State, Kind, Platform, AssignedToMe, Math.Max(1, PageNumber), 25), ct);
        if (page is null)
        {
            return NotFound();
        }

        Results = page;
        return Page();
    }

    public string SchoolName(Guid id) => Schools.FirstOrDefault(s => s.Id == id)?.Name ?? "";

    public string LinkTo(ItemState? state, int page = 1)
    {
        var query = new Dictionary<string, string?>
        {
            ["state"] = state?.ToString(),
            ["school"] = School?.ToString(),
            ["kind"] = Kind?.ToString(),
            ["platform"] = Platform?.ToString(),
            ["assignedToMe"] = AssignedToMe ? "true" : null,
            ["page"] = page > 1 ? page.ToString(CultureInfo.InvariantCulture) : null,
        };
        var parts = query.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}");
        return "/?" + string.Join("&", parts);
    }

    public static string London(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, s_london).ToString("ddd d MMM, HH:mm", CultureInfo.GetCultureInfo("en-GB"));

    public static string Label(ItemState state) => state switch
    {
        ItemState.AwaitingReview => "Awaiting review",
        _ => state.ToString(),
    };

    public static string Label(ItemKind kind) => kind switch
    {
        ItemKind.InboundComment => "Comment",
        ItemKind.InboundVisitorPost => "Visitor post",
        _ => "Staff draft",
    };
}
