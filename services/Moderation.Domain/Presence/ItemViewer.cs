using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;

namespace Moderation.Domain.Presence;

/// <summary>
/// Someone has an item open: one row per person and item, refreshed by the page's heartbeat and treated as gone once
/// <see cref="ItemPresence.Expiry"/> has passed without one (ADR 0503). Kept in PostgreSQL so that every API
/// instance sees the same viewers.
/// </summary>
public sealed class ItemViewer
{
    public Guid ItemId { get; set; }
    public Guid UserId { get; set; }
    public required string UserName { get; set; }
    public DateTimeOffset SeenAt { get; set; }
}

internal sealed class ItemViewerConfiguration : IEntityTypeConfiguration<ItemViewer>
{
    public void Configure(EntityTypeBuilder<ItemViewer> builder)
    {
        builder.ToTable("item_viewers");
        builder.HasKey(v => new { v.ItemId, v.UserId });
        builder.Property(v => v.UserName).HasMaxLength(200);
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(v => v.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
