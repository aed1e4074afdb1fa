using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Screening;

namespace Moderation.Worker.Screening;

/// <summary>
/// The screening stage: takes a received item through screening into review, storing every finding with its offsets.
/// A screener that throws never clears an item: it still goes to review, marked "screening incomplete" with the reason.
/// </summary>
public sealed class ItemReceivedConsumer(
    ModerationDbContext db,
    IEnumerable<ITextScreener> screeners,
    TimeProvider time,
    ILogger<ItemReceivedConsumer> logger) : IConsumer<ItemReceived>
{
    public const string Name = "screening";

    public async Task Consume(ConsumeContext<ItemReceived> context)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, Name, context, now))
        {
            await tx.CommitAsync(ct);
            return;
        }

        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == context.Message.ItemId, ct)
            ?? throw new InvalidOperationException($"Item {context.Message.ItemId} does not exist.");
        if (item.State != ItemState.Received)
        {
            // Already past screening (for example re-ingested); nothing to do, and nothing to publish again.
            await tx.CommitAsync(ct);
            return;
        }

        var actor = Actor.System(Name);
        await ItemTransitions.MoveAsync(db, item, ItemState.Screening, actor, "screening-started", now, null, ct);

        var failures = new List<string>();
        var findings = new List<Finding>();
        foreach (var screener in screeners)
        {
            try
            {
                findings.AddRange(screener.Screen(item.Text));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Screener {Screener} failed on item {ItemId}", screener.Name, item.Id);
                failures.Add($"{screener.Name}: {ex.Message}");
            }
        }

        db.ScreeningFindings.AddRange(findings.Select(f => new ScreeningFinding
        {
            Id = Guid.CreateVersion7(now),
            ItemId = item.Id,
            Category = f.Category,
            Rule = f.Rule,
            Severity = f.Severity,
            Offset = f.Offset,
            Length = f.Length,
            Explanation = f.Explanation,
        }));
        item.ScreeningComplete = failures.Count == 0;
        item.ScreeningNote = failures.Count == 0 ? null : Truncate("Screening incomplete: " + string.Join("; ", failures), 1000);
        await ItemTransitions.MoveAsync(
            db, item, ItemState.AwaitingReview, actor, "screened", now, $"{findings.Count} finding(s){(failures.Count > 0 ? ", incomplete" : "")}", ct);
        Outbox.Enqueue(db, new ItemScreened(item.Id, item.SchoolId, failures.Count == 0, findings.Count, now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
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
