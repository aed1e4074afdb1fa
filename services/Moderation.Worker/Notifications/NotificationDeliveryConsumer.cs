using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;

namespace Moderation.Worker.Notifications;

/// <summary>
/// Sends one delivery of a notification (e-mail or the school's webhook) and records the outcome on it. Each failed
/// attempt is recorded with its error before MassTransit retries; after the last retry the delivery is marked failed,
/// where administrators see it and can send it again. A delivery already sent is not sent twice.
/// </summary>
public sealed class NotificationDeliveryConsumer(
    ModerationDbContext db,
    IEmailSender email,
    IWebhookSender webhook,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationDeliveryConsumer> logger) : IConsumer<NotificationDeliveryRequested>
{
    public async Task Consume(ConsumeContext<NotificationDeliveryRequested> context)
    {
        var ct = context.CancellationToken;
        var delivery = await db.NotificationDeliveries.Include(d => d.Notification)
            .FirstOrDefaultAsync(d => d.Id == context.Message.DeliveryId, ct);
        if (delivery is null)
        {
            logger.LogWarning("Notification delivery {DeliveryId} no longer exists; nothing to send.", context.Message.DeliveryId);
            return;
        }

        if (delivery.Status is DeliveryStatus.Sent or DeliveryStatus.Failed)
        {
            return; // sent already, or given up on until an administrator asks again (which sets it pending)
        }

        var notification = delivery.Notification;
        var school = await db.Schools.AsNoTracking().Where(s => s.Id == notification.SchoolId)
            .Select(s => new { s.Name, s.NotificationWebhookUrl }).FirstAsync(ct);
        var text = NotificationText.Plain(notification, school.Name, options.Value.ItemLink(notification.ItemId));
        delivery.Attempts++;
        delivery.LastAttemptAt = time.GetUtcNow();
        try
        {
            switch (delivery.Channel)
            {
                case DeliveryChannel.Email:
                    await email.SendAsync(delivery.Target, $"{notification.Title} – {school.Name}", text, ct);
                    break;
                case DeliveryChannel.Webhook:
                    var url = school.NotificationWebhookUrl is { } configured && Uri.TryCreate(configured, UriKind.Absolute, out var uri)
                        ? uri
                        : throw new InvalidOperationException("The school no longer has a webhook URL.");
                    await webhook.PostAsync(url, text, ct);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown delivery channel {delivery.Channel}.");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var last = context.GetRetryAttempt() >= options.Value.EffectiveRetryIntervals.Count;
            delivery.Status = last ? DeliveryStatus.Failed : DeliveryStatus.Retrying;
            delivery.LastError = ex.Message.Length <= 1000 ? ex.Message : ex.Message[..1000];
            await db.SaveChangesAsync(CancellationToken.None);
            logger.LogWarning(ex, "Notification delivery {DeliveryId} by {Channel} failed (attempt {Attempt}{Final}).",
                delivery.Id, delivery.Channel, delivery.Attempts, last ? ", giving up" : "");
            if (last)
            {
                return; // recorded as failed for administrators; nothing is gained by an error-queue copy as well
            }

            throw;
        }

        delivery.Status = DeliveryStatus.Sent;
        delivery.SentAt = time.GetUtcNow();
        delivery.LastError = null;
        await db.SaveChangesAsync(CancellationToken.None);
    }
}

public sealed class NotificationDeliveryConsumerDefinition : ConsumerDefinition<NotificationDeliveryConsumer>
{
    private readonly IReadOnlyList<TimeSpan> _intervals;

    public NotificationDeliveryConsumerDefinition(IOptions<NotificationOptions> options)
    {
        _intervals = options.Value.EffectiveRetryIntervals;
        EndpointName = "notifications";
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<NotificationDeliveryConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // In-memory retry: the message stays unacknowledged through the waits (minutes at most), and each attempt is on the row.
        endpointConfigurator.UseMessageRetry(r => r.Intervals([.. _intervals]));
    }
}
