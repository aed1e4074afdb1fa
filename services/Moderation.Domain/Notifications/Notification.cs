using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Notifications;

/// <summary>Why a person is told something.</summary>
public enum NotificationKind
{
    Assigned,
    Reassigned,
    Escalated,
    SafeguardingConcern,
    Alert,
}

/// <summary>
/// A message to one person, shown in the app and sent on by e-mail and the school's webhook. It never carries an
/// item's text: pupil names and personal data stay inside the app, and the message links to the item instead.
/// </summary>
public sealed class Notification
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid RecipientId { get; set; }
    public Guid? ItemId { get; set; }
    public NotificationKind Kind { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>
    /// How many items a "new item to review" notification stands for: 1, or more once later assignments were folded into
    /// it while it was unread (see <see cref="Notifier.AssignedQuietPeriod"/>).
    /// </summary>
    public int ItemCount { get; set; } = 1;
    public List<NotificationDelivery> Deliveries { get; } = [];
}

public enum DeliveryChannel
{
    Email,
    Webhook,
}

public enum DeliveryStatus
{
    /// <summary>Waiting for the worker to send it.</summary>
    Pending,

    /// <summary>The last attempt failed; the worker will try again.</summary>
    Retrying,

    /// <summary>Every attempt failed; an administrator can see why and send it again.</summary>
    Failed,
    Sent,
}

/// <summary>One attempt-tracked copy of a notification on a channel outside the app.</summary>
public sealed class NotificationDelivery
{
    public Guid Id { get; set; }
    public Guid NotificationId { get; set; }
    public Notification Notification { get; set; } = null!;
    public DeliveryChannel Channel { get; set; }

    /// <summary>Where it goes, as shown to administrators: the e-mail address, or the webhook's host (its URL holds a secret).</summary>
    public required string Target { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.Property(n => n.Body).HasMaxLength(2000);
        // Folding an assignment into an unread notification (Notifier) must not land on one read in the meantime.
        builder.Property(n => n.ReadAt).IsConcurrencyToken();
        builder.HasOne<School>().WithMany().HasForeignKey(n => n.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(n => n.RecipientId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(n => n.Deliveries).WithOne(d => d.Notification).HasForeignKey(d => d.NotificationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(n => new { n.RecipientId, n.CreatedAt });
    }
}

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.ToTable("notification_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Channel).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Target).HasMaxLength(320);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(1000);
        builder.HasIndex(d => d.NotificationId);
        builder.HasIndex(d => d.Status);
    }
}
