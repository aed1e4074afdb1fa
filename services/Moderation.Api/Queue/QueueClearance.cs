using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Queue;

/// <summary>What screening said about an item, as far as bulk decisions care (ADR 0503).</summary>
public sealed record ClearanceFacts(
    Guid Id,
    ItemKind Kind,
    ItemState State,
    bool? ScreeningComplete,
    bool Redacted,
    string? PhotoVerdict,
    bool Safeguarding,
    int Findings,
    uint Version);

/// <summary>
/// "Screened clear": screening ran to the end and found nothing at all: no pupil name redacted (approving would need
/// an edit, or be refused on platforms that cannot edit), no finding of any kind (risk, personal data, links, photo
/// consent or location), no photo that is not clear, no safeguarding concern. Only such items, awaiting review and
/// from outside the school (a staff draft is a publication that a person reads), may be decided in bulk.
/// </summary>
public static class QueueClearance
{
    /// <summary>For the queue's filter: the same rule as <see cref="Refusals"/> without the state and kind.</summary>
    public static Expression<Func<ModerationItem, bool>> ScreenedClear(ModerationDbContext db) => i =>
        i.ScreeningComplete == true && !i.Safeguarding
        && (i.RedactedText == null || i.RedactedText == i.Text)
        && (i.PhotoVerdict == null || i.PhotoVerdict == "Clear")
        && !db.ScreeningFindings.Any(f => f.ItemId == i.Id);

    public static Expression<Func<ModerationItem, bool>> Flagged(ModerationDbContext db) => i =>
        i.ScreeningComplete == false || i.Safeguarding
        || (i.RedactedText != null && i.RedactedText != i.Text)
        || (i.PhotoVerdict != null && i.PhotoVerdict != "Clear")
        || db.ScreeningFindings.Any(f => f.ItemId == i.Id);

    /// <summary>The facts of each item among <paramref name="ids"/> in <paramref name="schoolIds"/>, read in one query.</summary>
    public static async Task<Dictionary<Guid, ClearanceFacts>> FactsAsync(
        ModerationDbContext db, IReadOnlyCollection<Guid> ids, IReadOnlySet<Guid> schoolIds, CancellationToken ct)
    {
        var list = ids.ToArray();
        var rows = await db.Items.AsNoTracking()
            .Where(i => list.Contains(i.Id) && schoolIds.Contains(i.SchoolId))
            .Select(i => new ClearanceFacts(
                i.Id, i.Kind, i.State, i.ScreeningComplete,
                i.RedactedText != null && i.RedactedText != i.Text,
                i.PhotoVerdict, i.Safeguarding,
                db.ScreeningFindings.Count(f => f.ItemId == i.Id),
                i.Version))
            .ToListAsync(ct);
        return rows.ToDictionary(r => r.Id);
    }

    /// <summary>Screening found something a person must look at (the facts' side of <see cref="Flagged"/>).</summary>
    public static bool IsFlagged(ClearanceFacts f) =>
        f.ScreeningComplete == false || f.Safeguarding || f.Redacted || (f.PhotoVerdict is { } v && v != "Clear") || f.Findings > 0;

    /// <summary>Why the item may not be decided in bulk, in words; empty when it may.</summary>
    public static IReadOnlyList<string> Refusals(ClearanceFacts f)
    {
        var why = new List<string>();
        if (f.State != ItemState.AwaitingReview)
        {
            why.Add($"it is {f.State}, not awaiting review");
        }

        if (f.Kind == ItemKind.OutboundDraft)
        {
            why.Add("it is a staff draft, which is decided one at a time");
        }

        if (f.ScreeningComplete != true)
        {
            why.Add(f.ScreeningComplete is null ? "screening has not finished" : "screening is incomplete");
        }

        if (f.Redacted)
        {
            why.Add("a pupil's name was redacted");
        }

        if (f.PhotoVerdict is { } verdict && verdict != "Clear")
        {
            why.Add($"a photo is {verdict}");
        }

        if (f.Safeguarding)
        {
            why.Add("it raised a safeguarding concern");
        }

        if (f.Findings > 0)
        {
            why.Add($"screening found {f.Findings} thing(s) to look at");
        }

        return why;
    }
}
