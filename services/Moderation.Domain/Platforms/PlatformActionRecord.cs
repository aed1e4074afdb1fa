using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

/// <summary>Why the service acts on the platform.</summary>
public enum ActionPurpose
{
    /// <summary>Hide a public comment the moment it arrives, under pre-moderation (fail closed).</summary>
    Arrival,

    /// <summary>Carry out a person's decision: show, publish, hide or delete.</summary>
    Decision,

    /// <summary>Take published content down because consent was withdrawn.</summary>
    Takedown,
}

public enum ActionStatus
{
    /// <summary>Waiting for its first attempt.</summary>
    Pending,

    /// <summary>A worker holds it until <see cref="PlatformActionRecord.LeaseUntil"/>.</summary>
    Running,

    /// <summary>The last attempt failed in a way worth retrying; next at <see cref="PlatformActionRecord.NextAttemptAt"/>.</summary>
    Waiting,

    Done,

    /// <summary>The platform refused it for good (the comment is gone, or the request was refused).</summary>
    Failed,

    /// <summary>The account needs reconnecting; the action runs again once it is reconnected.</summary>
    Blocked,
}

/// <summary>
/// One thing to do on one account's platform, stored before it is attempted: the durable queue that makes an action
/// survive a worker's death, a broker outage and a platform outage, and happen once.
/// </summary>
public sealed class PlatformActionRecord
{
    public Guid Id { get; set; }
    public Guid ItemId { get; set; }
    public Guid SchoolId { get; set; }
    public Guid SocialAccountId { get; set; }
    public PlatformAction Action { get; set; }
    public ActionPurpose Purpose { get; set; }
    public ActionStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>What the platform said it did.</summary>
    public string? Result { get; set; }

    /// <summary>The platform's id of what was created (a published post).</summary>
    public string? ResultPlatformId { get; set; }
    public string? ResultUrl { get; set; }
}

/// <summary>A webhook body exactly as the platform sent it, stored before the webhook answers 200.</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Platform Platform { get; set; }

    /// <summary>The first account of the school the body names (a body may name several of one app's accounts).</summary>
    public Guid? SocialAccountId { get; set; }
    public required string Body { get; set; }

    /// <summary>Unique: the platform's redelivery of the same body is stored once.</summary>
    public required string BodySha256 { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public int? CommentCount { get; set; }
    public string? Error { get; set; }
}

internal sealed class PlatformActionRecordConfiguration : IEntityTypeConfiguration<PlatformActionRecord>
{
    public void Configure(EntityTypeBuilder<PlatformActionRecord> builder)
    {
        builder.ToTable("platform_actions");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Purpose).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.LastError).HasMaxLength(1000);
        builder.Property(a => a.Result).HasMaxLength(1000);
        builder.Property(a => a.ResultPlatformId).HasMaxLength(200);
        builder.Property(a => a.ResultUrl).HasMaxLength(500);
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<School>().WithMany().HasForeignKey(a => a.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<SocialAccount>().WithMany().HasForeignKey(a => a.SocialAccountId).OnDelete(DeleteBehavior.Restrict);

        // One action per item, account and purpose: a redelivered decision cannot queue a second publish.
        builder.HasIndex(a => new { a.ItemId, a.SocialAccountId, a.Purpose }).IsUnique();
        builder.HasIndex(a => new { a.Status, a.NextAttemptAt });
        builder.HasIndex(a => a.SocialAccountId);
        builder.HasIndex(a => a.SchoolId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Platform).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.BodySha256).HasMaxLength(64);
        builder.Property(d => d.Error).HasMaxLength(1000);
        builder.HasOne<SocialAccount>().WithMany().HasForeignKey(d => d.SocialAccountId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(d => d.BodySha256).IsUnique();
        builder.HasIndex(d => d.SocialAccountId);
        builder.HasIndex(d => d.ReceivedAt);
    }
}
