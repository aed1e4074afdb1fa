using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Consent;
using Moderation.Domain.Consent;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Web;

/// <summary>
/// Administrators: the school's roster and consent list, a CSV import that shows its changes (a dry run of the same
/// <see cref="RosterImport"/>) before anything is applied, and consent reconciliation runs, started on demand.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy, AuthenticationSchemes = WebSetup.Scheme)]
[RequestFormLimits(ValueLengthLimit = (int)ConsentApi.MaxRosterBytes * 2, MultipartBodyLengthLimit = ConsentApi.MaxRosterBytes + 64 * 1024)]
[RequestSizeLimit(ConsentApi.MaxRosterBytes * 2 + 64 * 1024)]
public sealed class ConsentModel(StaffResolver staff, ModerationDbContext db, RosterImport import, ConsentReconciler reconciler) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? School { get; set; }

    public IReadOnlyList<SchoolSummary> Schools { get; private set; } = [];

    public SchoolSummary? Current { get; private set; }

    public sealed record ChannelCounts(ConsentChannel Channel, int Granted, int Restricted, int Objected, int NeverPublish);

    public int Pupils { get; private set; }

    public IReadOnlyList<ChannelCounts> Channels { get; private set; } = [];

    public IReadOnlyList<ReconciliationRunDto> Runs { get; private set; } = [];

    /// <summary>After "Check the file": what applying it would change (nothing has been applied), or its row errors.</summary>
    public RosterImportReport? Preview { get; private set; }

    /// <summary>After "Apply": what was applied.</summary>
    public RosterImportReport? Applied { get; private set; }

    public string? FileName { get; private set; }

    /// <summary>The checked file in base64 (a form would change its line endings), sent back with "Apply" so exactly what was previewed is applied.</summary>
    public string? Csv { get; private set; }

    public string? Digest { get; private set; }

    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostPreviewAsync(IFormFile? file, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!await LoadAsync(ct) || Current is null)
        {
            return NotFound();
        }

        if (file is null || file.Length == 0)
        {
            return Fail("Choose the CSV file exported from the MIS.");
        }

        if (file.Length > ConsentApi.MaxRosterBytes)
        {
            return Fail($"A roster file may be at most {ConsentApi.MaxRosterBytes / (1024 * 1024)} MB.");
        }

        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        FileName = Path.GetFileName(file.FileName);
        Preview = await import.ImportAsync(Current.Id, me.AsActor(), new StringReader(text), dryRun: true, ct);
        if (Preview.Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        Csv = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        Digest = DigestOf(text);
        return Page();
    }

    public async Task<IActionResult> OnPostApplyAsync(string? csv, string? digest, string? fileName, bool reconcile, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!await LoadAsync(ct) || Current is null)
        {
            return NotFound();
        }

        FileName = fileName;
        var text = Decode(csv);
        if (text is null || digest != DigestOf(text))
        {
            return Fail("The checked file did not arrive intact; nothing was applied. Choose the file and check it again.");
        }

        var report = await import.ImportAsync(Current.Id, me.AsActor(), new StringReader(text), dryRun: false, ct);
        if (report.Errors.Count > 0)
        {
            Preview = report;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        var applied = report.Changed
            ? $"Applied {FileName}: {report.PupilsAdded} pupils added, {report.PupilsUpdated} updated, {report.ConsentsAdded} consents added, {report.ConsentsUpdated} changed."
            : $"{FileName} changed nothing: the list already matched it.";
        if (!reconcile)
        {
            TempData["Message"] = applied + " Published and queued photos are checked against it tonight, or with “Run now”.";
            return RedirectToPage(new { school = Current.Id });
        }

        var (outcome, run) = await reconciler.StartAsync(Current.Id, ReconciliationTrigger.OnDemand, $"after importing {FileName}", me.Name, null, ct, publish: true);
        TempData["Message"] = outcome == StartOutcome.Started
            ? applied + " Photos are being checked against the new list."
            : applied + " A reconciliation was already running; it is shown here. Start another when it has finished.";
        return Redirect($"/consent/runs/{run.Id}");
    }

    public async Task<IActionResult> OnPostRunAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!await LoadAsync(ct) || Current is null)
        {
            return NotFound();
        }

        var (outcome, run) = await reconciler.StartAsync(Current.Id, ReconciliationTrigger.OnDemand, "the current consent list", me.Name, null, ct, publish: true);
        TempData["Message"] = outcome == StartOutcome.Started
            ? "The reconciliation has started."
            : "A reconciliation is already running for this school; here it is.";
        return Redirect($"/consent/runs/{run.Id}");
    }

    private static string? Decode(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return null;
        }

        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written) : null;
    }

    public static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    public static string DigestOf(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static IEnumerable<RosterChange> Of(RosterImportReport report, params RosterChangeKind[] kinds) =>
        (report.Details ?? []).Where(d => kinds.Contains(d.Kind));

    private PageResult Fail(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>The administrator's schools, the chosen one's list and runs; false when the school asked for is not theirs.</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        Schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name)
            .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name)).ToListAsync(ct);
        if (School is { } asked && Schools.All(s => s.Id != asked))
        {
            return false;
        }

        Current = Schools.FirstOrDefault(s => s.Id == School) ?? Schools.FirstOrDefault();
        if (Current is null)
        {
            return true;
        }

        School = Current.Id;
        var schoolId = Current.Id;
        Pupils = await db.Pupils.CountAsync(p => p.SchoolId == schoolId, ct);
        var counts = await db.Consents.AsNoTracking()
            .Where(c => db.Pupils.Any(p => p.Id == c.PupilId && p.SchoolId == schoolId))
            .GroupBy(c => new { c.Channel, c.Status, c.NeverPublish })
            .Select(g => new { g.Key.Channel, g.Key.Status, g.Key.NeverPublish, Count = g.Count() })
            .ToListAsync(ct);
        Channels = [.. Enum.GetValues<ConsentChannel>().Select(ch => new ChannelCounts(
            ch,
            counts.Where(c => c.Channel == ch && c.Status == ConsentStatus.Granted && !c.NeverPublish).Sum(c => c.Count),
            counts.Where(c => c.Channel == ch && c.Status == ConsentStatus.Restricted && !c.NeverPublish).Sum(c => c.Count),
            counts.Where(c => c.Channel == ch && c.Status == ConsentStatus.Objected && !c.NeverPublish).Sum(c => c.Count),
            counts.Where(c => c.Channel == ch && c.NeverPublish).Sum(c => c.Count)))];
        var runs = await db.ConsentReconciliationRuns.AsNoTracking().Where(r => r.SchoolId == schoolId)
            .OrderByDescending(r => r.CreatedAt).Take(50).ToListAsync(ct);
        Runs = [.. runs.Select(r => r.ToDto(withReport: false))];
        return true;
    }
}
