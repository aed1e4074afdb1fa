using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;

namespace Moderation.Domain.Rota;

/// <summary>
/// One rotation of a <see cref="DutyRota"/>: moderators take turns in order, each for <see cref="ShiftHours"/> on the London
/// wall clock, the first turn beginning on <see cref="StartsOn"/> at <see cref="HandoffTime"/>. The scheduling engine
/// reads it as a <see cref="Scheduling.RotationLayer"/> (ADR 0201).
/// </summary>
public sealed class Rotation
{
    public Guid Id { get; set; }
    public Guid RotaId { get; set; }
    public required string Name { get; set; }

    /// <summary>Where it has someone on duty, a higher layer replaces every lower one; equal layers are on duty together.</summary>
    public int Layer { get; set; } = 1;

    /// <summary>Where the rota lists it: rotations sharing a layer are on duty together in this order.</summary>
    public int Position { get; set; }

    public DateOnly StartsOn { get; set; }
    public TimeOnly HandoffTime { get; set; }

    /// <summary>How long each turn lasts, in hours of the London wall clock (24 is a day, 168 a week).</summary>
    public int ShiftHours { get; set; } = 24;

    /// <summary>
    /// Whole days of <see cref="ShiftHours"/>, for code written when shifts were counted in days. Not stored, so it
    /// cannot be queried; setting it sets <see cref="ShiftHours"/>.
    /// </summary>
    public int ShiftDays
    {
        get => ShiftHours / 24;
        set => ShiftHours = value * 24;
    }

    /// <summary>When false, the rotation has nobody on duty on days that are not term days.</summary>
    public bool RunsInHolidays { get; set; }

    /// <summary>The members in turn order (<see cref="RotationMember.Order"/>); someone may take more than one turn.</summary>
    public List<RotationMember> Members { get; } = [];

    /// <summary>Weekly local windows outside which the rotation has nobody on duty; none means round the clock.</summary>
    public List<RotationRestriction> Restrictions { get; } = [];

    /// <summary>Makes the members exactly <paramref name="userIds"/>, in turn order, updating the turns in place.</summary>
    /// <summary>Makes the rotation what an administrator (or the demo seed) described, keeping the rows that stay.</summary>
    public void Set(
        int layer, int position, DateOnly startsOn, TimeOnly handoffTime, int shiftHours, bool runsInHolidays,
        IReadOnlyList<Guid> members, IEnumerable<Scheduling.WeeklyWindow> restrictions)
    {
        Layer = layer;
        Position = position;
        StartsOn = startsOn;
        HandoffTime = handoffTime;
        ShiftHours = shiftHours;
        RunsInHolidays = runsInHolidays;
        SetMembers(members);
        SetRestrictions(restrictions);
    }

    public void SetMembers(IReadOnlyList<Guid> userIds)
    {
        Members.RemoveAll(m => m.Order >= userIds.Count);
        for (var i = 0; i < userIds.Count; i++)
        {
            var turn = Members.Find(m => m.Order == i);
            if (turn is null)
            {
                Members.Add(new RotationMember { RotationId = Id, UserId = userIds[i], Order = i });
            }
            else
            {
                turn.UserId = userIds[i];
            }
        }
    }

    /// <summary>Makes the restrictions exactly <paramref name="windows"/>, keeping the rows that stay.</summary>
    public void SetRestrictions(IEnumerable<Scheduling.WeeklyWindow> windows)
    {
        var wanted = windows.ToList();
        Restrictions.RemoveAll(r => !wanted.Exists(w => w.Day == r.Day && w.Start == r.Start));
        foreach (var w in wanted)
        {
            var existing = Restrictions.Find(r => r.Day == w.Day && r.Start == w.Start);
            if (existing is null)
            {
                Restrictions.Add(new RotationRestriction { RotationId = Id, Day = w.Day, Start = w.Start, End = w.End });
            }
            else
            {
                existing.End = w.End;
            }
        }
    }
}

public sealed class RotationMember
{
    public Guid RotationId { get; set; }
    public Guid UserId { get; set; }
    public int Order { get; set; }
}

/// <summary>From <see cref="Start"/> on <see cref="Day"/> to <see cref="End"/>, overnight when the end is not later (see <see cref="Scheduling.WeeklyWindow"/>).</summary>
public sealed class RotationRestriction
{
    public Guid RotationId { get; set; }
    public DayOfWeek Day { get; set; }
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
}

internal sealed class RotationConfiguration : IEntityTypeConfiguration<Rotation>
{
    public void Configure(EntityTypeBuilder<Rotation> builder)
    {
        builder.ToTable("rotations");
        builder.HasKey(r => r.Id);
        // Ids are made by the code (version 7), so a rotation added to a loaded rota's list is new, not an update.
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(200);
        builder.Ignore(r => r.ShiftDays);
        builder.HasOne<DutyRota>().WithMany(r => r.Rotations).HasForeignKey(r => r.RotaId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Members).WithOne().HasForeignKey(m => m.RotationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Restrictions).WithOne().HasForeignKey(w => w.RotationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.RotaId, r.Name }).IsUnique();
    }
}

internal sealed class RotationMemberConfiguration : IEntityTypeConfiguration<RotationMember>
{
    public void Configure(EntityTypeBuilder<RotationMember> builder)
    {
        builder.ToTable("rotation_members");
        // Keyed by turn, not by person: a rotation may give someone two turns in its cycle.
        builder.HasKey(m => new { m.RotationId, m.Order });
        builder.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RotationRestrictionConfiguration : IEntityTypeConfiguration<RotationRestriction>
{
    public void Configure(EntityTypeBuilder<RotationRestriction> builder)
    {
        builder.ToTable("rotation_restrictions");
        builder.HasKey(w => new { w.RotationId, w.Day, w.Start });
        builder.Property(w => w.Day).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.Start).HasColumnName("start_time");
        builder.Property(w => w.End).HasColumnName("end_time");
    }
}
