using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;

namespace Moderation.Worker.Routing;

/// <summary>
/// Routes an item from an <see cref="ItemScreened"/> message: its owner and due time, from the rota or (for a
/// safeguarding concern) the DSL, with the audit entry, the owner's notification and any alert in the same transaction
/// as the inbox row, in the school's next write batch (ADR 0601). Screening now routes in its own transaction and
/// publishes no such message (ADR 0603); this consumer stays for the messages queued by a version before that, so an
/// upgrade in the middle of a burst leaves no item waiting for the sweep.
/// </summary>
public sealed class ItemScreenedConsumer(SchoolWriteBatches batches, TimeProvider time) : IConsumer<ItemScreened>
{
    public const string Name = "routing";

    public Task Consume(ConsumeContext<ItemScreened> context) =>
        batches.RunAsync(context.Message.SchoolId, (services, ct) => RouteAsync(services, context, ct), context.CancellationToken);

    private async Task RouteAsync(IServiceProvider services, ConsumeContext<ItemScreened> context, CancellationToken ct)
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
        if (item.State != ItemState.AwaitingReview || item.AssignedAt is not null)
        {
            // Routed already (by the sweep, or before a re-screen), or decided: nothing to do.
            return;
        }

        if ((await services.GetRequiredService<ItemRouter>().AssignOnArrivalAsync(item, now, ct)).Result == RoutingResult.Conflict)
        {
            // Changed under us: roll back (the inbox row too) and let the retry see what happened.
            throw new DbUpdateConcurrencyException($"Item {item.Id} changed while it was being routed.");
        }
    }
}

public sealed class ItemScreenedConsumerDefinition : ConsumerDefinition<ItemScreenedConsumer>
{
    public ItemScreenedConsumerDefinition()
    {
        EndpointName = ItemScreenedConsumer.Name;

        // Routing holds a per-school lock: with 8 at a time, a burst on one school filled every slot with items waiting
        // on that school's lock while other schools' items sat in the queue (load test, docs/benchmarks.md).
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ItemScreenedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 32;
        endpointConfigurator.UseConflictRetry();
    }
}
