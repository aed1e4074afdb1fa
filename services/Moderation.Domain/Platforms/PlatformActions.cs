using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Npgsql;

namespace Moderation.Domain.Platforms;

/// <summary>What one attempt at an action came to.</summary>
public enum ActionAttempt
{
    /// <summary>Done, failed for good, blocked, or not this worker's to do: nothing more for this message.</summary>
    Settled,

    /// <summary>Put off to a later attempt, which is already scheduled.</summary>
    PutOff,
}

public static class PlatformActions
{
    /// <summary>Most actions one <see cref="PlatformActionsRequested"/> message carries.</summary>
    public const int MaxTogether = 64;

    /// <summary>
    /// Stores an action and, unless <paramref name="startTogether"/> collects it for <see cref="StartTogether"/>, the
    /// message that starts it, in the caller's transaction.
    /// </summary>
    public static PlatformActionRecord Queue(
        ModerationDbContext db, Guid itemId, Guid schoolId, Guid accountId, PlatformAction action, ActionPurpose purpose, DateTimeOffset now,
        ICollection<PlatformActionRecord>? startTogether = null)
    {
        var record = new PlatformActionRecord
        {
            Id = Guid.CreateVersion7(now),
            ItemId = itemId,
            SchoolId = schoolId,
            SocialAccountId = accountId,
            Action = action,
            Purpose = purpose,
            Status = ActionStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.PlatformActions.Add(record);
        if (startTogether is null)
        {
            Outbox.Enqueue(db, new PlatformActionRequested(record.Id, itemId, schoolId), now);
        }
        else
        {
            startTogether.Add(record);
        }

        return record;
    }

    /// <summary>
    /// The messages that start actions queued together (a webhook body's hides on arrival, ADR 0605): one
    /// <see cref="PlatformActionsRequested"/> for up to <see cref="MaxTogether"/> of them, in the caller's transaction.
    /// </summary>
    public static void StartTogether(ModerationDbContext db, IReadOnlyCollection<Guid> actionIds, DateTimeOffset now)
    {
        foreach (var chunk in actionIds.Distinct().Chunk(MaxTogether))
        {
            Outbox.Enqueue(db, new PlatformActionsRequested(chunk), now);
        }
    }

    /// <summary>
    /// Stores many new actions (not yet attempted) in one statement, in the caller's transaction, and for each pending
    /// one the message that starts it: the rows <see cref="Queue"/> (or adding a record) would write, without tracking
    /// them. A second action for the same item, account and purpose breaks the unique index, as it does there.
    /// </summary>
    public static async Task InsertManyAsync(ModerationDbContext db, IReadOnlyList<PlatformActionRecord> records, DateTimeOffset now, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Platform actions are written in the same transaction as their messages.");
        }

        if (records.Any(r => r.LeaseUntil is not null || r.CompletedAt is not null || r.Result is not null || r.ResultPlatformId is not null || r.ResultUrl is not null))
        {
            throw new ArgumentException("Only new actions, not yet attempted, are stored many at once.", nameof(records));
        }

        if (records.Count == 0)
        {
            return;
        }

        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO platform_actions (id, item_id, school_id, social_account_id, action, purpose, status, attempts, created_at, next_attempt_at, last_error)
            SELECT u.id, u.item_id, u.school_id, u.social_account_id, u.action, u.purpose, u.status, u.attempts, u.created_at, u.next_attempt_at, u.last_error
            FROM unnest(@id, @item_id, @school_id, @social_account_id, @action, @purpose, @status, @attempts, @created_at, @next_attempt_at, @last_error)
                 WITH ORDINALITY AS u(id, item_id, school_id, social_account_id, action, purpose, status, attempts, created_at, next_attempt_at, last_error, n)
            ORDER BY u.n
            """,
            [
                new NpgsqlParameter("id", records.Select(r => r.Id).ToArray()),
                new NpgsqlParameter("item_id", records.Select(r => r.ItemId).ToArray()),
                new NpgsqlParameter("school_id", records.Select(r => r.SchoolId).ToArray()),
                new NpgsqlParameter("social_account_id", records.Select(r => r.SocialAccountId).ToArray()),
                new NpgsqlParameter("action", records.Select(r => r.Action.ToString()).ToArray()),
                new NpgsqlParameter("purpose", records.Select(r => r.Purpose.ToString()).ToArray()),
                new NpgsqlParameter("status", records.Select(r => r.Status.ToString()).ToArray()),
                new NpgsqlParameter("attempts", records.Select(r => r.Attempts).ToArray()),
                new NpgsqlParameter("created_at", records.Select(r => r.CreatedAt).ToArray()),
                new NpgsqlParameter("next_attempt_at", records.Select(r => r.NextAttemptAt).ToArray()),
                ArrayParameters.Texts("last_error", records.Select(r => r.LastError)),
            ],
            ct);
        var pending = records.Where(r => r.Status == ActionStatus.Pending).Select(r => new PlatformActionRequested(r.Id, r.ItemId, r.SchoolId)).ToList();
        await Outbox.EnqueueManyAsync(db, pending, now, ct);
    }

    /// <summary>
    /// Queues what a decision leaves to do: one action on the item's account, or a publish to each target account of
    /// a staff draft. Nothing when there is nothing to do, or when it is already queued (a redelivered decision).
    /// </summary>
    public static async Task<int> QueueDecisionAsync(ModerationDbContext db, ModerationItem item, DateTimeOffset now, CancellationToken ct)
    {
        if (item.PendingAction == PlatformAction.None)
        {
            return 0;
        }

        IReadOnlyList<Guid> accounts = item.Kind == ItemKind.OutboundDraft
            ? item.Targets.Select(t => t.SocialAccountId).ToList()
            : item.SocialAccountId is { } own ? [own] : [];
        var queued = await db.PlatformActions.Where(a => a.ItemId == item.Id && a.Purpose == ActionPurpose.Decision)
            .Select(a => a.SocialAccountId).ToListAsync(ct);
        var added = 0;
        foreach (var account in accounts.Except(queued))
        {
            Queue(db, item.Id, item.SchoolId, account, item.PendingAction, ActionPurpose.Decision, now);
            added++;
        }

        return added;
    }

    /// <summary>Requeues the actions an account's expired credentials blocked, once it is reconnected.</summary>
    public static async Task<int> ResumeBlockedAsync(ModerationDbContext db, Guid accountId, DateTimeOffset now, CancellationToken ct)
    {
        var blocked = await db.PlatformActions.Where(a => a.SocialAccountId == accountId && a.Status == ActionStatus.Blocked).ToListAsync(ct);
        foreach (var action in blocked)
        {
            action.Status = ActionStatus.Pending;
            action.NextAttemptAt = now;
            action.LastError = null;
            Outbox.Enqueue(db, new PlatformActionRequested(action.Id, action.ItemId, action.SchoolId), now);
        }

        return blocked.Count;
    }
}

/// <summary>
/// Carries out one stored platform action, at most one worker at a time: the worker takes a lease on the row, calls
/// the platform through the account's resilience pipeline, and records the outcome on the action and the item. A
/// failure worth retrying puts the action off with a delayed message; 401 or 403 marks the account as needing
/// reconnection, tells the administrators, and blocks the account's actions (hidden items stay hidden); a refusal
/// fails the action and says why on the item. A worker that dies mid-call leaves its lease to run out, after which a
/// redelivered message takes the action over.
/// </summary>
public sealed class PlatformActionExecutor(
    ModerationDbContext db,
    PlatformConnectors connectors,
    AccountConnections connections,
    Notifier notifier,
    SchoolWriteBatches batches,
    TimeProvider time,
    IOptions<PlatformOptions> options,
    ILogger<PlatformActionExecutor> logger)
{
    private const string Stage = "platform";
    private readonly PlatformOptions _options = options.Value;

    public async Task<ActionAttempt> ExecuteAsync(Guid actionId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var leaseUntil = now + _options.ActionLease;
        var taken = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE platform_actions SET status = {ActionStatus.Running.ToString()}, lease_until = {leaseUntil}, attempts = attempts + 1
            WHERE id = {actionId}
              AND ((status IN ({ActionStatus.Pending.ToString()}, {ActionStatus.Waiting.ToString()}) AND next_attempt_at <= {now})
                   OR (status = {ActionStatus.Running.ToString()} AND lease_until < {now}))
            """,
            ct);
        var action = await db.PlatformActions.FirstOrDefaultAsync(a => a.Id == actionId, ct);
        if (action is null)
        {
            // The item was deleted (retention), and its actions with it.
            return ActionAttempt.Settled;
        }

        if (taken == 0)
        {
            return await NotTakenAsync(action, now, ct);
        }

        try
        {
            return await RunAsync(action, now, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await GiveBackAsync([actionId], now);
            throw;
        }
    }

    /// <summary>
    /// Carries out several actions together (ADR 0605), <see cref="PlatformOptions.ActionsCalledAtOnce"/>
    /// at a time: one statement takes their leases and one read each fetches their items and accounts; the platform
    /// calls run side by side; one statement marks those done and one write in the school's write batch records them
    /// on their items. Each action is still taken under its own lease, which covers one call as it does alone, and is
    /// carried out at most once. One that is not a plain hide on arrival, or whose call fails, is settled as it would
    /// be alone; one this worker could not take is left to its holder, as a message of its own would be.
    /// </summary>
    public async Task ExecuteManyAsync(IReadOnlyCollection<Guid> actionIds, CancellationToken ct)
    {
        foreach (var round in actionIds.Distinct().Chunk(Math.Max(1, _options.ActionsCalledAtOnce)))
        {
            await ExecuteRoundAsync(round, ct);
        }
    }

    private async Task ExecuteRoundAsync(Guid[] ids, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var leaseUntil = now + _options.ActionLease;
        var taken = await db.Database.SqlQuery<Guid>(
            $"""
            UPDATE platform_actions SET status = {ActionStatus.Running.ToString()}, lease_until = {leaseUntil}, attempts = attempts + 1
            WHERE id = ANY({ids})
              AND ((status IN ({ActionStatus.Pending.ToString()}, {ActionStatus.Waiting.ToString()}) AND next_attempt_at <= {now})
                   OR (status = {ActionStatus.Running.ToString()} AND lease_until < {now}))
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        var others = ids.Except(taken).ToList();
        if (others.Count > 0)
        {
            // Settled already (a redelivery), deleted, or put off with a message of its own: nothing to do, as its own
            // message would find. One another worker holds is looked at again when that lease runs out.
            var held = await db.PlatformActions.AsNoTracking().Where(a => others.Contains(a.Id) && a.Status == ActionStatus.Running)
                .Select(a => a.Id).ToListAsync(ct);
            foreach (var other in held)
            {
                await ExecuteAsync(other, ct);
            }
        }

        if (taken.Count == 0)
        {
            return;
        }

        try
        {
            await RunManyAsync(taken, now, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await GiveBackAsync(taken, now);
            throw;
        }
    }

    /// <summary>
    /// Not the platform's failure (those are handled inside) but ours, a database hiccup: the leases still held are
    /// given back so that the message's retry can take the actions at once instead of waiting for them to run out.
    /// </summary>
    private async Task GiveBackAsync(IReadOnlyCollection<Guid> actionIds, DateTimeOffset now)
    {
        db.ChangeTracker.Clear();
        var ids = actionIds.ToArray();
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE platform_actions SET status = {ActionStatus.Waiting.ToString()}, lease_until = NULL, next_attempt_at = {now}, attempts = attempts - 1
            WHERE id = ANY({ids}) AND status = {ActionStatus.Running.ToString()}
            """,
            CancellationToken.None);
    }

    private async Task RunManyAsync(IReadOnlyCollection<Guid> taken, DateTimeOffset now, CancellationToken ct)
    {
        var actions = await db.PlatformActions.Where(a => taken.Contains(a.Id)).ToListAsync(ct);
        var itemIds = actions.Select(a => a.ItemId).Distinct().ToList();
        var items = await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id))
            .Select(i => new { i.Id, i.Kind, i.PlatformItemId, Photos = i.Media.Count })
            .ToDictionaryAsync(i => i.Id, ct);
        var accountIds = actions.Select(a => a.SocialAccountId).Distinct().ToList();
        var accounts = await db.SocialAccounts.AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var opened = new Dictionary<Guid, ConnectedAccount?>();
        foreach (var account in accounts.Values.Where(a => a.ConnectionStatus == ConnectionStatus.Connected))
        {
            try
            {
                opened[account.Id] = connections.Open(account);
            }
            catch (CredentialsUnreadableException)
            {
                // Its actions go the one-at-a-time way, which marks the account as needing reconnection.
                opened[account.Id] = null;
            }
        }

        var calls = new List<(PlatformActionRecord Action, SocialAccount Account, ConnectedAccount Connected, string PlatformItemId)>();
        var alone = new List<PlatformActionRecord>();
        foreach (var action in actions)
        {
            if (action.Purpose == ActionPurpose.Arrival && action.Action == PlatformAction.Hide
                && items.TryGetValue(action.ItemId, out var item) && item.Kind != ItemKind.OutboundDraft && item.PlatformItemId is { } platformItemId
                && accounts.TryGetValue(action.SocialAccountId, out var account) && opened.GetValueOrDefault(account.Id) is { } connected
                && connectors.For(account.Platform).Capabilities.Supports(action.Action, ownPost: false, photos: item.Photos > 0))
            {
                calls.Add((action, account, connected, platformItemId));
            }
            else
            {
                alone.Add(action);
            }
        }

        foreach (var action in alone)
        {
            await RunAsync(action, now, ct);
        }

        var results = new PlatformActionResult?[calls.Count];
        var failures = new Exception?[calls.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, calls.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, calls.Count), CancellationToken = ct },
            async (i, callCt) =>
            {
                var (action, account, connected, platformItemId) = calls[i];
                try
                {
                    results[i] = await connectors.For(account.Platform).ApplyAsync(connected, action.Action, platformItemId, callCt);
                }
                catch (Exception ex) when (IsAlreadyDone(action, ex))
                {
                    results[i] = AlreadyGone;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !callCt.IsCancellationRequested)
                {
                    failures[i] = ex;
                }
            });

        var done = Enumerable.Range(0, calls.Count).Where(i => results[i] is not null)
            .Select(i => (calls[i].Action, Sentence(calls[i].Action, calls[i].Account, results[i]!), results[i]!)).ToList();
        if (done.Count > 0)
        {
            await CompleteManyAsync(done, ct);
        }

        // A rate limit or an outage usually fails the whole round: put off together, with one message for them all.
        var putOff = Enumerable.Range(0, calls.Count)
            .Where(i => failures[i] is PlatformCallException { IsTransient: true, Uncertain: false })
            .Select(i => (calls[i].Action, (PlatformCallException)failures[i]!)).ToList();
        if (putOff.Count > 0)
        {
            await PutOffManyAsync(putOff, now, ct);
        }

        Exception? unexpected = null;
        for (var i = 0; i < calls.Count; i++)
        {
            if (failures[i] is not { } failure || failure is PlatformCallException { IsTransient: true, Uncertain: false })
            {
                continue;
            }

            if (failure is PlatformCallException or CredentialsUnreadableException)
            {
                var (action, _, _, _) = calls[i];
                var item = await db.Items.FirstAsync(x => x.Id == action.ItemId, ct);
                var account = await db.SocialAccounts.FirstAsync(a => a.Id == action.SocialAccountId, ct);
                await SettleFailedCallAsync(action, item, account, failure, now, ct);
            }
            else
            {
                unexpected ??= failure;
            }
        }

        if (unexpected is not null)
        {
            // Ours, not the platform's: the message's retry takes over what is left (GiveBackAsync).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(unexpected).Throw();
        }

        logger.LogInformation("Platform actions: {Done} of {Count} carried out together.", done.Count, actions.Count);
    }

    private async Task<ActionAttempt> RunAsync(PlatformActionRecord action, DateTimeOffset now, CancellationToken ct)
    {
        var item = await db.Items.Include(i => i.Media).FirstAsync(i => i.Id == action.ItemId, ct);
        var account = await db.SocialAccounts.FirstAsync(a => a.Id == action.SocialAccountId, ct);
        if (await WaitForArrivalHideAsync(action, now, ct))
        {
            return ActionAttempt.PutOff;
        }

        if (action.Purpose == ActionPurpose.Decision && action.Action is PlatformAction.Unhide or PlatformAction.Publish
            && await db.PlatformActions.AnyAsync(a => a.ItemId == item.Id && a.Purpose == ActionPurpose.Takedown, ct))
        {
            // A safeguarding case or a consent withdrawal took the item down after the approval: it must not reappear.
            return await SettleUnsuccessfullyAsync(action, item, account, ActionStatus.Failed,
                $"Not shown on {account.Platform}: the item was taken down after it was approved", now, notify: false, ct);
        }

        if (account.ConnectionStatus != ConnectionStatus.Connected)
        {
            return await BlockAsync(action, item, account, $"the {account.Platform} account {account.Handle} is {Describe(account.ConnectionStatus)}", now, ct);
        }

        var connector = connectors.For(account.Platform);
        var ownPost = item.Kind == ItemKind.OutboundDraft;
        if (!connector.Capabilities.Supports(action.Action, ownPost, photos: item.Media.Count > 0))
        {
            var what = ownPost ? item.Media.Count > 0 ? "publish posts with photos" : "publish text-only posts" : $"{Infinitive(action.Action)} others' content";
            return await FailAsync(action, item, account, $"{account.Platform} does not let the service {what}", now, ct);
        }

        PlatformActionResult result;
        try
        {
            var connected = connections.Open(account);
            var platformItemId = item.PlatformItemId;
            result = (action.Action, ownPost, item.ApprovedText, connector) switch
            {
                (PlatformAction.Publish, true, _, _) => await connector.PublishAsync(connected, Publication(item), ct),
                (PlatformAction.Hide or PlatformAction.Delete, true, _, _) when action.Purpose == ActionPurpose.Takedown =>
                    await connector.ApplyAsync(connected, action.Action, await PublishedPostIdAsync(action, ct), ct),
                (_, true, _, _) => throw new InvalidOperationException($"Item {item.Id} is the school's own post; only publishing applies."),
                (PlatformAction.Publish, false, { } text, ICommentEditor editor) when action.Purpose == ActionPurpose.Decision =>
                    await editor.ApproveWithTextAsync(connected, platformItemId!, text, ct),
                _ => await connector.ApplyAsync(connected, action.Action, platformItemId ?? throw new InvalidOperationException($"Item {item.Id} has no platform id."), ct),
            };
        }
        catch (Exception ex) when (IsAlreadyDone(action, ex))
        {
            result = AlreadyGone;
        }
        catch (Exception ex) when (ex is PlatformCallException or CredentialsUnreadableException)
        {
            return await SettleFailedCallAsync(action, item, account, ex, now, ct);
        }

        return await CompleteAsync(action, item, account, result, ct);
    }

    private static readonly PlatformActionResult AlreadyGone = new("already gone from the platform");

    /// <summary>A hide or delete of something the platform no longer has: what the action wanted is true.</summary>
    private static bool IsAlreadyDone(PlatformActionRecord action, Exception failure) =>
        failure is PlatformCallException { Failure: PlatformFailure.NotFound } && action.Action is PlatformAction.Delete or PlatformAction.Hide;

    /// <summary>What a call that failed comes to: the account reconnected, a retry later, or a failure a person sees.</summary>
    private async Task<ActionAttempt> SettleFailedCallAsync(
        PlatformActionRecord action, ModerationItem item, SocialAccount account, Exception failure, DateTimeOffset now, CancellationToken ct) =>
        failure switch
        {
            CredentialsUnreadableException or PlatformCallException { Failure: PlatformFailure.Unauthorized } =>
                await NeedsReconnectionAsync(action, item, account, failure.Message, now, ct),
            // Trying again could post twice: a person checks the platform and publishes by hand if it isn't there.
            PlatformCallException { Uncertain: true } =>
                await FailAsync(action, item, account, $"{failure.Message}. Check {account.Handle} before posting again by hand", now, ct),
            PlatformCallException { IsTransient: true } ex => await PutOffAsync(action, ex, now, ct),
            PlatformCallException => await FailAsync(action, item, account, failure.Message, now, ct),
            _ => throw new ArgumentException($"Not a platform call's failure: {failure.GetType().Name}.", nameof(failure)),
        };

    /// <summary>The platform's id of the school's post on this account, from the publish that made it.</summary>
    private async Task<string> PublishedPostIdAsync(PlatformActionRecord action, CancellationToken ct) =>
        await db.PlatformActions.AsNoTracking()
            .Where(a => a.ItemId == action.ItemId && a.SocialAccountId == action.SocialAccountId && a.Purpose == ActionPurpose.Decision
                && a.Action == PlatformAction.Publish && a.Status == ActionStatus.Done)
            .Select(a => a.ResultPlatformId).FirstOrDefaultAsync(ct)
        ?? throw new PlatformCallException(PlatformFailure.Rejected, $"the post of item {action.ItemId} has no platform id to take down");

    private async Task<ActionAttempt> NotTakenAsync(PlatformActionRecord action, DateTimeOffset now, CancellationToken ct)
    {
        switch (action.Status)
        {
            case ActionStatus.Running:
                // Another worker holds it; if that worker dies, this message comes back when the lease has run out.
                await ScheduleAsync(action, action.LeaseUntil ?? now, now, ct);
                return ActionAttempt.PutOff;
            case ActionStatus.Pending or ActionStatus.Waiting:
                // Early: its own delayed message is on the way, and this one is a redelivery.
                return ActionAttempt.PutOff;
            default:
                return ActionAttempt.Settled;
        }
    }

    /// <summary>A decision on an item waits until the hide on arrival has settled, so a later hide can't undo an approval.</summary>
    private async Task<bool> WaitForArrivalHideAsync(PlatformActionRecord action, DateTimeOffset now, CancellationToken ct)
    {
        if (action.Purpose == ActionPurpose.Arrival)
        {
            return false;
        }

        var arrival = await db.PlatformActions.AsNoTracking()
            .FirstOrDefaultAsync(a => a.ItemId == action.ItemId && a.Purpose == ActionPurpose.Arrival
                && (a.Status == ActionStatus.Pending || a.Status == ActionStatus.Running || a.Status == ActionStatus.Waiting), ct);
        if (arrival is null)
        {
            return false;
        }

        var after = (arrival.Status == ActionStatus.Running ? arrival.LeaseUntil : arrival.NextAttemptAt) ?? now;
        var next = (after > now ? after : now) + TimeSpan.FromSeconds(1);
        action.Status = ActionStatus.Waiting;
        action.Attempts--;
        action.LeaseUntil = null;
        action.LastError = "waiting for the hide on arrival to finish first";
        await ScheduleAsync(action, next, now, ct);
        return true;
    }

    private async Task ScheduleAsync(PlatformActionRecord action, DateTimeOffset at, DateTimeOffset now, CancellationToken ct)
    {
        action.NextAttemptAt = at;
        Outbox.Enqueue(db, new PlatformActionRequested(action.Id, action.ItemId, action.SchoolId), now, at);
        await db.SaveChangesAsync(ct);
    }

    private async Task<ActionAttempt> PutOffAsync(PlatformActionRecord action, PlatformCallException ex, DateTimeOffset now, CancellationToken ct)
    {
        var wait = PutOff(action, ex);
        logger.LogWarning("Platform action {ActionId} ({Action} on item {ItemId}) put off for {Wait}: {Error}", action.Id, action.Action, action.ItemId, wait, ex.Message);
        await RecordAccountErrorAsync(action.SocialAccountId, ex.Message, now, ct);
        await ScheduleAsync(action, now + wait, now, ct);
        return ActionAttempt.PutOff;
    }

    /// <summary>
    /// <see cref="PutOffAsync"/> for actions called together: each waits as long as it would alone, and one
    /// <see cref="PlatformActionsRequested"/>, due when the last of them is, starts them all again.
    /// </summary>
    private async Task PutOffManyAsync(IReadOnlyList<(PlatformActionRecord Action, PlatformCallException Failure)> putOff, DateTimeOffset now, CancellationToken ct)
    {
        var due = now;
        foreach (var (action, failure) in putOff)
        {
            action.NextAttemptAt = now + PutOff(action, failure);
            due = action.NextAttemptAt > due ? action.NextAttemptAt : due;
        }

        foreach (var account in putOff.GroupBy(p => p.Action.SocialAccountId))
        {
            await RecordAccountErrorAsync(account.Key, account.First().Failure.Message, now, ct);
        }

        Outbox.Enqueue(db, new PlatformActionsRequested(putOff.Select(p => p.Action.Id).ToArray()), now, due);
        await db.SaveChangesAsync(ct);
        logger.LogWarning("{Count} platform actions put off until {Due}: {Error}", putOff.Count, due, putOff[0].Failure.Message);
    }

    /// <summary>Marks an action as waiting after a failure worth retrying; returns how long it waits.</summary>
    private TimeSpan PutOff(PlatformActionRecord action, PlatformCallException ex)
    {
        var wait = _options.RetryIntervalAfter(action.Attempts);
        if (ex.RetryAfter is { } after && after > wait)
        {
            wait = after;
        }

        action.Status = ActionStatus.Waiting;
        action.LeaseUntil = null;
        action.LastError = Truncate(ex.Message);
        return wait;
    }

    private async Task<ActionAttempt> CompleteAsync(PlatformActionRecord action, ModerationItem item, SocialAccount account, PlatformActionResult result, CancellationToken ct)
    {
        // The platform has acted. That is recorded first, in a statement of its own, so that no failure after this point
        // can lead to a second call: a retry finds the action done.
        var now = time.GetUtcNow();
        var description = Truncate(result.Description);
        await db.PlatformActions.Where(a => a.Id == action.Id).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Status, ActionStatus.Done)
            .SetProperty(a => a.LeaseUntil, (DateTimeOffset?)null)
            .SetProperty(a => a.CompletedAt, now)
            .SetProperty(a => a.LastError, (string?)null)
            .SetProperty(a => a.Result, description)
            .SetProperty(a => a.ResultPlatformId, result.PlatformId)
            .SetProperty(a => a.ResultUrl, result.Url), CancellationToken.None);
        var sentence = Sentence(action, account, result);
        await RecordOnItemsAsync(action.SchoolId, [(action, sentence)], now, ct);
        logger.LogInformation("Platform action {ActionId}: {Outcome}", action.Id, sentence);
        return ActionAttempt.Settled;
    }

    /// <summary>
    /// <see cref="CompleteAsync"/> for actions the platform carried out together: marked done in one statement first,
    /// then recorded on their items in one write.
    /// </summary>
    private async Task CompleteManyAsync(IReadOnlyList<(PlatformActionRecord Action, string Sentence, PlatformActionResult Result)> done, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ids = done.Select(d => d.Action.Id).ToArray();
        var descriptions = done.Select(d => Truncate(d.Result.Description)).ToArray();
        var platformIds = done.Select(d => d.Result.PlatformId).ToArray();
        var urls = done.Select(d => d.Result.Url).ToArray();
        await db.Database.ExecuteSqlRawAsync(
            """
            UPDATE platform_actions AS a
            SET status = @done, lease_until = NULL, completed_at = @now, last_error = NULL, result = u.result, result_platform_id = u.platform_id, result_url = u.url
            FROM unnest(@ids, @results, @platform_ids, @urls) AS u(id, result, platform_id, url)
            WHERE a.id = u.id
            """,
            [
                new NpgsqlParameter("done", ActionStatus.Done.ToString()),
                new NpgsqlParameter("now", now),
                new NpgsqlParameter("ids", ids),
                ArrayParameters.Texts("results", descriptions),
                ArrayParameters.Texts("platform_ids", platformIds),
                ArrayParameters.Texts("urls", urls),
            ],
            CancellationToken.None);
        // The schools of a lane in one write batch (ADR 0609), the lanes side by side.
        await Task.WhenAll(done.GroupBy(d => d.Action.SchoolId).GroupBy(school => batches.LaneOf(school.Key))
            .Select(lane => RecordOnItemsAsync(lane.Select(school => (school.Key, (IReadOnlyList<(PlatformActionRecord, string)>)school.Select(d => (d.Action, d.Sentence)).ToList())).ToList(), now, ct)));
    }

    /// <summary>
    /// Records finished actions on their items in the school's write batch, with the school's other writes of the
    /// moment (ADR 0601): a viral post's hides share their commits. Screening or routing changing an item at the same
    /// moment makes it read again and add the outcome.
    /// </summary>
    private Task RecordOnItemsAsync(Guid schoolId, IReadOnlyList<(PlatformActionRecord Action, string Sentence)> finished, DateTimeOffset now, CancellationToken ct) =>
        RecordOnItemsAsync([(schoolId, finished)], now, ct);

    /// <summary>
    /// <see cref="RecordOnItemsAsync(Guid, IReadOnlyList{ValueTuple{PlatformActionRecord, string}}, DateTimeOffset, CancellationToken)"/>
    /// for several schools of one lane, in the lane's write batch (ADR 0609).
    /// </summary>
    private async Task RecordOnItemsAsync(
        IReadOnlyList<(Guid SchoolId, IReadOnlyList<(PlatformActionRecord Action, string Sentence)> Finished)> schools, DateTimeOffset now, CancellationToken ct)
    {
        async Task<bool> Write(IServiceProvider services, CancellationToken batchCt)
        {
            var batchDb = services.GetRequiredService<ModerationDbContext>();
            var rests = await RecordHidesOnArrivalAsync(batchDb, schools, now, batchCt);
            foreach (var (schoolId, rest) in rests)
            {
                if (rest.Count == 0)
                {
                    continue;
                }

                var items = (await ItemTransitions.LockAndReadManyAsync(batchDb, schoolId, rest.Select(f => f.Action.ItemId).Distinct().ToList(), batchCt))
                    .ToDictionary(i => i.Id);
                foreach (var (action, sentence) in rest)
                {
                    var item = items.GetValueOrDefault(action.ItemId)
                        ?? throw new InvalidOperationException($"Item {action.ItemId} of platform action {action.Id} does not exist.");
                    await RecordOnItemAsync(batchDb, action, item, sentence, now, batchCt);
                }
            }

            return true;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await (schools.Count == 1
                    ? batches.RunAsync(schools[0].SchoolId, Write, ct)
                    : batches.RunInLaneAsync(schools.Select(s => s.SchoolId).ToList(), schools.Sum(s => s.Finished.Count), Write, ct));
                return;
            }
            catch (Exception ex) when (attempt < 5 && ex is DbUpdateConcurrencyException or PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
            {
                // The write reads its items afresh in the next batch.
                await Task.Delay(50 * attempt, ct);
            }
        }
    }

    /// <summary>
    /// Records the hides on arrival among each school's finished actions set-based: a hide on arrival changes nothing on
    /// its item but <c>hidden_on_platform</c> and the time, so the items of all the schools are marked in one statement
    /// under the schools' chain locks, each with its audit entry, instead of each read whole, tracked and saved on its
    /// own (in a burst, one per comment: docs/benchmarks.md, issue 9, tenth pass). An item this transaction has tracked
    /// already goes the usual way, so its tracked copy stays current.
    /// </summary>
    /// <returns>Each school's rest, for the usual way.</returns>
    private static async Task<List<(Guid SchoolId, IReadOnlyList<(PlatformActionRecord Action, string Sentence)> Unrecorded)>> RecordHidesOnArrivalAsync(
        ModerationDbContext db, IReadOnlyList<(Guid SchoolId, IReadOnlyList<(PlatformActionRecord Action, string Sentence)> Finished)> schools,
        DateTimeOffset now, CancellationToken ct)
    {
        var hides = schools
            .SelectMany(s => s.Finished.Where(f => f.Action is { Purpose: ActionPurpose.Arrival, Action: PlatformAction.Hide } && db.TrackedItem(f.Action.ItemId) is null)
                .Select(f => (s.SchoolId, f.Action, f.Sentence)))
            .ToList();
        if (hides.Count == 0)
        {
            return [.. schools];
        }

        // The chains' locks first, as every writer of a school's items takes it before their rows (ADR 0601).
        var schoolIds = hides.Select(h => h.SchoolId).Distinct().ToArray();
        await AuditLog.LockChainsAsync(db, schoolIds, ct);
        var ids = hides.Select(h => h.Action.ItemId).Distinct().ToArray();
        var marked = await db.Items.Where(i => ids.Contains(i.Id) && schoolIds.Contains(i.SchoolId))
            .ExecuteUpdateAsync(x => x.SetProperty(i => i.HiddenOnPlatform, true).SetProperty(i => i.UpdatedAt, now), ct);
        if (marked != ids.Length)
        {
            throw new InvalidOperationException(
                $"{ids.Length - marked} item(s) hidden on arrival by platform actions of school(s) {string.Join(", ", schoolIds)} do not exist.");
        }

        foreach (var (schoolId, action, sentence) in hides)
        {
            await AuditLog.AppendAsync(db, schoolId, Actor.System(Stage), DoneAction(action), now, action.ItemId, detail: Truncate(sentence), cancellationToken: ct);
        }

        var recorded = hides.Select(h => h.Action.Id).ToHashSet();
        return schools.Select(s => (s.SchoolId, (IReadOnlyList<(PlatformActionRecord Action, string Sentence)>)s.Finished.Where(f => !recorded.Contains(f.Action.Id)).ToList()))
            .ToList();
    }

    /// <summary>The audit action of an action carried out on the platform: <c>platform-hide</c>, <c>platform-show</c> and so on.</summary>
    private static string DoneAction(PlatformActionRecord action) => $"platform-{action.Action.ToString().ToLowerInvariant()}";

    private static string Sentence(PlatformActionRecord action, SocialAccount account, PlatformActionResult result) =>
        $"{Verb(action.Action)} on {account.Platform} ({account.Handle}): {result.Description}";

    /// <summary>
    /// The item's side of a finished action: hidden or not, its outcome, the audit entry, and actioned when the last
    /// decision action is done. Runs in the school's write batch, which saves and commits it, on the item locked and read.
    /// </summary>
    private static async Task RecordOnItemAsync(ModerationDbContext db, PlatformActionRecord action, ModerationItem item, string sentence, DateTimeOffset now, CancellationToken ct)
    {
        if (action.Action == PlatformAction.Hide)
        {
            item.HiddenOnPlatform = true;
        }
        else if (action.Action is PlatformAction.Unhide or PlatformAction.Delete)
        {
            item.HiddenOnPlatform = false;
        }

        await AuditLog.AppendAsync(db, item.SchoolId, Actor.System(Stage), DoneAction(action), now, item.Id,
            detail: Truncate(sentence), cancellationToken: ct);
        if (action.Purpose == ActionPurpose.Takedown)
        {
            // Why it came down (consent withdrawn, a safeguarding case) is in the audit entry of whoever asked for it.
            item.PlatformOutcome = Truncate(Join(item.PlatformOutcome, "taken down: " + sentence));
        }

        if (action.Purpose == ActionPurpose.Decision)
        {
            item.PlatformOutcome = Truncate(Join(item.PlatformOutcome, sentence));
            var open = await db.PlatformActions.CountAsync(a => a.ItemId == item.Id && a.Purpose == ActionPurpose.Decision && a.Status != ActionStatus.Done, ct);
            if (open == 0 && item.State is ItemState.Approved or ItemState.Rejected)
            {
                await ItemTransitions.MoveAsync(db, item, ItemState.Actioned, Actor.System(Stage), "actioned", now, Truncate(item.PlatformOutcome), ct);
            }
        }

        item.UpdatedAt = now;
    }

    private async Task<ActionAttempt> FailAsync(PlatformActionRecord action, ModerationItem item, SocialAccount account, string reason, DateTimeOffset now, CancellationToken ct) =>
        await SettleUnsuccessfullyAsync(action, item, account, ActionStatus.Failed, $"Could not {Infinitive(action.Action)} on {account.Platform}: {reason}", now, notify: true, ct);

    private async Task<ActionAttempt> BlockAsync(PlatformActionRecord action, ModerationItem item, SocialAccount account, string reason, DateTimeOffset now, CancellationToken ct) =>
        await SettleUnsuccessfullyAsync(action, item, account, ActionStatus.Blocked, $"Waiting to {Infinitive(action.Action)} on {account.Platform}: {reason}", now, notify: false, ct);

    private async Task<ActionAttempt> NeedsReconnectionAsync(PlatformActionRecord action, ModerationItem item, SocialAccount account, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AccountTrouble.NeedsReconnectionAsync(db, notifier, account, reason, now, ct);
        return await SettleUnsuccessfullyAsync(action, item, account, ActionStatus.Blocked,
            $"Waiting to {Infinitive(action.Action)} on {account.Platform}: the account needs reconnecting ({reason})", now, notify: false, ct, tx);
    }

    private async Task<ActionAttempt> SettleUnsuccessfullyAsync(
        PlatformActionRecord action, ModerationItem item, SocialAccount account, ActionStatus status, string sentence, DateTimeOffset now, bool notify, CancellationToken ct,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? outer = null)
    {
        await using var own = outer is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var tx = outer ?? own!;
        await LockItemAsync(item, ct);
        action.Status = status;
        action.LeaseUntil = null;
        action.LastError = Truncate(sentence);
        if (action.Purpose != ActionPurpose.Arrival)
        {
            item.PlatformOutcome = Truncate(sentence);
            item.UpdatedAt = now;
        }

        await AuditLog.AppendAsync(db, item.SchoolId, Actor.System(Stage), $"platform-{status.ToString().ToLowerInvariant()}", now, item.Id,
            detail: Truncate(sentence), cancellationToken: ct);
        if (notify)
        {
            await AccountTrouble.NotifyAdministratorsAsync(db, notifier, account.SchoolId, item.Id,
                $"A {account.Platform} action failed",
                $"A decision could not be carried out on {account.Platform} ({account.Handle}). Open the item to see why and act on the platform by hand if needed.",
                now, ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogWarning("Platform action {ActionId}: {Outcome}", action.Id, sentence);
        return ActionAttempt.Settled;
    }

    private Task RecordAccountErrorAsync(Guid accountId, string error, DateTimeOffset now, CancellationToken ct) =>
        AccountTrouble.RecordErrorAsync(db, accountId, error, now, ct);

    /// <summary>
    /// Several actions of one item (a draft published to three accounts) finish at once: each takes the item's row lock
    /// and reads it afresh, so their outcomes add up instead of failing on each other's version.
    /// </summary>
    private async Task LockItemAsync(ModerationItem item, CancellationToken ct)
    {
        await ItemTransitions.LockAsync(db, item.SchoolId, item.Id, ct);
        await db.Entry(item).ReloadAsync(ct);
    }

    private static Publication Publication(ModerationItem item) => new(
        item.Id,
        item.ApprovedText ?? item.RedactedText ?? item.Text,
        item.Media.Select(m => new PublicationPhoto(m.FileName, m.ContentType,
            m.PublishableContent ?? throw new InvalidOperationException($"Photo {m.Id} of item {item.Id} has no location-stripped copy to publish."),
            m.Id)).ToList());

    private static string Describe(ConnectionStatus status) => status switch
    {
        ConnectionStatus.NeedsReconnection => "waiting to be reconnected",
        ConnectionStatus.Disconnected => "disconnected",
        _ => "not connected",
    };

    private static string Verb(PlatformAction action) => action switch
    {
        PlatformAction.Publish => "Published",
        PlatformAction.Unhide => "Shown",
        PlatformAction.Hide => "Hidden",
        PlatformAction.Delete => "Deleted",
        _ => action.ToString(),
    };

    private static string Infinitive(PlatformAction action) => action == PlatformAction.Unhide ? "show" : action.ToString().ToLowerInvariant();

    private static string Join(string? before, string sentence) => string.IsNullOrEmpty(before) ? sentence : $"{before}; {sentence}";

    private static string Truncate(string? text) => AccountTrouble.Truncate(text);
}
