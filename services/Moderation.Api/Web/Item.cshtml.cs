using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Queue;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web;

[Authorize(Policy = AccountsSetup.QueuePolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class ItemModel(StaffResolver staff, QueueQueries queries, ItemDecisions decisions, ModerationDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public ItemDetail Item { get; private set; } = null!;

    public Guid Me { get; private set; }

    public bool CanDecide { get; private set; }

    /// <summary>A platform action in the words a member of staff would use.</summary>
    public string Describe(PlatformAction action) => action switch
    {
        PlatformAction.Unhide => "show it again",
        PlatformAction.Hide => "hide it",
        PlatformAction.Delete => "delete it",
        PlatformAction.Publish => Item.Kind == ItemKind.OutboundDraft ? "publish it" : "publish it (approve the held comment)",
        _ => "change nothing",
    };

    public bool CanEscalate { get; private set; }

    /// <summary>The caller wrote this draft: they may not decide it, and the page says so instead of offering it.</summary>
    public bool OwnDraft => Item.Kind == ItemKind.OutboundDraft && Item.DraftAuthorId == Me;

    /// <summary>A draft's accounts, as "Platform (handle)".</summary>
    public IReadOnlyList<string> Targets { get; private set; } = [];

    public string? Error { get; private set; }

    public bool CanRevealOriginal { get; private set; }

    /// <summary>The sealed original text, only after a reveal with a reason (audited).</summary>
    public string? Original { get; private set; }

    public const string PupilNameCategory = "PupilName";

    /// <summary>The text's findings and its redacted names, both placed on the redacted text, for highlighting.</summary>
    public IReadOnlyList<FindingDto> Marks =>
    [
        .. Item.Findings.Where(f => f.MediaId is null),
        .. Item.Redactions.Select(r => new FindingDto(
            PupilNameCategory, "redacted", Domain.Screening.FindingSeverity.Info, r.Offset, r.Length,
            "A pupil's name, redacted under the school's name policy.", null)),
    ];

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostApproveAsync(string? text, uint? version, CancellationToken ct) =>
        ActAsync(me => decisions.ApproveAsync(Id, me, Edited(text, Item.Text), version, ct), "Approved.", ct);

    public Task<IActionResult> OnPostRejectAsync(RejectionReason? reason, string? note, uint? version, CancellationToken ct) =>
        reason is { } r
            ? ActAsync(me => decisions.RejectAsync(Id, me, r, note, version, ct), "Rejected.", ct)
            : FailAsync("Choose a reason for the rejection.", ct);

    public Task<IActionResult> OnPostEscalateAsync(string? reason, CancellationToken ct) =>
        ActAsync(me => decisions.EscalateAsync(Id, me, reason ?? "", ct), "Escalated to the headteacher and DSL.", ct);

    public async Task<IActionResult> OnPostRevealAsync(string? reason, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var outcome = await decisions.RevealOriginalAsync(Id, me, reason ?? "", ct);
        if (outcome.Kind == OutcomeKind.NotFound)
        {
            return NotFound();
        }

        if (outcome.Kind != OutcomeKind.Ok)
        {
            return await FailAsync(outcome.Detail ?? "The original could not be shown.", ct);
        }

        var result = await LoadAsync(ct);
        Original = outcome.Item?.Text;
        return result;
    }

    public Task<IActionResult> OnPostClaimAsync(CancellationToken ct) =>
        ActAsync(me => decisions.ClaimAsync(Id, me, ct), "Claimed for 15 minutes.", ct);

    // Browsers send textarea line breaks as CRLF; an untouched text is not an edit.
    private static string? Edited(string? submitted, string original) =>
        submitted is null || submitted.ReplaceLineEndings("\n") == original.ReplaceLineEndings("\n") ? null : submitted;

    /// <summary>The text, encoded, with each flagged run in a &lt;mark&gt; that names what screening found.</summary>
    public static HtmlString Highlight(string text, IReadOnlyList<FindingDto> findings)
    {
        var html = new StringBuilder();
        foreach (var (segment, finding) in Segments(text, findings))
        {
            var encoded = HtmlEncoder.Default.Encode(segment);
            html.Append(finding is null
                ? encoded
                : $"<mark class=\"{(finding.Category == PupilNameCategory ? "redacted" : finding.Severity.ToString().ToLowerInvariant())}\" title=\"{HtmlEncoder.Default.Encode($"{finding.Category}: {finding.Explanation}")}\">{encoded}</mark>");
        }

        return new HtmlString(html.ToString());
    }

    /// <summary>Splits the text into plain runs and the runs screening flagged, for highlighting.</summary>
    public static IEnumerable<(string Segment, FindingDto? Finding)> Segments(string text, IReadOnlyList<FindingDto> findings)
    {
        var at = 0;
        foreach (var f in findings.Where(f => f.Length > 0 && f.Offset >= 0 && f.Offset + f.Length <= text.Length).OrderBy(f => f.Offset))
        {
            if (f.Offset < at)
            {
                continue; // overlaps one already highlighted
            }

            if (f.Offset > at)
            {
                yield return (text[at..f.Offset], null);
            }

            yield return (text.Substring(f.Offset, f.Length), f);
            at = f.Offset + f.Length;
        }

        if (at < text.Length)
        {
            yield return (text[at..], null);
        }
    }

    private async Task<IActionResult> ActAsync(Func<StaffMember, Task<Outcome>> act, string done, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var detail = await queries.GetAsync(me, Id, ct);
        if (detail is null)
        {
            return NotFound();
        }

        Item = detail;
        var outcome = await act(me);
        if (outcome.Kind == OutcomeKind.Ok)
        {
            TempData["Message"] = done;
            return RedirectToPage(new { id = Id });
        }

        if (outcome.Kind == OutcomeKind.NotFound)
        {
            return NotFound();
        }

        return await FailAsync(outcome.Detail ?? "That could not be done.", ct);
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status409Conflict;
        return await LoadAsync(ct);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var detail = await queries.GetAsync(me, Id, ct);
        if (detail is null)
        {
            return NotFound();
        }

        Item = detail;
        Me = me.UserId;
        var probe = new ModerationItem { Text = "", Kind = detail.Kind, State = detail.State, DraftAuthorId = detail.DraftAuthorId };
        CanDecide = detail.State is ItemState.AwaitingReview or ItemState.Escalated && ItemDecisions.MayDecide(probe, me) is null;
        CanEscalate = detail.State == ItemState.AwaitingReview;
        CanRevealOriginal = detail.TextRedacted && me.IsInAny(Roles.OriginalReaders);
        if (detail.TargetAccountIds.Count > 0)
        {
            var ids = detail.TargetAccountIds;
            Targets = await db.SocialAccounts.AsNoTracking()
                .Where(a => ids.Contains(a.Id)).OrderBy(a => a.Platform).Select(a => a.Platform + " (" + a.Handle + ")")
                .ToListAsync(ct);
        }

        return Page();
    }
}
