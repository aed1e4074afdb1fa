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
/// Each comment is ingested in intake's own transaction, which stores an (account, platform id) once; a redelivery,
/// or a retry after a crash between two comments, ingests nothing twice. The inbox row and the processed mark are
/// written together at the end.
/// </para>
/// </summary>
public sealed class WebhookReceivedConsumer(
    ModerationDbContext db, PlatformConnectors connectors, ItemIntake intake, TimeProvider time, ILogger<WebhookReceivedConsumer> logger)
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
            .ToDictionaryAsync(a => a.ExternalId, a => a.Id, StringComparer.Ordinal, ct);
        int ingested = 0, created = 0;
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var comment in comments)
        {
            if (comment.AccountExternalId is not { } externalId || !accounts.TryGetValue(externalId, out var accountId))
            {
                // An entry for an account removed since the body was accepted.
                unknown.Add(comment.AccountExternalId ?? "(none)");
                continue;
            }

            var (_, isNew) = await intake.IngestAsync(
                new InboundItem(accountId, comment.Kind, comment.PlatformItemId, comment.AuthorName, comment.AuthorPlatformId, comment.Text,
                    comment.PostedAt, comment.Url, comment.ParentId, comment.RawJson, HideOnArrival: comment.PubliclyVisible),
                ct);
            ingested++;
            created += isNew ? 1 : 0;
        }

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
