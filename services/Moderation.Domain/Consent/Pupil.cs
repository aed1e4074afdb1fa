using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Consent;

/// <summary>A pupil on the school roster, as the MIS exports them (DOMAIN.md "Consent in detail").</summary>
public sealed class Pupil
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public required string MisId { get; set; }
    public required string LegalForename { get; set; }
    public string? PreferredForename { get; set; }
    public required string Surname { get; set; }
    public required string YearGroup { get; set; }
}

public enum ConsentChannel
{
    Website,
    SocialMedia,
    Press,
    InternalDisplays,
}

public enum ConsentStatus
{
    Granted,
    Objected,
    Restricted,
}

/// <summary>A pupil's consent for one channel, from one source, for a period.</summary>
public sealed class ConsentRecord
{
    public Guid Id { get; set; }
    public Guid PupilId { get; set; }
    public ConsentChannel Channel { get; set; }
    public ConsentStatus Status { get; set; }

    /// <summary>For example "group photos only", "no name with photo", "no identifiable face".</summary>
    public string? Restriction { get; set; }

    /// <summary>Overrides everything (a looked-after child, a court order). Only the DSL and headteacher see why.</summary>
    public bool NeverPublish { get; set; }
    public string? NeverPublishReason { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public DateOnly? ExpiresOn { get; set; }
    public required string Source { get; set; }
}

internal sealed class PupilConfiguration : IEntityTypeConfiguration<Pupil>
{
    public void Configure(EntityTypeBuilder<Pupil> builder)
    {
        builder.ToTable("pupils");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.MisId).HasMaxLength(64);
        builder.Property(p => p.LegalForename).HasMaxLength(100);
        builder.Property(p => p.PreferredForename).HasMaxLength(100);
        builder.Property(p => p.Surname).HasMaxLength(100);
        builder.Property(p => p.YearGroup).HasMaxLength(32);
        builder.HasOne<School>().WithMany().HasForeignKey(p => p.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.SchoolId, p.MisId }).IsUnique();
    }
}

internal sealed class ConsentRecordConfiguration : IEntityTypeConfiguration<ConsentRecord>
{
    public void Configure(EntityTypeBuilder<ConsentRecord> builder)
    {
        builder.ToTable("consents");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Channel).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Restriction).HasMaxLength(200);
        builder.Property(c => c.NeverPublishReason).HasMaxLength(500);
        builder.Property(c => c.Source).HasMaxLength(100);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(c => c.PupilId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.PupilId, c.Channel });
    }
}
