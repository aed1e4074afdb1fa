using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Rota;

/// <summary>
/// One layer of a moderator rota: moderators take turns in order, each for one shift, handing over at a fixed local
/// time (Europe/London). Overrides, absences and term dates build on this in the routing work.
/// </summary>
public sealed class Rotation
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public required string Name { get; set; }
    public int Layer { get; set; }
    public DateOnly StartsOn { get; set; }
    public TimeOnly HandoffTime { get; set; }
    public int ShiftDays { get; set; } = 1;
    public List<RotationMember> Members { get; } = [];
}

public sealed class RotationMember
{
    public Guid RotationId { get; set; }
    public Guid UserId { get; set; }
    public int Order { get; set; }
}

internal sealed class RotationConfiguration : IEntityTypeConfiguration<Rotation>
{
    public void Configure(EntityTypeBuilder<Rotation> builder)
    {
        builder.ToTable("rotations");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.HasOne<School>().WithMany().HasForeignKey(r => r.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Members).WithOne().HasForeignKey(m => m.RotationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.SchoolId, r.Name }).IsUnique();
    }
}

internal sealed class RotationMemberConfiguration : IEntityTypeConfiguration<RotationMember>
{
    public void Configure(EntityTypeBuilder<RotationMember> builder)
    {
        builder.ToTable("rotation_members");
        builder.HasKey(m => new { m.RotationId, m.UserId });
        builder.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
