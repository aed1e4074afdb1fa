using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Screening;

namespace Moderation.Worker.Screening;

/// <summary>
/// The screening stage: takes a received item through screening into review. It stores the redacted text and its
/// spans, every finding with its offsets, each photo's people, verdict, location flags and clean copy, and raises a
/// safeguarding concern for each severe category. A screener that throws, a corrupt photo or a classifier that is
/// down never clears an item: it still goes to review, marked "screening incomplete" with the reason. The screened
/// item is then routed in the same transaction (ADR 0603): to the rota, or to the DSL for a safeguarding concern.
/// </summary>
public sealed class ItemReceivedConsumer(
    ModerationDbContext db,
    ScreeningEngine engine,
    SchoolScreeningProfiles profiles,
    SchoolWriteBatches batches,
    TimeProvider time,
    ILogger<ItemReceivedConsumer> logger) : IConsumer<ItemReceived>
{
    public const string Name = "screening";

    public async Task Consume(ConsumeContext<ItemReceived> context)
    {
        var ct = context.CancellationToken;

        // Screen before the transaction: it is a pure function of the item and the school, and may wait on the classifier.
        // One query for the item, its photos and the school's screening version (which says whether the kept profile is
        // current); only a draft has accounts it targets, read apart so a comment costs one trip.
        var itemId = context.Message.ItemId;
        var read = await (
                from i in db.Items.AsNoTracking()
                where i.Id == itemId
                join s in db.Schools on i.SchoolId equals s.Id
                select new { Item = i, Media = i.Media.ToList(), School = new SchoolScreeningProfiles.Key(s.ScreeningVersion, s.NamePolicy, s.ConsentModel) })
            .FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"Item {itemId} does not exist.");
        var snapshot = read.Item;
        snapshot.Media.AddRange(read.Media);
        if (snapshot.Kind == ItemKind.OutboundDraft)
        {
            snapshot.Targets.AddRange(await db.DraftTargets.AsNoTracking().Where(t => t.ItemId == snapshot.Id).ToListAsync(ct));
        }

        ScreeningResult? result = null;
        // Screening here means sent back by consent reconciliation: screen again against today's consent list.
        var rescreen = snapshot.State == ItemState.Screening;
        if (snapshot.State == ItemState.Received || rescreen)
        {
            result = await ScreenAsync(snapshot, read.School, ct);
        }

        // The writes join the school's next write batch (ADR 0601), with the school's other items arriving meanwhile.
        await batches.RunAsync(snapshot.SchoolId, (services, batchCt) => StoreAsync(services, context, rescreen, result, batchCt), ct);
    }

    private async Task StoreAsync(IServiceProvider services, ConsumeContext<ItemReceived> context, bool rescreen, ScreeningResult? result, CancellationToken ct)
    {
        var db = services.GetRequiredService<ModerationDbContext>();
        var now = time.GetUtcNow();
        if (!await Inbox.TryAcceptAsync(db, Name, context, now))
        {
            return;
        }

        // Locked before it is read, so a hide on arrival finishing meanwhile waits for this commit instead of failing it.
        var item = await ItemTransitions.LockAndReadAsync(db, context.Message.SchoolId, context.Message.ItemId, ct)
            ?? throw new InvalidOperationException($"Item {context.Message.ItemId} does not exist.");
        if (item.State != (rescreen ? ItemState.Screening : ItemState.Received) || result is null)
        {
            // Already past screening (for example re-ingested); nothing to do, and nothing to publish again.
            return;
        }

        if (result.Photos.Count > 0)
        {
            // The photos get their verdicts; an item without any (most comments) needs no second read.
            await db.Entry(item).Collection(i => i.Media).LoadAsync(ct);
        }

        var actor = Actor.System(Name);
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

    private async Task<ScreeningResult> ScreenAsync(ModerationItem item, SchoolScreeningProfiles.Key school, CancellationToken ct)
    {
        var profile = await profiles.GetAsync(db, item.SchoolId, school, ct)
            ?? throw new InvalidOperationException($"School {item.SchoolId} of item {item.Id} does not exist.");
        var channels = await ItemChannels.ForAsync(db, item, ct);
        var photos = item.Media.Select(m => new PhotoInput(m.Id, m.FileName, m.Content)).ToList();
        var today = ItemChannels.Today(time);
        var result = await engine.ScreenAsync(profile, item.Text, photos, channels, today, ct);
        if (!result.Complete)
        {
            logger.LogWarning("Screening of item {ItemId} incomplete: {Failures}", item.Id, string.Join("; ", result.Failures));
        }

        return result;
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

public sealed class ItemReceivedConsumerDefinition : ConsumerDefinition<ItemReceivedConsumer>
{
    public ItemReceivedConsumerDefinition()
    {
        EndpointName = "screening";
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ItemReceivedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 32;
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Ignore<InvalidOperationException>();
            r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
        });
    }
}
