using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Consent;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web;

/// <summary>
/// One consent reconciliation run: its progress while it runs (the page polls <c>?handler=Status</c>) and then its
/// report: what changed, what was screened again, what was taken down, and what needs a person.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class ConsentRunModel(StaffResolver staff, ModerationDbContext db) : PageModel
{
    public ReconciliationRunDto Run { get; private set; } = null!;

    public string School { get; private set; } = "";

    public Guid SchoolId { get; private set; }

    public int ProgressTotal { get; private set; }

    public bool Active => Run.Status is nameof(ReconciliationStatus.Queued) or nameof(ReconciliationStatus.Running);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var run = await FindAsync(id, ct);
        if (run is null)
        {
            return NotFound();
        }

        Run = run.ToDto();
        ProgressTotal = run.ProgressTotal;
        SchoolId = run.SchoolId;
        School = await db.Schools.Where(s => s.Id == run.SchoolId).Select(s => s.Name).FirstAsync(ct);
        return Page();
    }

    /// <summary>What the page's script polls: where the run has got to, in numbers and words.</summary>
    public async Task<IActionResult> OnGetStatusAsync(Guid id, CancellationToken ct)
    {
        var run = await FindAsync(id, ct);
        if (run is null)
        {
            return NotFound();
        }

        var finished = run.Status is not (ReconciliationStatus.Queued or ReconciliationStatus.Running);
        return new JsonResult(new { status = run.Status.ToString(), phase = run.Phase.ToString(), done = run.ProgressDone, total = run.ProgressTotal, finished, text = Describe(run.Status, run.Phase, run.ProgressDone, run.ProgressTotal) });
    }

    public static string Describe(ReconciliationStatus status, ReconciliationPhase phase, int done, int total) => status switch
    {
        ReconciliationStatus.Queued => "Waiting for a worker to start it…",
        ReconciliationStatus.Running => phase switch
        {
            ReconciliationPhase.Start => "Reading the consent list and comparing it with the last run…",
            ReconciliationPhase.Diffed => total > 0 ? $"Checking queued photos: {done} of {total}…" : $"Checking queued photos ({done} items checked so far)…",
            ReconciliationPhase.Rescreened => total > 0 ? $"Checking published posts: {done} of {total}…" : $"Checking published posts ({done} items checked so far)…",
            _ => "Writing the report…",
        },
        ReconciliationStatus.Succeeded => "Finished.",
        ReconciliationStatus.Rejected => "The file had errors; nothing was applied.",
        _ => "The run failed.",
    };

    public static ReconciliationStatus StatusOf(string status) => Enum.Parse<ReconciliationStatus>(status);

    public static ReconciliationPhase PhaseOf(string phase) => Enum.Parse<ReconciliationPhase>(phase);

    private async Task<ConsentReconciliationRun?> FindAsync(Guid id, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var run = await db.ConsentReconciliationRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return run is not null && me.BelongsTo(run.SchoolId) ? run : null;
    }
}
