using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Consent;

/// <summary>What one change does, for a person checking an import before applying it.</summary>
public enum RosterChangeKind
{
    PupilAdded,
    PupilDetailsChanged,

    /// <summary>Consent granted for a channel (new, or from objected or restricted).</summary>
    ConsentGranted,

    /// <summary>An objection or a never-publish flag: consent withdrawn (or refused from the start) for a channel.</summary>
    ConsentWithdrawn,

    /// <summary>Consent restricted for a channel (for example "no name with photo").</summary>
    ConsentRestricted,

    /// <summary>The same consent, with other dates or source details.</summary>
    ConsentDatesChanged,
}

/// <summary>One change an import makes, by line; <paramref name="From"/> and <paramref name="To"/> describe a consent.</summary>
public sealed record RosterChange(int Line, string MisId, string YearGroup, RosterChangeKind Kind, bool NewPupil, string? Channel, string? From, string? To);

public sealed record RosterImportReport(
    bool Applied,
    int Rows,
    int PupilsAdded,
    int PupilsUpdated,
    int ConsentsAdded,
    int ConsentsUpdated,
    int RowsUnchanged,
    IReadOnlyList<RosterError> Errors,
    IReadOnlyList<string> Changes,
    IReadOnlyList<RosterChange>? Details = null)
{
    public const int MaxListedChanges = 500;

    public bool Changed => PupilsAdded + PupilsUpdated + ConsentsAdded + ConsentsUpdated > 0;
}

/// <summary>
/// Applies a roster and consent export to one school in a single transaction: all of it, or (with any bad row) none of
/// it. Pupils and consents are matched on MIS id, channel and source, so importing the same file again changes nothing.
/// Pupils missing from the file are left alone; withdrawals arrive as objections.
/// </summary>
public sealed class RosterImport(ModerationDbContext db, TimeProvider time)
{
    public async Task<RosterImportReport> ImportAsync(Guid schoolId, Actor actor, TextReader csv, bool dryRun, CancellationToken ct)
    {
        var parsed = RosterCsv.Parse(csv);
        if (!parsed.Valid)
        {
            return new RosterImportReport(false, parsed.Rows.Count + parsed.Errors.Count, 0, 0, 0, 0, 0, parsed.Errors, []);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var pupils = await db.Pupils.Where(p => p.SchoolId == schoolId).ToDictionaryAsync(p => p.MisId, StringComparer.OrdinalIgnoreCase, ct);
        var pupilIds = pupils.Values.Select(p => p.Id).ToList();
        var consents = (await db.Consents.Where(c => pupilIds.Contains(c.PupilId)).ToListAsync(ct))
            .ToLookup(c => (c.PupilId, c.Channel, c.Source));
        var changes = new List<string>();
        var details = new List<RosterChange>();
        int pupilsAdded = 0, pupilsUpdated = 0, consentsAdded = 0, consentsUpdated = 0, unchanged = 0;

        foreach (var row in parsed.Rows)
        {
            var rowChanged = false;
            var newPupil = false;
            if (!pupils.TryGetValue(row.MisId, out var pupil))
            {
                pupil = new Pupil { Id = Guid.CreateVersion7(), SchoolId = schoolId, MisId = row.MisId, LegalForename = row.LegalForename, Surname = row.Surname, YearGroup = row.YearGroup };
                db.Pupils.Add(pupil);
                pupils[row.MisId] = pupil;
                pupilsAdded++;
                rowChanged = true;
                newPupil = true;
                Note(changes, $"line {row.Line}: new pupil {row.MisId} ({row.YearGroup})");
                Note(details, new RosterChange(row.Line, row.MisId, row.YearGroup, RosterChangeKind.PupilAdded, true, null, null, null));
            }
            else if (pupil.LegalForename != row.LegalForename || pupil.PreferredForename != row.PreferredForename || pupil.Surname != row.Surname || pupil.YearGroup != row.YearGroup)
            {
                pupilsUpdated++;
                rowChanged = true;
                Note(changes, $"line {row.Line}: pupil {row.MisId} details changed");
                Note(details, new RosterChange(row.Line, row.MisId, row.YearGroup, RosterChangeKind.PupilDetailsChanged, false, null, null, null));
            }

            pupil.LegalForename = row.LegalForename;
            pupil.PreferredForename = row.PreferredForename;
            pupil.Surname = row.Surname;
            pupil.YearGroup = row.YearGroup;

            foreach (var (channel, status) in Intended(row))
            {
                var restriction = status == ConsentStatus.Restricted ? row.Restriction : null;
                var existing = consents[(pupil.Id, channel, row.Source)].FirstOrDefault();
                if (existing is null)
                {
                    db.Consents.Add(new ConsentRecord
                    {
                        Id = Guid.CreateVersion7(), PupilId = pupil.Id, Channel = channel, Status = status, Restriction = restriction,
                        NeverPublish = row.NeverPublish, EffectiveFrom = row.EffectiveFrom, ExpiresOn = row.ExpiresOn, Source = row.Source,
                    });
                    consentsAdded++;
                    rowChanged = true;
                    Note(changes, $"line {row.Line}: {row.MisId} {channel} {Describe(status, restriction, row.NeverPublish)}");
                    Note(details, new RosterChange(row.Line, row.MisId, row.YearGroup, KindOf(status, restriction, row.NeverPublish, null), newPupil, channel.ToString(), null, Describe(status, restriction, row.NeverPublish)));
                }
                else if (existing.Status != status || existing.Restriction != restriction || existing.NeverPublish != row.NeverPublish
                    || existing.EffectiveFrom != row.EffectiveFrom || existing.ExpiresOn != row.ExpiresOn)
                {
                    Note(changes, $"line {row.Line}: {row.MisId} {channel} {Describe(existing.Status, existing.Restriction, existing.NeverPublish)} → {Describe(status, restriction, row.NeverPublish)}");
                    Note(details, new RosterChange(
                        row.Line, row.MisId, row.YearGroup, KindOf(status, restriction, row.NeverPublish, existing), false, channel.ToString(),
                        Describe(existing.Status, existing.Restriction, existing.NeverPublish), Describe(status, restriction, row.NeverPublish)));
                    existing.Status = status;
                    existing.Restriction = restriction;
                    existing.NeverPublish = row.NeverPublish;
                    existing.EffectiveFrom = row.EffectiveFrom;
                    existing.ExpiresOn = row.ExpiresOn;
                    consentsUpdated++;
                    rowChanged = true;
                }
            }

            if (!rowChanged)
            {
                unchanged++;
            }
        }

        var report = new RosterImportReport(!dryRun, parsed.Rows.Count, pupilsAdded, pupilsUpdated, consentsAdded, consentsUpdated, unchanged, [], changes, details);
        if (dryRun || !report.Changed)
        {
            await tx.RollbackAsync(ct);

            // What a dry run changed in memory must not be saved by a later SaveChanges on the same context (a caller's
            // own tracked rows, such as a reconciliation run, stay tracked).
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity is Pupil or ConsentRecord).ToList())
            {
                entry.State = EntityState.Detached;
            }
            return report with { Applied = !dryRun };
        }

        var now = time.GetUtcNow();
        await AuditLog.AppendAsync(
            db, schoolId, actor, "roster-imported", now,
            detail: $"{parsed.Rows.Count} rows: {pupilsAdded} pupils added, {pupilsUpdated} updated, {consentsAdded} consents added, {consentsUpdated} updated",
            cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await Screening.SchoolScreeningProfiles.BumpVersionAsync(db, schoolId, ct);
        await tx.CommitAsync(ct);
        return report;
    }

    /// <summary>A never-publish flag on a row with no channel values objects on every channel.</summary>
    private static IEnumerable<(ConsentChannel Channel, ConsentStatus Status)> Intended(RosterRow row) =>
        row.Consents.Count == 0 && row.NeverPublish
            ? Enum.GetValues<ConsentChannel>().Select(c => (c, ConsentStatus.Objected))
            : row.Consents.Select(kv => (kv.Key, kv.Value));

    private static string Describe(ConsentStatus status, string? restriction, bool neverPublish) =>
        (status == ConsentStatus.Restricted ? $"restricted ({restriction})" : status.ToString().ToLowerInvariant())
        + (neverPublish ? ", never publish" : "");

    /// <summary>What a consent change means for publishing; the same meaning with other dates or details is only that.</summary>
    private static RosterChangeKind KindOf(ConsentStatus status, string? restriction, bool neverPublish, ConsentRecord? before)
    {
        if (status == ConsentStatus.Objected || neverPublish)
        {
            return before is not null && (before.Status == ConsentStatus.Objected || before.NeverPublish)
                ? RosterChangeKind.ConsentDatesChanged
                : RosterChangeKind.ConsentWithdrawn;
        }

        if (status == ConsentStatus.Restricted)
        {
            return before is { Status: ConsentStatus.Restricted, NeverPublish: false } && before.Restriction == restriction
                ? RosterChangeKind.ConsentDatesChanged
                : RosterChangeKind.ConsentRestricted;
        }

        return before is { Status: ConsentStatus.Granted, NeverPublish: false } ? RosterChangeKind.ConsentDatesChanged : RosterChangeKind.ConsentGranted;
    }

    private static void Note<T>(List<T> changes, T change)
    {
        if (changes.Count < RosterImportReport.MaxListedChanges)
        {
            changes.Add(change);
        }
    }
}
