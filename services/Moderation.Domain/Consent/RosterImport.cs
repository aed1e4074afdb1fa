using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Consent;

public sealed record RosterImportReport(
    bool Applied,
    int Rows,
    int PupilsAdded,
    int PupilsUpdated,
    int ConsentsAdded,
    int ConsentsUpdated,
    int RowsUnchanged,
    IReadOnlyList<RosterError> Errors,
    IReadOnlyList<string> Changes)
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
        int pupilsAdded = 0, pupilsUpdated = 0, consentsAdded = 0, consentsUpdated = 0, unchanged = 0;

        foreach (var row in parsed.Rows)
        {
            var rowChanged = false;
            if (!pupils.TryGetValue(row.MisId, out var pupil))
            {
                pupil = new Pupil { Id = Guid.CreateVersion7(), SchoolId = schoolId, MisId = row.MisId, LegalForename = row.LegalForename, Surname = row.Surname, YearGroup = row.YearGroup };
                db.Pupils.Add(pupil);
                pupils[row.MisId] = pupil;
                pupilsAdded++;
                rowChanged = true;
                Note(changes, $"line {row.Line}: new pupil {row.MisId} ({row.YearGroup})");
            }
            else if (pupil.LegalForename != row.LegalForename || pupil.PreferredForename != row.PreferredForename || pupil.Surname != row.Surname || pupil.YearGroup != row.YearGroup)
            {
                pupilsUpdated++;
                rowChanged = true;
                Note(changes, $"line {row.Line}: pupil {row.MisId} details changed");
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
                }
                else if (existing.Status != status || existing.Restriction != restriction || existing.NeverPublish != row.NeverPublish
                    || existing.EffectiveFrom != row.EffectiveFrom || existing.ExpiresOn != row.ExpiresOn)
                {
                    Note(changes, $"line {row.Line}: {row.MisId} {channel} {Describe(existing.Status, existing.Restriction, existing.NeverPublish)} → {Describe(status, restriction, row.NeverPublish)}");
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

        var report = new RosterImportReport(!dryRun, parsed.Rows.Count, pupilsAdded, pupilsUpdated, consentsAdded, consentsUpdated, unchanged, [], changes);
        if (dryRun || !report.Changed)
        {
            await tx.RollbackAsync(ct);
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

    private static void Note(List<string> changes, string change)
    {
        if (changes.Count < RosterImportReport.MaxListedChanges)
        {
            changes.Add(change);
        }
    }
}
