using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Items;

namespace Moderation.Domain.Screening;

public enum FindingSeverity
{
    Info,
    Warning,
    Severe,
}

/// <summary>One thing screening found in an item, with where it is, so the reviewer sees it highlighted.</summary>
public sealed class ScreeningFinding
{
    public Guid Id { get; set; }
    public Guid ItemId { get; set; }

    /// <summary>The photo the finding is about; null for findings in the text.</summary>
    public Guid? MediaId { get; set; }
    public required string Category { get; set; }
    public required string Rule { get; set; }
    public FindingSeverity Severity { get; set; }
    public int Offset { get; set; }
    public int Length { get; set; }
    public required string Explanation { get; set; }
}

/// <summary>A finding before it is stored: the screeners are pure functions of the text and photos.</summary>
/// <param name="MediaId">The photo the finding is about (its offsets are then 0); null for the text.</param>
public sealed record Finding(string Category, string Rule, FindingSeverity Severity, int Offset, int Length, string Explanation, Guid? MediaId = null);

public interface ITextScreener
{
    string Name { get; }

    IEnumerable<Finding> Screen(string text);
}

internal sealed class ScreeningFindingConfiguration : IEntityTypeConfiguration<ScreeningFinding>
{
    public void Configure(EntityTypeBuilder<ScreeningFinding> builder)
    {
        builder.ToTable("screening_findings");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Category).HasMaxLength(64);
        builder.Property(f => f.Rule).HasMaxLength(64);
        builder.Property(f => f.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(f => f.Explanation).HasMaxLength(500);
        builder.HasOne<ModerationItem>().WithMany().HasForeignKey(f => f.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => f.ItemId);
    }
}
