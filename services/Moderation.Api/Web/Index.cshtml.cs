using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Queue;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Presence;
using Moderation.Domain.Schools;
using System.Text.Json;

namespace Moderation.Api.Web;

[Authorize(Policy = AccountsSetup.QueuePolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class QueueModel(StaffResolver staff, QueueQueries queries, ModerationDbContext db, ItemPresence presence, BulkDecisions bulk, SchoolScope scope) : PageModel
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly CultureInfo s_british = CultureInfo.GetCultureInfo("en-GB");

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

    [BindProperty(SupportsGet = true)]
    public Guid? Account { get; set; }

    [BindProperty(SupportsGet = true)]
    public ScreeningFilter? Screening { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Overdue { get; set; }

    /// <summary>The rows that screened clear and may be ticked for a bulk decision (ADR 0503).</summary>
    public IReadOnlySet<Guid> ClearIds { get; private set; } = new HashSet<Guid>();

    /// <summary>The rows where screening found something a person must look at.</summary>
    public IReadOnlySet<Guid> FlaggedIds { get; private set; } = new HashSet<Guid>();

    /// <summary>Who else has each row's item open.</summary>
    public IReadOnlyDictionary<Guid, IReadOnlyList<Viewer>> Viewing { get; private set; } = new Dictionary<Guid, IReadOnlyList<Viewer>>();

    public IReadOnlyList<AccountOption> Accounts { get; private set; } = [];

    /// <summary>Whether the signed-in person may approve and reject at all (bulk bar shown).</summary>
    public bool CanDecide { get; private set; }

    public string Fingerprint { get; private set; } = "";

    /// <summary>The outcome of the last bulk decision, per item, after the redirect.</summary>
    public BulkReport? Report { get; private set; }

    [BindProperty(Name = "page", SupportsGet = true)]
    public int PageNumber { get; set; } = 1;

    private const int PageSize = 25;

    public QueuePage Results { get; private set; } = null!;

    public IReadOnlyList<SchoolSummary> Schools { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!Request.Query.ContainsKey("school"))
        {
            // The school chosen in the header's switcher, unless the link names one (ADR 0505).
            School = (await scope.CurrentAsync(User, ct))?.Id;
        }

        Schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name)
            .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name)).ToListAsync(ct);
        Accounts = await db.SocialAccounts.AsNoTracking().Where(a => me.SchoolIds.Contains(a.SchoolId)).OrderBy(a => a.Platform).ThenBy(a => a.Handle)
            .Select(a => new AccountOption(a.Id, a.SchoolId, a.Platform, a.Handle)).ToListAsync(ct);
        var page = await queries.ListAsync(me, Filter(), ct);
        if (page is null)
        {
            return NotFound();
        }

        Results = page;
        Fingerprint = QueueLiveApi.Fingerprint(page);
        CanDecide = me.IsInAny(Roles.Reviewers);
        var ids = page.Items.Select(i => i.Id).ToList();
        var facts = await QueueClearance.FactsAsync(db, ids, me.SchoolIds, ct);
        ClearIds = facts.Values.Where(f => QueueClearance.Refusals(f).Count == 0).Select(f => f.Id).ToHashSet();
        FlaggedIds = facts.Values.Where(QueueClearance.IsFlagged).Select(f => f.Id).ToHashSet();
        Viewing = await presence.OthersViewingAsync(ids, me, ct);
        if (TempData["BulkReport"] is string json)
        {
            Report = JsonSerializer.Deserialize<BulkReport>(json);
        }

        return Page();
    }

    /// <summary>The bulk bar: approve or reject the ticked rows. The server checks each one again.</summary>
    public async Task<IActionResult> OnPostBulkAsync(BulkVerb verb, List<Guid> ids, RejectionReason? reason, string? note, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        // The page shows at most a page of rows, and the per-item report travels in TempData (a cookie): keep it small.
        var problem = ids.Count > PageSize ? $"At most {PageSize} items at once from this page." : BulkDecisions.Validate(verb, ids, reason, note);
        if (problem is not null)
        {
            TempData["Message"] = problem;
            return Redirect(LinkTo(State, PageNumber));
        }

        var result = await bulk.DecideAsync(me, verb, ids, reason, note, ct);
        var excerpts = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id) && me.SchoolIds.Contains(i.SchoolId))
            .Select(i => new { i.Id, Text = i.RedactedText ?? "" }).ToDictionaryAsync(i => i.Id, i => i.Text, ct);
        var report = new BulkReport(
            verb == BulkVerb.Approve ? "Approved" : "Rejected",
            result.Decided,
            result.Refused,
            [.. result.Items.Select(r => new BulkReportLine(r.ItemId, Shorten(excerpts.GetValueOrDefault(r.ItemId, "")), r.Done, r.Detail))]);
        TempData["BulkReport"] = JsonSerializer.Serialize(report);
        return Redirect(LinkTo(State, PageNumber));
    }

    private QueueFilter Filter() =>
        new(School, State, Kind, Platform, AssignedToMe, Math.Max(1, PageNumber), PageSize) { Account = Account, Screening = Screening, Overdue = Overdue };

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    public string SchoolName(Guid id) => Schools.FirstOrDefault(s => s.Id == id)?.Name ?? "";

    public string LinkTo(ItemState? state, int page = 1)
    {
        var query = new Dictionary<string, string?>
        {
            ["state"] = state?.ToString(),
            ["school"] = School?.ToString(),
            ["kind"] = Kind?.ToString(),
            ["platform"] = Platform?.ToString(),
            ["account"] = Account?.ToString(),
            ["screening"] = Screening?.ToString(),
            ["overdue"] = Overdue ? "true" : null,
            ["assignedToMe"] = AssignedToMe ? "true" : null,
            ["page"] = page > 1 ? page.ToString(CultureInfo.InvariantCulture) : null,
        };
        var parts = query.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value!)}");
        return "/?" + string.Join("&", parts);
    }

    /// <summary>The polling address for this page's filter (same query string as the page itself).</summary>
    public string LiveUrl() => "/api/items/live" + LinkTo(State, PageNumber)[1..];

    public static string London(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, s_london).ToString("ddd d MMM, HH:mm", s_british);

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

public sealed record AccountOption(Guid Id, Guid SchoolId, Platform Platform, string Handle);

public sealed record BulkReportLine(Guid ItemId, string Excerpt, bool Done, string Detail);

public sealed record BulkReport(string Verb, int Decided, int Refused, IReadOnlyList<BulkReportLine> Lines);
