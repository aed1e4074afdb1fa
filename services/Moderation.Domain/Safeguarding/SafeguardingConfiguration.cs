using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Safeguarding;

// People are kept by id without foreign keys: accounts are disabled, never deleted, and a case must outlive any change
// to who works at the school.
internal sealed class SafeguardingCaseConfiguration : IEntityTypeConfiguration<SafeguardingCase>
{
    public void Configure(EntityTypeBuilder<SafeguardingCase> builder)
    {
        builder.ToTable("safeguarding_cases");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Category).HasMaxLength(32);
        builder.Property(c => c.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Source).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Summary).HasMaxLength(2000);
        builder.Property(c => c.RaisedBy).HasMaxLength(200);
        builder.Property(c => c.EvidenceSha256).HasMaxLength(64);
        builder.Property(c => c.LegalHoldReason).HasMaxLength(500);
        builder.Property(c => c.ClosureOutcome).HasMaxLength(2000);
        builder.Property(c => c.Version).IsRowVersion().HasColumnName("xmin");
        builder.HasOne<School>().WithMany().HasForeignKey(c => c.SchoolId).OnDelete(DeleteBehavior.Restrict);

        // An item cannot be deleted from under its case: retention deletes the case first.
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(c => c.ItemId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => c.ItemId).IsUnique().HasFilter("closed_at IS NULL").HasDatabaseName("ix_safeguarding_cases_open_per_item");
        builder.HasIndex(c => new { c.SchoolId, c.RaisedAt });
        builder.HasIndex(c => c.AckDueAt);
    }
}

internal sealed class CaseNoteConfiguration : IEntityTypeConfiguration<CaseNote>
{
    public void Configure(EntityTypeBuilder<CaseNote> builder)
    {
        builder.ToTable("safeguarding_notes");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Author).HasMaxLength(200);
        builder.Property(n => n.Text).HasMaxLength(8000);
        builder.HasOne<SafeguardingCase>().WithMany().HasForeignKey(n => n.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class CaseReferralConfiguration : IEntityTypeConfiguration<CaseReferral>
{
    public void Configure(EntityTypeBuilder<CaseReferral> builder)
    {
        builder.ToTable("safeguarding_referrals");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Agency).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.MadeBy).HasMaxLength(200);
        builder.Property(r => r.Reference).HasMaxLength(100);
        builder.Property(r => r.Outcome).HasMaxLength(2000);
        builder.HasOne<SafeguardingCase>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EvidencePartConfiguration : IEntityTypeConfiguration<EvidencePart>
{
    public void Configure(EntityTypeBuilder<EvidencePart> builder)
    {
        builder.ToTable("evidence_parts");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Name).HasMaxLength(260);
        builder.Property(p => p.ContentType).HasMaxLength(100);
        builder.Property(p => p.Sha256).HasMaxLength(64);
        builder.Property(p => p.SourceUrl).HasMaxLength(2000);
        builder.HasOne<SafeguardingCase>().WithMany().HasForeignKey(p => p.CaseId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.CaseId, p.Position }).IsUnique();
    }
}

internal sealed class SchoolSafeguardingSettingsConfiguration : IEntityTypeConfiguration<SchoolSafeguardingSettings>
{
    public void Configure(EntityTypeBuilder<SchoolSafeguardingSettings> builder)
    {
        builder.ToTable("safeguarding_settings");
        builder.HasKey(s => s.SchoolId);
        builder.Property(s => s.Settings).HasColumnType("jsonb");
        builder.HasOne<School>().WithMany().HasForeignKey(s => s.SchoolId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RetentionPurgeConfiguration : IEntityTypeConfiguration<RetentionPurge>
{
    public void Configure(EntityTypeBuilder<RetentionPurge> builder)
    {
        builder.ToTable("retention_purges");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Kind).HasMaxLength(16);
        builder.Property(p => p.RetentionClass).HasMaxLength(32);
        builder.Property(p => p.Detail).HasMaxLength(1000);
        builder.HasOne<School>().WithMany().HasForeignKey(p => p.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.SchoolId, p.PurgedAt });
    }
}
