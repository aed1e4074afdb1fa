using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Notifications;

/// <summary>What to tell whom. The text must not quote the item: it names the school, the platform and the reason.</summary>
public sealed record NotificationRequest(Guid SchoolId, Guid RecipientId, NotificationKind Kind, Guid? ItemId, string Title, string Body);

/// <summary>
/// Records a notification in the caller's transaction: the in-app row, a delivery per outside channel (e-mail when
/// SMTP is configured and the person has an address; the school's webhook when it has one) and an outbox message per
/// delivery, so nothing is sent unless the change that caused it commits.
/// <para>
/// "New item to review" is told once per burst: while a person has one unread from the same school, less than
/// <see cref="AssignedQuietPeriod"/> old, the next items given to them are folded into it (its count, title and body
/// change) and nothing is sent again. In a viral burst a moderator at the rota's front used to get an e-mail and a
/// webhook post per comment, dozens a minute. Escalations, hand-overs, safeguarding concerns and alerts are each told.
/// </para>
/// </summary>
public sealed class Notifier(IOptions<NotificationOptions> options)
{
    /// <summary>How long an unread "new item to review" notification stands for the assignments after it.</summary>
    public static readonly TimeSpan AssignedQuietPeriod = TimeSpan.FromMinutes(15);

    public async Task<Notification> NotifyAsync(ModerationDbContext db, NotificationRequest request, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Kind == NotificationKind.Assigned && await UnreadAssignedAsync(db, request, now, ct) is { } unread)
        {
            unread.ItemCount++;
            unread.Title = Truncate($"{unread.ItemCount} new items to review", 200);
            unread.Body = Truncate(
                $"{unread.ItemCount} items have been given to you to review since {Routing.ItemRouter.Local(unread.CreatedAt)} (London time): " +
                $"see them all in your queue. The latest: {request.Body}", 2000);
            return unread;
        }

        // Without SMTP there is no e-mail to send, so the address is not read (one round trip fewer per notification).
        var smtp = options.Value.Smtp.IsConfigured;
        var email = smtp
            ? await db.OncePerBatchAsync("email", request.RecipientId,
                () => db.Users.Where(u => u.Id == request.RecipientId).Select(u => u.Email).FirstOrDefaultAsync(ct))
            : null;
        var webhook = await db.OncePerBatchAsync("notification-webhook", request.SchoolId,
            () => db.Schools.Where(s => s.Id == request.SchoolId).Select(s => s.NotificationWebhookUrl).FirstOrDefaultAsync(ct));
        var notification = new Notification
        {
            Id = Guid.CreateVersion7(now),
            SchoolId = request.SchoolId,
            RecipientId = request.RecipientId,
            ItemId = request.ItemId,
            Kind = request.Kind,
            Title = Truncate(request.Title, 200),
            Body = Truncate(request.Body, 2000),
            CreatedAt = now,
        };
        if (smtp && !string.IsNullOrWhiteSpace(email))
        {
            notification.Deliveries.Add(NewDelivery(notification, DeliveryChannel.Email, email, now));
        }

        if (WebhookTarget(webhook) is { } host)
        {
            notification.Deliveries.Add(NewDelivery(notification, DeliveryChannel.Webhook, host, now));
        }

        db.Add(notification);
        foreach (var delivery in notification.Deliveries)
        {
            Outbox.Enqueue(db, new NotificationDeliveryRequested(delivery.Id, notification.Id, delivery.Channel.ToString()), now);
        }

        if (request.Kind == NotificationKind.Assigned)
        {
            db.HeldInTransaction.Keep(db, UnreadAssigned, request.RecipientId, notification);
        }

        return notification;
    }

    private const string UnreadAssigned = "unread-assigned";

    /// <summary>
    /// The person's unread "new item to review" from the school, told within the quiet period, if any: the one this
    /// transaction told or folded into already, else the newest such row, read tracked to be folded into.
    /// </summary>
    private static async Task<Notification?> UnreadAssignedAsync(ModerationDbContext db, NotificationRequest request, DateTimeOffset now, CancellationToken ct)
    {
        if (db.HeldInTransaction.KeptRow<Notification>(db, UnreadAssigned, request.RecipientId) is { } kept && kept.SchoolId == request.SchoolId)
        {
            return kept;
        }

        var since = now - AssignedQuietPeriod;
        var unread = await db.Notifications
            .Where(n => n.RecipientId == request.RecipientId && n.SchoolId == request.SchoolId && n.Kind == NotificationKind.Assigned &&
                        n.ReadAt == null && n.CreatedAt > since)
            .OrderByDescending(n => n.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (unread is not null)
        {
            db.HeldInTransaction.Keep(db, UnreadAssigned, request.RecipientId, unread);
        }

        return unread;
    }

    /// <summary>The webhook as administrators see it: its host only, because the rest of the URL is a secret.</summary>
    public static string? WebhookTarget(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : null;

    /// <summary>A webhook URL a school may set: absolute http(s), at most 500 characters. Returns the problem, or null.</summary>
    public static string? ValidateWebhookUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "A webhook URL is required.";
        }

        if (url.Length > 500)
        {
            return "A webhook URL is at most 500 characters.";
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? null
            : "A webhook URL is an absolute http or https address, such as the incoming-webhook URL Teams or Slack gives you.";
    }

    private static NotificationDelivery NewDelivery(Notification notification, DeliveryChannel channel, string target, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        NotificationId = notification.Id,
        Notification = notification,
        Channel = channel,
        Target = Truncate(target, 320),
        Status = DeliveryStatus.Pending,
    };

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
