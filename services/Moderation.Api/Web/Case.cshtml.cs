using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Web;

/// <summary>
/// One safeguarding case: acknowledge, confidential notes, referrals with each agency's guidance, the evidence
/// export, legal hold, and closure with a second person's sign-off, all through <see cref="CaseCommands"/>. A case
/// the caller may not see, and the page for anyone outside the safeguarding roles, answer 404.
/// </summary>
[Authorize(AuthenticationSchemes = WebSetup.Scheme)]
public sealed class CaseModel(StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time) : PageModel
{
    private static readonly TimeZoneInfo s_london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public CaseDto Case { get; private set; } = null!;

    public Guid Me { get; private set; }

    /// <summary>The flagged content, shown only behind a content warning.</summary>
    public string? ItemText { get; private set; }

    public IReadOnlyList<NoteDto> Notes { get; private set; } = [];

    public IReadOnlyList<ReferralDto> Referrals { get; private set; } = [];

    public IReadOnlyList<(AgencyGuidance Guidance, bool Suggested, bool Made)> Agencies { get; private set; } = [];

    public string? Error { get; private set; }

    /// <summary>Now in London, as a datetime-local field's value.</summary>
    public string NowLocal => TimeZoneInfo.ConvertTime(time.GetUtcNow(), s_london).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostAcknowledgeAsync(CancellationToken ct) =>
        ActAsync(me => commands.AcknowledgeAsync(Id, me, ct), "Acknowledged: you own this case now.", ct);

    public Task<IActionResult> OnPostNoteAsync(string? text, CancellationToken ct) =>
        Required(text, CaseCommands.MaxNoteLength, "Write the note first.") ??
        ActAsync(async me => (await commands.AddNoteAsync(Id, me, text!, ct)).Outcome, "Note added.", ct);

    public Task<IActionResult> OnPostReferralAsync(ReferralAgency? agency, DateTime? madeAt, string? reference, string? outcome, CancellationToken ct)
    {
        if (agency is null || !Enum.IsDefined(agency.Value) || madeAt is null)
        {
            return FailAsync("Choose the agency and say when the referral was made.", ct);
        }

        if (reference is { Length: > SafeguardingApi.MaxReferenceLength } || outcome is { Length: > CaseCommands.MaxSummaryLength })
        {
            return FailAsync($"A reference is at most {SafeguardingApi.MaxReferenceLength} characters; an outcome at most {CaseCommands.MaxSummaryLength}.", ct);
        }

        var local = DateTime.SpecifyKind(madeAt.Value, DateTimeKind.Unspecified);
        var at = new DateTimeOffset(local, s_london.GetUtcOffset(local));
        return ActAsync(async me => (await commands.AddReferralAsync(Id, me, agency.Value, at, Blank(reference), Blank(outcome), ct)).Outcome,
            "Referral recorded.", ct);
    }

    public Task<IActionResult> OnPostHoldAsync(string? reason, CancellationToken ct) =>
        Required(reason, CaseCommands.MaxReasonLength, "Say why the case is put under legal hold.") ??
        ActAsync(me => commands.SetLegalHoldAsync(Id, me, true, reason!, ct), "The case is under legal hold.", ct);

    public Task<IActionResult> OnPostReleaseAsync(string? reason, CancellationToken ct) =>
        Required(reason, CaseCommands.MaxReasonLength, "Say why the legal hold ends.") ??
        ActAsync(me => commands.SetLegalHoldAsync(Id, me, false, reason!, ct), "The legal hold is released.", ct);

    public Task<IActionResult> OnPostCloseAsync(string? outcome, CancellationToken ct) =>
        Required(outcome, CaseCommands.MaxSummaryLength, "Say how the case ended and what was done.") ??
        ActAsync(me => commands.RequestClosureAsync(Id, me, outcome!, ct), "Closure requested: a second person must sign it off.", ct);

    public Task<IActionResult> OnPostSignOffAsync(CancellationToken ct) =>
        ActAsync(me => commands.SignOffClosureAsync(Id, me, ct), "Closure signed off: the case is closed.", ct);

    public Task<IActionResult> OnPostWithdrawAsync(CancellationToken ct) =>
        ActAsync(me => commands.WithdrawClosureAsync(Id, me, ct), "Closure request withdrawn.", ct);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private Task<IActionResult>? Required(string? text, int max, string message) =>
        string.IsNullOrWhiteSpace(text) || text.Length > max ? FailAsync($"{message} At most {max} characters.", CancellationToken.None) : null;

    private async Task<IActionResult> ActAsync(Func<StaffMember, Task<CaseOutcome>> act, string done, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!me.IsInAny(SafeguardingModel.PageRoles) || await commands.FindVisibleAsync(Id, me, ct) is null)
        {
            return NotFound();
        }

        var outcome = await act(me);
        if (outcome.Kind == OutcomeKind.Ok)
        {
            TempData["Message"] = done;
            return RedirectToPage(new { id = Id });
        }

        return outcome.Kind == OutcomeKind.NotFound ? NotFound() : await FailAsync(outcome.Detail ?? "That could not be done.", ct);
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct)
    {
        Error = error;
        var page = await LoadAsync(ct);
        if (page is PageResult)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
        }

        return page;
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var found = me.IsInAny(SafeguardingModel.PageRoles) ? await commands.FindVisibleAsync(Id, me, ct) : null;
        if (found is null)
        {
            return NotFound();
        }

        Me = me.UserId;
        Case = await SafeguardingApi.ToDtoAsync(db, found, time, ct);
        Notes = await SafeguardingApi.NotesOfAsync(db, found.Id, ct);
        Referrals = await SafeguardingApi.ReferralsOfAsync(db, found.Id, ct);
        ItemText = found.ItemId is { } itemId ? await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => i.Text).FirstOrDefaultAsync(ct) : null;
        var suggested = Case.SuggestedReferrals.ToDictionary(s => s.Agency, s => s.Made);
        var made = Referrals.Select(r => r.Agency).ToHashSet();
        Agencies = [.. ReferralGuidance.All
            .Select(g => (g, suggested.ContainsKey(g.Agency), made.Contains(g.Agency)))
            .OrderByDescending(x => x.Item2)];
        return Page();
    }
}
