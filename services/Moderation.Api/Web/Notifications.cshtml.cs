using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Api.Notifications;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Web;

/// <summary>The signed-in person's notifications: assignments, escalations and safeguarding concerns, newest first.</summary>
[Authorize(AuthenticationSchemes = WebSetup.Scheme)]
public sealed class NotificationsModel(StaffResolver staff, ModerationDbContext db, TimeProvider time) : PageModel
{
    public IReadOnlyList<NotificationDto> Notifications { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        Notifications = await NotificationsApi.ListForAsync(db, me, unreadOnly: false, limit: 100, ct);
    }

    public async Task<IActionResult> OnPostReadAsync(Guid? id, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        if (!await NotificationsApi.MarkReadAsync(db, me.UserId, id, time.GetUtcNow(), ct))
        {
            return NotFound();
        }

        TempData["Message"] = id is null ? "All notifications marked read." : "Notification marked read.";
        return RedirectToPage();
    }
}
