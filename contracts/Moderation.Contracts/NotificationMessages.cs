namespace Moderation.Contracts;

/// <summary>A notification's copy on one channel outside the app (e-mail or the school's webhook) is due to be sent.</summary>
public sealed record NotificationDeliveryRequested(Guid DeliveryId, Guid NotificationId, string Channel);
