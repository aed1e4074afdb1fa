using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;

namespace Moderation.Domain.Screening;

/// <summary>
/// Screening's two halves, shared by the ways an item reaches it: a received item's message (the worker's screening
/// consumer), a webhook's comments screened as they are stored (ADR 0604), and a staff draft screened as it is
/// submitted (ADR 0607). <see cref="ScreenAsync"/> is a pure function of the item and its school's profile, run before
/// any transaction because it may wait on the classifier; <see cref="StoreAsync"/> writes its result and routes the
/// item in the caller's transaction (ADR 0603).
/// </summary>
public sealed class ItemScreening(ScreeningEngine engine, SchoolScreeningProfiles profiles, TimeProvider time, ILogger<ItemScreening> logger)
{
    public const string Stage = "screening";

    /// <summary>The school's profile: its roll, name index and consent lists, kept between items while current.</summary>
    public async Task<SchoolScreeningProfile> ProfileAsync(ModerationDbContext db, Guid schoolId, SchoolScreeningProfiles.Key? school, CancellationToken ct) =>
        await (school is null ? profiles.GetAsync(db, schoolId, ct) : profiles.GetAsync(db, schoolId, school, ct))
        ?? throw new InvalidOperationException($"School {schoolId} does not exist.");

    /// <param name="channels">Where the item would be published, if the caller knows; otherwise read (<see cref="ItemChannels.ForAsync"/>).</param>
    public async Task<ScreeningResult> ScreenAsync(
        ModerationDbContext db, SchoolScreeningProfile profile, ModerationItem item, CancellationToken ct, IReadOnlyCollection<Consent.ConsentChannel>? channels = null)
    {
        channels ??= await ItemChannels.ForAsync(db, item, ct);
        var photos = item.Media.Select(m => new PhotoInput(m.Id, m.FileName, m.Content)).ToList();
        var result = await engine.ScreenAsync(profile, item.Text, photos, channels, ItemChannels.Today(time), ct);
        if (!result.Complete)
        {
            logger.LogWarning(
                "Screening of item {ItemId} of school {SchoolId} incomplete: {Failures}",
                item.Id == Guid.Empty ? item.PlatformItemId : item.Id.ToString(), item.SchoolId, string.Join("; ", result.Failures));
        }

        return result;
    }

    /// <summary>
    /// Writes a screening result for <paramref name="item"/>, locked and read (or stored) in the caller's transaction:
    /// the redacted text and its spans, every finding, each photo's people and verdict, a safeguarding concern for each
    /// severe category, and the move into review. An item screened for the first time is then routed (ADR 0603); one
    /// screened again after consent reconciliation (<paramref name="rescreen"/>) keeps the owner it has.
    /// </summary>
    public static async Task StoreAsync(
        IServiceProvider services, ModerationDbContext db, ModerationItem item, ScreeningResult result, bool rescreen, DateTimeOffset now, CancellationToken ct)
    {
        if (result.Photos.Count > 0 && !db.Entry(item).Collection(i => i.Media).IsLoaded)
        {
            // The photos get their verdicts; an item without any (most comments) needs no second read.
            await db.Entry(item).Collection(i => i.Media).LoadAsync(ct);
        }

        var actor = Actor.System(Stage);
        if (rescreen)
        {
            await db.ScreeningFindings.Where(f => f.ItemId == item.Id).ExecuteDeleteAsync(ct);
        }
        else
        {
            await ItemTransitions.MoveAsync(db, item, ItemState.Screening, actor, "screening-started", now, null, ct);
        }

        Store(db, item, result, now);
        foreach (var concern in result.SafeguardingConcerns)
        {
            await AuditLog.AppendAsync(
                db, item.SchoolId, actor, "safeguarding-concern-raised", now, item.Id,
                detail: $"{concern.Category} ({concern.Severity}, rule {concern.Rule}): {concern.Explanation}", cancellationToken: ct);
            Outbox.Enqueue(db, new SafeguardingConcernRaised(
                item.Id, item.SchoolId, concern.Category, concern.Severity.ToString(), concern.Rule, concern.Explanation, now), now);
        }

        await ItemTransitions.MoveAsync(
            db, item, ItemState.AwaitingReview, actor, "screened", now,
            $"{result.Findings.Count} finding(s){(result.Complete ? "" : ", incomplete")}", ct);
        if (item.AssignedAt is not null)
        {
            // Screened again after consent reconciliation sent it back: it keeps the owner it has.
            return;
        }

        // Routed in the same transaction (ADR 0603): the item is locked and read here already, and its findings are
        // known, so routing needs no message, inbox row or read of its own. The sweep routes an item this missed.
        var categories = result.Findings.Select(f => f.Category).ToHashSet(StringComparer.Ordinal);
        var routed = await services.GetRequiredService<ItemRouter>().AssignOnArrivalAsync(item, now, ct, categories);
        if (routed.Result == RoutingResult.Conflict)
        {
            // Cannot happen under the row lock taken above; if it ever does, roll back and let the retry see why.
            throw new DbUpdateConcurrencyException($"Item {item.Id} changed while it was being routed.");
        }
    }

    private static void Store(ModerationDbContext db, ModerationItem item, ScreeningResult result, DateTimeOffset now)
    {
        item.RedactedText = result.RedactedText;
        item.Redactions = JsonSerializer.Serialize(result.Redactions, ScreeningJson.Options);
        item.PhotoVerdict = result.PhotoVerdict is { } verdict ? ScreeningJson.VerdictName(verdict) : null;
        item.ScreeningComplete = result.Complete;
        item.ScreeningNote = result.Note is { } note ? Truncate(note, 1000) : null;
        foreach (var photo in result.Photos)
        {
            var media = item.Media.First(m => m.Id == photo.MediaId);
            media.Verdict = ScreeningJson.VerdictName(photo.Verdict.Kind);
            media.People = JsonSerializer.Serialize(ScreeningJson.People(photo), ScreeningJson.Options);
            media.LocationFlags = photo.LocationFlags.Count == 0 ? null : Truncate(string.Join("; ", photo.LocationFlags), 1000);
            media.PublishableContent = photo.PublishableContent;
        }

        db.ScreeningFindings.AddRange(result.Findings.Select(f => new ScreeningFinding
        {
            Id = Guid.CreateVersion7(now),
            ItemId = item.Id,
            MediaId = f.MediaId,
            Category = f.Category,
            Rule = Truncate(f.Rule, 64),
            Severity = f.Severity,
            Offset = f.Offset,
            Length = f.Length,
            Explanation = Truncate(f.Explanation, 500),
        }));
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
