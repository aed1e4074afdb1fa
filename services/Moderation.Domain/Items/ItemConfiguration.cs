using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Items;

internal sealed class ModerationItemConfiguration : IEntityTypeConfiguration<ModerationItem>
{
    public void Configure(EntityTypeBuilder<ModerationItem> builder)
    {
        builder.ToTable("items");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.Platform).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.PendingAction).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.RejectionReason).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.PlatformItemId).HasMaxLength(200);
        builder.Property(i => i.AuthorName).HasMaxLength(200);
        builder.Property(i => i.AuthorPlatformId).HasMaxLength(200);
        builder.Property(i => i.ScreeningNote).HasMaxLength(1000);
        builder.Property(i => i.Redactions).HasColumnType("jsonb");
        builder.Property(i => i.PhotoVerdict).HasMaxLength(32);
        builder.Property(i => i.DecisionNote).HasMaxLength(2000);
        builder.Property(i => i.Version).IsRowVersion().HasColumnName("xmin");
        builder.Property(i => i.PlatformUrl).HasMaxLength(500);
        builder.Property(i => i.PlatformParentId).HasMaxLength(200);
        builder.Property(i => i.PlatformOutcome).HasMaxLength(1000);
        builder.Property(i => i.HiddenOnPlatform).HasDefaultValue(false);

        // Defaults in the database too: ingest inserts items with hand-written SQL that predates routing.
        builder.Property(i => i.EscalationLevel).HasDefaultValue(0);
        builder.Property(i => i.ReassignmentCount).HasDefaultValue(0);
        builder.Property(i => i.Safeguarding).HasDefaultValue(false);
        builder.HasOne<School>().WithMany().HasForeignKey(i => i.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SocialAccount>().WithMany().HasForeignKey(i => i.SocialAccountId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(i => i.DraftAuthorId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(i => i.Media).WithOne().HasForeignKey(m => m.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Targets).WithOne().HasForeignKey(t => t.ItemId).OnDelete(DeleteBehavior.Cascade);

        // Ingest is idempotent on (account, platform item id).
        builder.HasIndex(i => new { i.SocialAccountId, i.PlatformItemId }).IsUnique();
        builder.HasIndex(i => new { i.SchoolId, i.State, i.ReceivedAt });
        builder.HasIndex(i => i.AssignedToId);

        // Routing counts each candidate's open items for every item it routes: only the open ones are read, however many
        // a moderator has decided over the years (docs/benchmarks.md, issue 9, tenth pass).
        builder.HasIndex(i => i.AssignedToId, "ix_items_open_per_owner").HasFilter("state IN ('AwaitingReview', 'Escalated')");

        // The routing sweep looks for items past their due time and claims past their lease.
        builder.HasIndex(i => i.DueAt);
        builder.HasIndex(i => i.ClaimExpiresAt);
    }
}

internal sealed class ItemMediaConfiguration : IEntityTypeConfiguration<ItemMedia>
{
    public void Configure(EntityTypeBuilder<ItemMedia> builder)
    {
        builder.ToTable("item_media");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.FileName).HasMaxLength(260);
        builder.Property(m => m.ContentType).HasMaxLength(100);
        builder.Property(m => m.Sha256).HasMaxLength(64);
        builder.Property(m => m.Verdict).HasMaxLength(32);
        builder.Property(m => m.People).HasColumnType("jsonb");
        builder.Property(m => m.LocationFlags).HasMaxLength(1000);

        // Consent reconciliation finds the photos that tag a pupil (people @> [{"pupilId": ...}]) without reading them all.
        builder.HasIndex(m => m.People).HasMethod("gin").HasOperators("jsonb_path_ops");
    }
}

internal sealed class DraftTargetConfiguration : IEntityTypeConfiguration<DraftTarget>
{
    public void Configure(EntityTypeBuilder<DraftTarget> builder)
    {
        builder.ToTable("draft_targets");
        builder.HasKey(t => new { t.ItemId, t.SocialAccountId });
        builder.HasOne<SocialAccount>().WithMany().HasForeignKey(t => t.SocialAccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
