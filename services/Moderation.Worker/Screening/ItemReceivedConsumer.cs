using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
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
    ItemScreening screening,
    SchoolWriteBatches batches,
    TimeProvider time) : IConsumer<ItemReceived>
{
    public const string Name = ItemScreening.Stage;

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
            var profile = await screening.ProfileAsync(db, snapshot.SchoolId, read.School, ct);
            result = await screening.ScreenAsync(db, profile, snapshot, ct);
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

        await ItemScreening.StoreAsync(services, db, item, result, rescreen, now, ct);
    }
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
