using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Consent.Reconciliation;

public enum ReconciliationTrigger
{
    /// <summary>The nightly job.</summary>
    Schedule,

    /// <summary>An administrator started it (with or without a file).</summary>
    OnDemand,

    /// <summary>A CSV dropped in the configured folder.</summary>
    File,
}

public enum ReconciliationStatus
{
    Queued,
    Running,
    Succeeded,

    /// <summary>The file had bad rows: nothing was applied; the errors are listed by row.</summary>
    Rejected,
    Failed,
}

/// <summary>Where a run has got to; a run that dies resumes from here.</summary>
public enum ReconciliationPhase
{
    Start,

    /// <summary>The file is applied and the diff stored: effects are next, from <see cref="ConsentReconciliationRun.Checkpoint"/>.</summary>
    Diffed,

    /// <summary>Pending items have been sent back to screening; published posts are next.</summary>
    Rescreened,
    Done,
}

/// <summary>
/// One reconciliation of a school's published and queued photos with its latest consent list (ADR 0401): the file it
/// applied (if any), the diff against the last snapshot, what it re-screened and took down, and the report for the
/// headteacher. A unique index allows one active (queued or running) run per school.
/// </summary>
public sealed class ConsentReconciliationRun
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public ReconciliationTrigger Trigger { get; set; }
    public ReconciliationStatus Status { get; set; }
    public ReconciliationPhase Phase { get; set; }

    /// <summary>Where the list came from, in words: "upload roster.csv", "drop folder: export.csv", "the current consent list".</summary>
    public required string Source { get; set; }
    public required string RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The worker running it holds it until then; after that another may resume it.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>The last item whose effects are committed, in id order, within the current phase.</summary>
    public Guid? Checkpoint { get; set; }
    public int ProgressDone { get; set; }
    public int ProgressTotal { get; set; }
    public int Added { get; set; }
    public int Withdrawn { get; set; }
    public int Restricted { get; set; }
    public int Expired { get; set; }
    public int Rescreened { get; set; }
    public int TakenDown { get; set; }
    public int NeedsHuman { get; set; }

    /// <summary>The CSV to apply, kept until the run finishes so a resumed run sees the same file.</summary>
    public string? Csv { get; set; }

    /// <summary>The file's errors by row, as JSON.</summary>
    public string? Errors { get; set; }

    /// <summary>The diff, as JSON, stored before any effect so a resumed run acts on the same changes.</summary>
    public string? Diff { get; set; }

    /// <summary>The report for the headteacher, as JSON.</summary>
    public string? Report { get; set; }
    public string? Failure { get; set; }
}

/// <summary>A pupil's consent state for one channel as the last finished run saw it: the base of the next diff.</summary>
public sealed class ConsentSnapshotEntry
{
    public Guid SchoolId { get; set; }
    public Guid PupilId { get; set; }
    public ConsentChannel Channel { get; set; }

    /// <summary>Allowed, Restricted, Objected, NeverPublish or NoConsent (the photo rules' verdict for a tagged pupil).</summary>
    public required string State { get; set; }
    public string? Restriction { get; set; }
}

internal sealed class ConsentReconciliationRunConfiguration : IEntityTypeConfiguration<ConsentReconciliationRun>
{
    public void Configure(EntityTypeBuilder<ConsentReconciliationRun> builder)
    {
        builder.ToTable("consent_reconciliation_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Trigger).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Phase).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Source).HasMaxLength(300);
        builder.Property(r => r.RequestedBy).HasMaxLength(200);
        builder.Property(r => r.Errors).HasColumnType("jsonb");
        builder.Property(r => r.Diff).HasColumnType("jsonb");
        builder.Property(r => r.Report).HasColumnType("jsonb");
        builder.Property(r => r.Failure).HasMaxLength(2000);
        builder.HasOne<School>().WithMany().HasForeignKey(r => r.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.SchoolId, r.CreatedAt });
        builder.HasIndex(r => r.SchoolId).IsUnique().HasFilter("status IN ('Queued', 'Running')").HasDatabaseName("ix_consent_reconciliation_runs_active");
    }
}

internal sealed class ConsentSnapshotEntryConfiguration : IEntityTypeConfiguration<ConsentSnapshotEntry>
{
    public void Configure(EntityTypeBuilder<ConsentSnapshotEntry> builder)
    {
        builder.ToTable("consent_snapshot_entries");
        builder.HasKey(e => new { e.PupilId, e.Channel });
        builder.Property(e => e.Channel).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.State).HasMaxLength(16);
        builder.Property(e => e.Restriction).HasMaxLength(200);
        builder.HasOne<Pupil>().WithMany().HasForeignKey(e => e.PupilId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.SchoolId);
    }
}
