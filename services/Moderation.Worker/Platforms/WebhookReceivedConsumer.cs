using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;

namespace Moderation.Worker.Platforms;

/// <summary>
/// Turns a stored webhook body into items: the platform's connector parses it, and each comment is ingested for the
/// account its entry names, to be hidden on arrival where the platform already shows it and the account is
/// pre-moderated. Then the delivery is marked processed with the count. A body that cannot be parsed is marked with
/// the reason (it stays stored for an administrator to see) instead of failing again on every redelivery.
/// <para>
/// A school's comments are ingested together in that school's next write batch (ADR 0601); intake stores an
/// (account, platform id) once, so a redelivery, or a retry after a crash between two schools, ingests nothing twice.
/// The inbox row and the processed mark are written together at the end.
/// </para>
/// </summary>
public sealed class WebhookReceivedConsumer(
    ModerationDbContext db, PlatformConnectors connectors, SchoolWriteBatches batches, TimeProvider time, ILogger<WebhookReceivedConsumer> logger)
    : IConsumer<WebhookReceived>
{
    public const string Name = "platform-webhooks";

    public async Task Consume(ConsumeContext<WebhookReceived> context)
    {
        var ct = context.CancellationToken;
        var deliveryId = context.Message.DeliveryId;
        var delivery = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} is no longer stored; nothing to ingest.", deliveryId);
            return;
        }

        if (delivery.ProcessedAt is not null)
        {
            return;
        }

        if (!connectors.TryGet(delivery.Platform, out var connector))
        {
            await FinishAsync(context, deliveryId, 0, $"No connector is registered for {delivery.Platform}.");
            return;
        }

        IReadOnlyList<PlatformComment> comments;
        try
        {
            comments = connector.ParseWebhook(delivery.Body);
        }
        catch (PlatformPayloadException ex)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} ({Platform}) could not be parsed: {Error}", deliveryId, delivery.Platform, ex.Message);
            await FinishAsync(context, deliveryId, 0, $"The body could not be parsed: {ex.Message}");
            return;
        }

        var named = comments.Select(c => c.AccountExternalId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var accounts = await db.SocialAccounts.AsNoTracking()
            .Where(a => a.Platform == delivery.Platform && named.Contains(a.ExternalId))
            .ToDictionaryAsync(a => a.ExternalId, a => new { a.Id, a.SchoolId }, StringComparer.Ordinal, ct);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var bySchool = new Dictionary<Guid, List<InboundItem>>();
        foreach (var comment in comments)
        {
            if (comment.AccountExternalId is not { } externalId || !accounts.TryGetValue(externalId, out var account))
            {
                // An entry for an account removed since the body was accepted.
                unknown.Add(comment.AccountExternalId ?? "(none)");
                continue;
            }

            if (!bySchool.TryGetValue(account.SchoolId, out var inbound))
            {
                bySchool[account.SchoolId] = inbound = [];
            }

            inbound.Add(new InboundItem(account.Id, comment.Kind, comment.PlatformItemId, comment.AuthorName, comment.AuthorPlatformId, comment.Text,
                comment.PostedAt, comment.Url, comment.ParentId, comment.RawJson, HideOnArrival: comment.PubliclyVisible));
        }

        // Each school's comments join that school's next write batch (ADR 0601), schools side by side.
        var counts = await Task.WhenAll(bySchool.Select(school => batches.RunAsync(school.Key, async (services, batchCt) =>
        {
            var intake = services.GetRequiredService<ItemIntake>();
            var created = 0;
            foreach (var inbound in school.Value)
            {
                created += (await intake.IngestAsync(inbound, batchCt)).Created ? 1 : 0;
            }

            return created;
        }, ct)));
        var ingested = bySchool.Values.Sum(c => c.Count);
        var created = counts.Sum();

        var error = unknown.Count == 0 ? null : $"Comments for unknown accounts were skipped: {string.Join(", ", unknown)}.";
        await FinishAsync(context, deliveryId, ingested, error);
        logger.LogInformation("Webhook delivery {DeliveryId} ({Platform}): {Comments} comment(s), {Created} new.", deliveryId, delivery.Platform, ingested, created);
    }

    private async Task FinishAsync(ConsumeContext<WebhookReceived> context, Guid deliveryId, int count, string? error)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var truncated = error is { Length: > 1000 } ? error[..999] + "…" : error;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await Inbox.TryAcceptAsync(db, Name, context, now);
        await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ProcessedAt, now).SetProperty(d => d.CommentCount, count).SetProperty(d => d.Error, truncated), ct);
        await tx.CommitAsync(ct);
    }
}

public sealed class WebhookReceivedConsumerDefinition : ConsumerDefinition<WebhookReceivedConsumer>
{
    public WebhookReceivedConsumerDefinition()
    {
        EndpointName = WebhookReceivedConsumer.Name;

        // The way in for a burst of comments. With MassTransit's default concurrency (none was set) the webhook
        // backlog was the largest in the load test (docs/benchmarks.md, issue 9): much of a delivery's time is spent
        // waiting on its school's audit-chain lock and on the commit, so more deliveries at once keep other schools moving.
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<WebhookReceivedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 32;
        endpointConfigurator.UseConflictRetry();
    }
}
