using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Drafts;
using Moderation.Api.Queue;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web.Drafts;

/// <summary>
/// One of the author's own drafts: its status, what will be published, each photo's people and verdicts, and its
/// history. Anyone else's draft is 404 here (approvers use the item page). There is nothing to decide on this page.
/// </summary>
[Authorize(Policy = AccountsSetup.DraftPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class DraftModel(StaffResolver staff, DraftComposer composer, QueueQueries queries, ModerationDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public DraftRow Row { get; private set; } = null!;

    public ItemDetail Item { get; private set; } = null!;

    public IReadOnlyList<string> Targets { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var row = (await composer.MineAsync(me, Id, ct)).SingleOrDefault();
        var detail = row is null ? null : await queries.GetAsync(me, Id, ct);
        if (row is null || detail is null)
        {
            return NotFound();
        }

        (Row, Item) = (row, detail);
        Targets = await db.SocialAccounts.AsNoTracking()
            .Where(a => detail.TargetAccountIds.Contains(a.Id))
            .OrderBy(a => a.Platform)
            .Select(a => a.Platform + " (" + a.Handle + ")")
            .ToListAsync(ct);
        return Page();
    }

    /// <summary>A photo of the author's own draft, as they uploaded it.</summary>
    public async Task<IActionResult> OnGetPhotoAsync(Guid mediaId, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if ((await composer.MineAsync(me, Id, ct)).Count == 0)
        {
            return NotFound();
        }

        var media = await db.ItemMedia.AsNoTracking().FirstOrDefaultAsync(m => m.Id == mediaId && m.ItemId == Id, ct);
        return media is null ? NotFound() : File(media.Content, media.ContentType);
    }
}
