using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Routing;

/// <summary>
/// One routing decision for an item: who got it, why, and until when. The item's current assignment is the one not
/// yet ended; a unique index allows only one, so two sweepers or an administrator racing a sweeper cannot both hand
/// the item on.
/// </summary>
public sealed class ItemAssignment
{
    public Guid Id { get; set; }
    public Guid ItemId { get; set; }
    public Guid SchoolId { get; set; }

    /// <summary>Null when nobody at all could hold the item; an alert is then open for it.</summary>
    public Guid? UserId { get; set; }

    /// <summary>An <see cref="Rota.Scheduling.AssignmentReason"/>, or Manual for an administrator's choice.</summary>
    public required string Reason { get; set; }

    /// <summary>0 with the rota (or the safeguarding leads); 1 and up on the escalation policy's levels.</summary>
    public int EscalationLevel { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>The administrator who chose the person, for a manual reassignment.</summary>
    public Guid? AssignedById { get; set; }
    public required string Explanation { get; set; }

    /// <summary>When the item moved on to someone else.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>
/// Something administrators must look at: an item that went past the rota's own people (nobody on duty, everyone at
/// their cap, the headteacher reached) or that nobody can hold. At most one is open per item.
/// <para>
/// A school-wide cause alone (nobody on duty, everyone at their cap) for an item that did get an owner is one open
/// alert while it lasts: the school's next such items, while it is open and less than
/// <see cref="ItemRouter.AlertQuietPeriod"/> old, are folded into it (<see cref="ItemCount"/>, <see cref="LastRaisedAt"/>),
/// so a burst is one alert with a count, resolved once, not thousands.
/// </para>
/// </summary>
public sealed class RoutingAlert
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Guid? ItemId { get; set; }

    /// <summary>The <see cref="Rota.Scheduling.AlertReasons"/> flags, comma-separated.</summary>
    public required string Reasons { get; set; }
    public required string Message { get; set; }
    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>How many routings the alert stands for: 1, plus each one folded into it while open.</summary>
    public int ItemCount { get; set; } = 1;

    /// <summary>When the last routing was folded into it; null while it stands for its first item alone.</summary>
    public DateTimeOffset? LastRaisedAt { get; set; }

    /// <summary>Also the row's concurrency token: nothing is folded into an alert resolved meanwhile.</summary>
    public DateTimeOffset? ResolvedAt { get; set; }
    public Guid? ResolvedById { get; set; }
    public string? Resolution { get; set; }
}

internal sealed class ItemAssignmentConfiguration : IEntityTypeConfiguration<ItemAssignment>
{
    public void Configure(EntityTypeBuilder<ItemAssignment> builder)
    {
        builder.ToTable("item_assignments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Reason).HasMaxLength(32);
        builder.Property(a => a.Explanation).HasMaxLength(1000);
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<School>().WithMany().HasForeignKey(a => a.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.AssignedById).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => a.ItemId).IsUnique().HasFilter("ended_at IS NULL").HasDatabaseName("ix_item_assignments_current");
        builder.HasIndex(a => new { a.ItemId, a.AssignedAt });
        builder.HasIndex(a => a.UserId);
    }
}

internal sealed class RoutingAlertConfiguration : IEntityTypeConfiguration<RoutingAlert>
{
    public void Configure(EntityTypeBuilder<RoutingAlert> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Reasons).HasMaxLength(200);
        builder.Property(a => a.Message).HasMaxLength(1000);
        builder.Property(a => a.Resolution).HasMaxLength(500);
        builder.Property(a => a.ResolvedAt).IsConcurrencyToken();
        builder.HasOne<School>().WithMany().HasForeignKey(a => a.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(a => a.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.ResolvedById).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => a.ItemId).IsUnique().HasFilter("resolved_at IS NULL").HasDatabaseName("ix_alerts_open_per_item");
        builder.HasIndex(a => new { a.SchoolId, a.ResolvedAt });
    }
}
