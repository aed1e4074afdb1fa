using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;

namespace Moderation.Worker.Platforms;

/// <summary>
/// Turns a stored webhook body into items: the platform's connector parses it, and each comment is ingested for the
/// account its entry names, to be hidden on arrival where the platform already shows it and the account is
/// pre-moderated. Then the delivery is marked processed with the count. A body that cannot be parsed is marked with
/// the reason (it stays stored for an administrator to see) instead of failing again on every redelivery.
/// <para>
/// The comments are ingested in the write batches of their schools' lanes (ADR 0609): a lane's schools in one
/// transaction. Intake stores an (account, platform id) once, so a redelivery, or a retry after a crash between two
/// lanes, ingests nothing twice.
/// The inbox row and the processed mark are written together at the end.
/// </para>
/// <para>
/// Each comment is screened before the batch and, once stored, screened and routed in the batch's transaction
/// (ADR 0604): it reaches review and its owner with no message, inbox row or read of its own, as a received item's
/// message would take it there.
/// </para>
/// <para>
/// The body's hides on arrival start together, with one message sent as the delivery is marked processed (ADR 0605).
/// </para>
/// </summary>
public sealed class WebhookReceivedConsumer(
    ModerationDbContext db,
    PlatformConnectors connectors,
    ItemScreening screening,
    SchoolWriteBatches batches,
    TimeProvider time,
    ILogger<WebhookReceivedConsumer> logger)
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
        // With each account, what its school's screening profile must match: one query for the body's schools, not
        // one per school as screening would read it.
        var accounts = await (
                from a in db.SocialAccounts.AsNoTracking()
                join s in db.Schools on a.SchoolId equals s.Id
                where a.Platform == delivery.Platform && named.Contains(a.ExternalId)
                select new { Account = a, Profile = new SchoolScreeningProfiles.Key(s.ScreeningVersion, s.NamePolicy, s.ConsentModel) })
            .ToDictionaryAsync(a => a.Account.ExternalId, StringComparer.Ordinal, ct);
        var profileKeys = accounts.Values.DistinctBy(a => a.Account.SchoolId).ToDictionary(a => a.Account.SchoolId, a => a.Profile);
        // Intake takes them as read here rather than reading each school's again in its batch.
        var accountsRead = accounts.Values.ToDictionary(a => a.Account.Id, a => a.Account);
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        var bySchool = new Dictionary<Guid, List<InboundItem>>();
        foreach (var comment in comments)
        {
            if (comment.AccountExternalId is not { } externalId || !accounts.TryGetValue(externalId, out var read))
            {
                // An entry for an account removed since the body was accepted.
                unknown.Add(comment.AccountExternalId ?? "(none)");
                continue;
            }

            var account = read.Account;
            if (!bySchool.TryGetValue(account.SchoolId, out var inbound))
            {
                bySchool[account.SchoolId] = inbound = [];
            }

            inbound.Add(new InboundItem(account.Id, comment.Kind, comment.PlatformItemId, comment.AuthorName, comment.AuthorPlatformId, comment.Text,
                comment.PostedAt, comment.Url, comment.ParentId, comment.RawJson, HideOnArrival: comment.PubliclyVisible));
        }

        // Screened first, school by school: a pure function of each comment and its school's profile (ADR 0604).
        var screened = new Dictionary<Guid, IReadOnlyList<ScreeningResult>?>();
        foreach (var (schoolId, inbound) in bySchool)
        {
            screened[schoolId] = await ScreenAsync(schoolId, profileKeys[schoolId], inbound, delivery.Platform, ct);
        }

        // Then the schools' comments join their lanes' next write batches (ADR 0609): a lane's schools in one
        // transaction, lanes side by side.
        var stored = await Task.WhenAll(bySchool.Keys.GroupBy(batches.LaneOf)
            .Select(lane => StoreAsync(lane.ToDictionary(s => s, s => bySchool[s]), screened, accountsRead, ct)));
        var ingested = bySchool.Values.Sum(c => c.Count);
        var created = stored.Sum(s => s.Created);
        var hides = stored.SelectMany(s => s.Hides).ToList();
        if (created < ingested)
        {
            // Some were stored before: this may be the message again after a crash between a school's write and the
            // end, so the hides of those stored then may not have started yet.
            hides.AddRange(await UnstartedHidesAsync(bySchool.Values.SelectMany(c => c).ToList(), ct));
        }

        var error = unknown.Count == 0 ? null : $"Comments for unknown accounts were skipped: {string.Join(", ", unknown)}.";
        await FinishAsync(context, deliveryId, ingested, error, hides);
        logger.LogInformation("Webhook delivery {DeliveryId} ({Platform}): {Comments} comment(s), {Created} new.", deliveryId, delivery.Platform, ingested, created);
    }

    /// <summary>
    /// Each comment's screening, or null if the school's could not be done here (its profile could not be read, say):
    /// its comments are then stored to be screened apart, as a received item's message.
    /// </summary>
    private async Task<IReadOnlyList<ScreeningResult>?> ScreenAsync(
        Guid schoolId, SchoolScreeningProfiles.Key profileKey, List<InboundItem> inbound, Platform platform, CancellationToken ct)
    {
        try
        {
            var profile = await screening.ProfileAsync(db, schoolId, profileKey, ct);
            var results = new List<ScreeningResult>(inbound.Count);
            foreach (var comment in inbound)
            {
                var snapshot = new ModerationItem
                {
                    SchoolId = schoolId, Kind = comment.Kind, Platform = platform, PlatformItemId = comment.PlatformItemId, Text = comment.Text,
                };
                results.Add(await screening.ScreenAsync(db, profile, snapshot, ct));
            }

            return results;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "The comments of school {SchoolId} could not be screened as they arrived; they are stored to be screened apart.", schoolId);
            return null;
        }
    }

    /// <summary>
    /// Stores the comments of a lane's schools in the lane's next write batch (ADR 0609). A screened comment stored for
    /// the first time is screened and routed in that same transaction (ADR 0604), so it reaches its owner with no
    /// message between. If that fails, the batch is rolled back and each school's comments are stored again the
    /// two-stage way: each with an <see cref="ItemReceived"/> message, whose consumer retries and, failing that, leaves
    /// it in the error queue for an administrator. Either way no comment is lost, and one that cannot be screened never
    /// reaches the decision queue unscreened.
    /// </summary>
    /// <returns>How many were stored for the first time, and the hides on arrival queued for them to start together.</returns>
    private async Task<(int Created, IReadOnlyList<Guid> Hides)> StoreAsync(
        Dictionary<Guid, List<InboundItem>> lane, Dictionary<Guid, IReadOnlyList<ScreeningResult>?> screened,
        IReadOnlyDictionary<Guid, SocialAccount> accountsRead, CancellationToken ct)
    {
        var apart = lane.Keys.Where(s => screened[s] is null).ToList();
        var together = lane.Keys.Where(s => screened[s] is not null).ToList();
        var created = 0;
        IReadOnlyList<Guid> hides = [];
        if (together.Count > 0)
        {
            var inbound = together.SelectMany(s => lane[s]).ToList();
            var results = together.SelectMany(s => screened[s]!).ToList();
            try
            {
                (created, hides) = await batches.RunInLaneAsync(together, inbound.Count, async (services, batchCt) =>
                {
                    var batchDb = services.GetRequiredService<ModerationDbContext>();
                    var intake = services.GetRequiredService<ItemIntake>();
                    var count = 0;
                    var queued = new List<PlatformActionRecord>();
                    // Added, to be inserted with the batch in their final state (ADR 0608); those stored before come back null.
                    var stored = await intake.IngestToScreenAsync(inbound, queued, batchCt, accountsRead);
                    for (var i = 0; i < inbound.Count; i++)
                    {
                        if (stored[i] is not { } item)
                        {
                            continue;
                        }

                        // Saved with the batch, all of these comments in one command: routing counts the assignments
                        // this transaction has made so far without reading them back.
                        await ItemScreening.StoreAsync(services, batchDb, item, results[i], rescreen: false, time.GetUtcNow(), batchCt);
                        count++;
                    }

                    return (count, (IReadOnlyList<Guid>)queued.Select(h => h.Id).ToList());
                }, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The comments of schools {SchoolIds} could not be screened as they were stored; they are stored to be screened apart.", together);
                apart.AddRange(together);
            }
        }

        // Stored the two-stage way, school by school, each hide on arrival with a message of its own.
        var createdApart = await Task.WhenAll(apart.Select(schoolId => StoreApartAsync(schoolId, lane[schoolId], ct)));
        return (created + createdApart.Sum(), hides);
    }

    private Task<int> StoreApartAsync(Guid schoolId, List<InboundItem> inbound, CancellationToken ct) =>
        batches.RunAsync(schoolId, async (services, batchCt) =>
        {
            var intake = services.GetRequiredService<ItemIntake>();
            var created = 0;
            foreach (var comment in inbound)
            {
                created += (await intake.IngestAsync(comment, batchCt)).Created ? 1 : 0;
            }

            return created;
        }, ct);

    /// <summary>The hides on arrival of these comments that are queued and were never started.</summary>
    private async Task<List<Guid>> UnstartedHidesAsync(List<InboundItem> comments, CancellationToken ct)
    {
        var accountIds = comments.Select(c => c.SocialAccountId).Distinct().ToList();
        var platformIds = comments.Select(c => c.PlatformItemId).Distinct().ToList();
        return await (
                from action in db.PlatformActions
                join item in db.Items on action.ItemId equals item.Id
                where action.Purpose == ActionPurpose.Arrival && action.Status == ActionStatus.Pending && action.Attempts == 0
                      && item.SocialAccountId != null && accountIds.Contains(item.SocialAccountId.Value) && platformIds.Contains(item.PlatformItemId!)
                select action.Id)
            .ToListAsync(ct);
    }

    /// <summary>
    /// Marks the delivery processed, with its inbox row and the message that starts its comments' hides on arrival
    /// together (ADR 0605): one message for the body, not one per comment or per school.
    /// </summary>
    private async Task FinishAsync(ConsumeContext<WebhookReceived> context, Guid deliveryId, int count, string? error, IReadOnlyCollection<Guid>? hides = null)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var truncated = error is { Length: > 1000 } ? error[..999] + "…" : error;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await Inbox.TryAcceptAsync(db, Name, context, now);
        await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.ProcessedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ProcessedAt, now).SetProperty(d => d.CommentCount, count).SetProperty(d => d.Error, truncated), ct);
        if (hides is { Count: > 0 })
        {
            PlatformActions.StartTogether(db, hides, now);
            await db.SaveChangesAsync(ct);
        }

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
