using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Web;

/// <summary>
/// The safeguarding case list, for the DSL, deputy DSL and headteacher only: anyone else gets 404, so nobody learns
/// the page exists. The same query as the safeguarding API's case list.
/// </summary>
[Authorize(AuthenticationSchemes = WebSetup.Scheme)]
public sealed class SafeguardingModel(StaffResolver staff, ModerationDbContext db, TimeProvider time) : PageModel
{
    /// <summary>Who sees the safeguarding pages and their link (DOMAIN.md: the DSL, their deputy and the headteacher).</summary>
    public static IReadOnlyList<string> PageRoles => Roles.SafeguardingLeads;

    [BindProperty(SupportsGet = true)]
    public CaseStatus? Status { get; set; }

    public IReadOnlyList<CaseDto> Cases { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!me.IsInAny(PageRoles))
        {
            return NotFound();
        }

        Cases = await SafeguardingApi.ListVisibleAsync(db, me, [.. me.SchoolIds], Status, false, time.GetUtcNow(), ct);
        return Page();
    }

    public static string Label(CaseStatus status) => status switch
    {
        CaseStatus.ClosurePending => "Waiting for sign-off",
        _ => status.ToString(),
    };
}
