using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;

namespace Moderation.Worker.Platforms;

/// <summary>
/// A decision becomes stored platform actions (one per account), each with the message that starts it, in one
/// transaction with the inbox row: a redelivered decision queues nothing twice.
/// </summary>
public sealed class ItemDecidedConsumer(ModerationDbContext db, TimeProvider time) : IConsumer<ItemDecided>
{
    public const string Name = "platform-decisions";

    public async Task Consume(ConsumeContext<ItemDecided> context)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, Name, context, now))
        {
            await tx.CommitAsync(ct);
            return;
        }

        var item = await db.Items.Include(i => i.Targets).FirstOrDefaultAsync(i => i.Id == context.Message.ItemId, ct)
            ?? throw new InvalidOperationException($"Item {context.Message.ItemId} does not exist.");
        await PlatformActions.QueueDecisionAsync(db, item, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}

public sealed class ItemDecidedConsumerDefinition : ConsumerDefinition<ItemDecidedConsumer>
{
    public ItemDecidedConsumerDefinition()
    {
        EndpointName = ItemDecidedConsumer.Name;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ItemDecidedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseConflictRetry();
}

/// <summary>
/// Carries out one stored action. The executor holds a lease on the row while it calls the platform, so two workers
/// never call for the same action; everything it puts off is rescheduled through the outbox.
/// </summary>
public sealed class PlatformActionConsumer(PlatformActionExecutor executor) : IConsumer<PlatformActionRequested>
{
    public const string Name = "platform-actions";

    public Task Consume(ConsumeContext<PlatformActionRequested> context) =>
        executor.ExecuteAsync(context.Message.ActionId, context.CancellationToken);
}

public sealed class PlatformActionConsumerDefinition : ConsumerDefinition<PlatformActionConsumer>
{
    public PlatformActionConsumerDefinition()
    {
        EndpointName = PlatformActionConsumer.Name;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PlatformActionConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        UseHiccupRetry(endpointConfigurator);

    /// <summary>Platform failures are handled inside (put off, blocked or failed); this retries database hiccups only.</summary>
    internal static void UseHiccupRetry(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseMessageRetry(r => r.Exponential(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200)));
}

/// <summary>
/// Carries out actions started together (a webhook body's hides on arrival, ADR 0605): one message, and a
/// few statements and one write for many actions, each still under its own lease and done at most once.
/// </summary>
public sealed class PlatformActionsConsumer(PlatformActionExecutor executor) : IConsumer<PlatformActionsRequested>
{
    public const string Name = "platform-action-batches";

    public Task Consume(ConsumeContext<PlatformActionsRequested> context) =>
        executor.ExecuteManyAsync(context.Message.ActionIds, context.CancellationToken);
}

public sealed class PlatformActionsConsumerDefinition : ConsumerDefinition<PlatformActionsConsumer>
{
    public PlatformActionsConsumerDefinition()
    {
        EndpointName = PlatformActionsConsumer.Name;

        // Each message calls the platform for many actions side by side already.
        ConcurrentMessageLimit = 4;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<PlatformActionsConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        PlatformActionConsumerDefinition.UseHiccupRetry(endpointConfigurator);
}
