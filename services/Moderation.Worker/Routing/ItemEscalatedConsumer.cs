using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Worker.Routing;

/// <summary>
/// An item escalated by hand goes to someone who may decide it (the headteacher, then the DSL), with a due time and a
/// notification, so that it never sits with a moderator who can no longer act on it. The escalation also opens the
/// item's safeguarding case for the DSL (or adds to its open one), with its evidence snapshot (ADR 0301).
/// </summary>
public sealed class ItemEscalatedConsumer(ModerationDbContext db, ItemRouter router, CaseCommands cases, TimeProvider time) : IConsumer<ItemEscalated>
{
    public const string Name = "routing-escalated";

    public async Task Consume(ConsumeContext<ItemEscalated> context)
    {
        var ct = context.CancellationToken;
        var message = context.Message;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, Name, context, now))
        {
            await tx.CommitAsync(ct);
            return;
        }

        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == message.ItemId, ct)
            ?? throw new InvalidOperationException($"Item {message.ItemId} does not exist.");
        var name = await db.Users.Where(u => u.Id == message.EscalatedBy).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "a member of staff";
        var by = new Actor(message.EscalatedBy, name);
        var (category, severity) = await EscalatedCaseAsync(item.Id, ct);
        await cases.OpenAsync(new CaseOpening(item.SchoolId, item.Id, category, severity, CaseSource.Escalation, false,
            $"Escalated by {name}: {message.Reason}", by, EvidenceInput.None), now, ct);
        if (item.State != ItemState.Escalated || item.Safeguarding)
        {
            // Decided since, or a safeguarding item, which routing already gave to the DSL with its acknowledgement deadline.
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return;
        }

        var outcome = await router.HandOnEscalationAsync(item, message.Reason, by, now, ct);
        if (outcome.Result == RoutingResult.Conflict)
        {
            throw new DbUpdateConcurrencyException($"Item {item.Id} changed while it was being escalated.");
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The gravest safeguarding finding screening made on the item, or unclassified (high) for the DSL to place.</summary>
    private async Task<(string Category, CaseSeverity Severity)> EscalatedCaseAsync(Guid itemId, CancellationToken ct)
    {
        var findings = await db.ScreeningFindings.AsNoTracking().Where(f => f.ItemId == itemId)
            .Select(f => new { f.Category, f.Severity }).ToListAsync(ct);
        var gravest = findings.Where(f => CaseCategories.All.Contains(f.Category)).OrderByDescending(f => f.Severity).FirstOrDefault();
        return gravest is null
            ? (CaseCategories.Unclassified, CaseSeverity.High)
            : (gravest.Category, CaseCommands.FromScreening(gravest.Severity.ToString()) is var s && s < CaseSeverity.High ? CaseSeverity.High : s);
    }
}

public sealed class ItemEscalatedConsumerDefinition : ConsumerDefinition<ItemEscalatedConsumer>
{
    public ItemEscalatedConsumerDefinition()
    {
        EndpointName = ItemEscalatedConsumer.Name;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ItemEscalatedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseConflictRetry();
}
