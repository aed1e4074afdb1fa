using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Moderation.Domain.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Seq);
        builder.Property(e => e.Seq).UseIdentityAlwaysColumn();
        builder.Property(e => e.Actor).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.FromState).HasMaxLength(32);
        builder.Property(e => e.ToState).HasMaxLength(32);
        builder.Property(e => e.PrevHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.HasIndex(e => new { e.ChainId, e.Position }).IsUnique();
        builder.HasIndex(e => e.ItemId);
    }
}
