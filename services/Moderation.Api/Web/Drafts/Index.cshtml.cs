using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Drafts;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web.Drafts;

/// <summary>The author's own drafts and where each has got to: in review, approved, published, needs changes, rejected.</summary>
[Authorize(Policy = AccountsSetup.DraftPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class DraftsModel(StaffResolver staff, DraftComposer composer, ModerationDbContext db) : PageModel
{
    public IReadOnlyList<DraftRow> Drafts { get; private set; } = [];

    public IReadOnlyDictionary<Guid, string> SchoolNames { get; private set; } = new Dictionary<Guid, string>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        Drafts = await composer.MineAsync(me, null, ct);
        SchoolNames = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
    }
}
