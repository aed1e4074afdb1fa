using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

/// <summary>What happens to an account when the platform refuses it or fails, shared by polling and actions.</summary>
public static class AccountTrouble
{
    /// <summary>
    /// Marks the account as needing reconnection and, the first time, tells the school's administrators, in the
    /// caller's transaction. Its actions wait (blocked) and its hidden items stay hidden until it is reconnected.
    /// </summary>
    public static async Task NeedsReconnectionAsync(ModerationDbContext db, Notifier notifier, SocialAccount account, string reason, DateTimeOffset now, CancellationToken ct)
    {
        var wasConnected = account.ConnectionStatus == ConnectionStatus.Connected;
        account.ConnectionStatus = ConnectionStatus.NeedsReconnection;
        account.LastError = Truncate($"The platform refused the credentials: {reason}");
        account.LastErrorAt = now;
        if (wasConnected)
        {
            await NotifyAdministratorsAsync(db, notifier, account.SchoolId, null,
                $"Reconnect the {account.Platform} account {account.Handle}",
                $"{account.Platform} refused the service's credentials for {account.Handle}. New comments are not read, decisions wait and hidden items stay hidden until an administrator reconnects the account under Accounts.",
                now, ct);
        }
    }

    public static async Task NotifyAdministratorsAsync(ModerationDbContext db, Notifier notifier, Guid schoolId, Guid? itemId, string title, string body, DateTimeOffset now, CancellationToken ct)
    {
        var staff = await SchoolRouting.StaffAsync(db, schoolId, ct);
        foreach (var admin in staff.Values.Where(s => s.Roles.Contains(Roles.Administrator)))
        {
            await notifier.NotifyAsync(db, new NotificationRequest(schoolId, admin.UserId, NotificationKind.Alert, itemId, title, body), now, ct);
        }
    }

    public static Task RecordErrorAsync(ModerationDbContext db, Guid accountId, string error, DateTimeOffset now, CancellationToken ct) =>
        db.SocialAccounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastError, Truncate(error)).SetProperty(a => a.LastErrorAt, now), ct);

    public static string Truncate(string? text) => text is null ? "" : text.Length <= 1000 ? text : text[..999] + "…";
}
