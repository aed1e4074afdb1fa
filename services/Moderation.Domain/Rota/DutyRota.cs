using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Rota;

/// <summary>
/// A moderator rota as stored: one school's own, or shared by several schools of a trust. Its rotations, overrides,
/// absences, cover pool and term calendar become a <see cref="RotaDefinition"/> (see <see cref="RotaMapping"/>).
/// </summary>
public sealed class DutyRota
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<RotaSchool> Schools { get; } = [];
    public List<Rotation> Rotations { get; } = [];
    public List<RotaCoverMember> CoverPool { get; } = [];
    public List<RotaTermDate> TermDates { get; } = [];
    public List<DutyOverride> Overrides { get; } = [];
    public List<RotaAbsence> Absences { get; } = [];

    /// <summary>Makes the rota cover exactly <paramref name="schoolIds"/>, keeping the rows that stay.</summary>
    public void SetSchools(IEnumerable<Guid> schoolIds)
    {
        var wanted = schoolIds.ToHashSet();
        Schools.RemoveAll(s => !wanted.Contains(s.SchoolId));
        foreach (var id in wanted.Where(id => !Schools.Exists(s => s.SchoolId == id)))
        {
            Schools.Add(new RotaSchool { RotaId = Id, SchoolId = id });
        }
    }

    /// <summary>Makes the cover pool exactly <paramref name="userIds"/>, in this order.</summary>
    public void SetCoverPool(IReadOnlyList<Guid> userIds)
    {
        CoverPool.RemoveAll(c => !userIds.Contains(c.UserId));
        for (var i = 0; i < userIds.Count; i++)
        {
            var member = CoverPool.Find(c => c.UserId == userIds[i]);
            if (member is null)
            {
                CoverPool.Add(new RotaCoverMember { RotaId = Id, UserId = userIds[i], Order = i });
            }
            else
            {
                member.Order = i;
            }
        }
    }

    /// <summary>Replaces the term calendar.</summary>
    public void SetTermDates(IEnumerable<DateRange> terms, IEnumerable<DateRange> closures)
    {
        TermDates.Clear();
        TermDates.AddRange(terms.Select(t => NewTermDate(TermDateKind.Term, t)));
        TermDates.AddRange(closures.Select(c => NewTermDate(TermDateKind.Closure, c)));
    }

    private RotaTermDate NewTermDate(TermDateKind kind, DateRange range) => new()
    {
        Id = Guid.CreateVersion7(),
        RotaId = Id,
        Kind = kind,
        Name = range.Name,
        FirstDay = range.FirstDay,
        LastDay = range.LastDay,
    };
}

/// <summary>A school whose items the rota's people handle.</summary>
public sealed class RotaSchool
{
    public Guid RotaId { get; set; }
    public Guid SchoolId { get; set; }
}

/// <summary>Someone who stands in, in <see cref="Order"/>, for an absent moderator with no free named cover.</summary>
public sealed class RotaCoverMember
{
    public Guid RotaId { get; set; }
    public Guid UserId { get; set; }
    public int Order { get; set; }
}

public enum TermDateKind
{
    /// <summary>A term: its days are term days unless a closure says otherwise.</summary>
    Term,

    /// <summary>A half term, INSET day or bank holiday: not a term day, even inside a term.</summary>
    Closure,
}

/// <summary>Named local dates of the rota's school year, both days included (<see cref="TermCalendar"/>).</summary>
public sealed class RotaTermDate
{
    public Guid Id { get; set; }
    public Guid RotaId { get; set; }
    public TermDateKind Kind { get; set; }
    public required string Name { get; set; }
    public DateOnly FirstDay { get; set; }
    public DateOnly LastDay { get; set; }
}

/// <summary>Puts <see cref="UserId"/> on duty for [<see cref="StartsAt"/>, <see cref="EndsAt"/>) instead of the layers.</summary>
public sealed class DutyOverride
{
    public Guid Id { get; set; }
    public Guid RotaId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// <see cref="UserId"/> is away from this rota for [<see cref="StartsAt"/>, <see cref="EndsAt"/>); their duty goes to
/// <see cref="CoverUserId"/> if named and present, otherwise to the cover pool. Overlapping absences resolve in the
/// order they were recorded (ADR 0201).
/// </summary>
public sealed class RotaAbsence
{
    public Guid Id { get; set; }
    public Guid RotaId { get; set; }
    public Guid UserId { get; set; }
    public AbsenceKind Kind { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public Guid? CoverUserId { get; set; }
    public required string RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class RotaConfiguration : IEntityTypeConfiguration<DutyRota>
{
    public void Configure(EntityTypeBuilder<DutyRota> builder)
    {
        builder.ToTable("rotas");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.HasMany(r => r.Schools).WithOne().HasForeignKey(s => s.RotaId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.CoverPool).WithOne().HasForeignKey(c => c.RotaId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.TermDates).WithOne().HasForeignKey(d => d.RotaId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Overrides).WithOne().HasForeignKey(o => o.RotaId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Absences).WithOne().HasForeignKey(a => a.RotaId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RotaSchoolConfiguration : IEntityTypeConfiguration<RotaSchool>
{
    public void Configure(EntityTypeBuilder<RotaSchool> builder)
    {
        builder.ToTable("rota_schools");
        builder.HasKey(s => new { s.RotaId, s.SchoolId });
        builder.HasOne<School>().WithMany().HasForeignKey(s => s.SchoolId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RotaCoverMemberConfiguration : IEntityTypeConfiguration<RotaCoverMember>
{
    public void Configure(EntityTypeBuilder<RotaCoverMember> builder)
    {
        builder.ToTable("rota_cover_pool");
        builder.HasKey(c => new { c.RotaId, c.UserId });
        builder.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RotaTermDateConfiguration : IEntityTypeConfiguration<RotaTermDate>
{
    public void Configure(EntityTypeBuilder<RotaTermDate> builder)
    {
        builder.ToTable("rota_term_dates");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Name).HasMaxLength(100);
    }
}

internal sealed class DutyOverrideConfiguration : IEntityTypeConfiguration<DutyOverride>
{
    public void Configure(EntityTypeBuilder<DutyOverride> builder)
    {
        builder.ToTable("rota_overrides");
        builder.HasKey(o => o.Id);
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Reason).HasMaxLength(200);
        builder.Property(o => o.CreatedBy).HasMaxLength(200);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RotaAbsenceConfiguration : IEntityTypeConfiguration<RotaAbsence>
{
    public void Configure(EntityTypeBuilder<RotaAbsence> builder)
    {
        builder.ToTable("rota_absences");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.RecordedBy).HasMaxLength(200);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        // A cover who leaves the school no longer covers; the absence stays and falls back to the cover pool.
        builder.HasOne<AppUser>().WithMany().HasForeignKey(a => a.CoverUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
