using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Screening;

/// <summary>
/// A word a school's administrators added to screening for their own accounts (ISSUE 3 §4): a banned word blocks, a
/// suspect word flags. It joins the shared lexicon in <c>seeds/screening</c> for that school only.
/// </summary>
public sealed class SchoolScreeningTerm
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public required string Term { get; set; }
    public TermMode Mode { get; set; }
    public required string AddedBy { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

internal sealed class SchoolScreeningTermConfiguration : IEntityTypeConfiguration<SchoolScreeningTerm>
{
    public void Configure(EntityTypeBuilder<SchoolScreeningTerm> builder)
    {
        builder.ToTable("school_screening_terms");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Term).HasMaxLength(100);
        builder.Property(t => t.Mode).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.AddedBy).HasMaxLength(200);
        builder.HasOne<School>().WithMany().HasForeignKey(t => t.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.SchoolId, t.Term }).IsUnique();
    }
}
