using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Domain.Routing;

/// <summary>Settings of the routing sweep (configuration section <c>Routing</c>).</summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>Whether this process runs the sweep on a schedule at all (the worker does; tests may call it directly).</summary>
    public bool SweepEnabled { get; set; } = true;

    /// <summary>How often the clustered sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many items of each sort are handled per run; the rest wait for the next.</summary>
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>
    /// A screened item still without any routing after this long is routed by the sweep, in case the transaction
    /// that screened it did not route it (ADR 0603); the wait keeps the sweep from racing a consumer about to route it.
    /// </summary>
    public TimeSpan UnroutedGrace { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int ClaimsReleased, int HandedOn, int Kept, int Routed, int Conflicts)
{
    public override string ToString() =>
        $"{ClaimsReleased} claim(s) released, {HandedOn} overdue item(s) handed on, {Kept} kept, {Routed} unrouted item(s) routed, {Conflicts} conflict(s)";
}

/// <summary>
/// The time-limit sweep: releases claims whose lease has run out, hands overdue items on (or escalates them) through
/// <see cref="ItemRouter"/>, and routes any screened item that was never routed. Each item is its own transaction;
/// an item someone else changed meanwhile is left to them and counted as a conflict. A plain class: the Quartz job
/// calls it, and tests call it with a clock of their own.
/// </summary>
public sealed class RoutingSweep(ModerationDbContext db, ItemRouter router, TimeProvider time, IOptions<RoutingOptions> options, ILogger<RoutingSweep> logger)
{
    private const string Stage = "routing-sweep";

    public async Task<SweepReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var batch = options.Value.SweepBatchSize;
        int released = 0, handedOn = 0, kept = 0, routed = 0, conflicts = 0;

        var expired = await db.Items.AsNoTracking()
            .Where(i => i.ClaimExpiresAt != null && i.ClaimExpiresAt <= now)
            .OrderBy(i => i.ClaimExpiresAt).Select(i => i.Id).Take(batch).ToListAsync(ct);
        foreach (var id in expired)
        {
            Count(await OneAsync(id, ct, async item =>
            {
                if (item.ClaimExpiresAt is not { } until || until > now)
                {
                    return null;
                }

                var holder = item.ClaimedById;
                item.ClaimedById = null;
                item.ClaimExpiresAt = null;
                item.UpdatedAt = now;
                await AuditLog.AppendAsync(db, item.SchoolId, Actor.System(Stage), "claim-expired", now, item.Id,
                    detail: $"the viewing lease of {holder} ran out at {ItemRouter.Local(until)}; back in the queue", cancellationToken: ct);
                return RoutingResult.Reassigned;
            }), ref released, ref conflicts);
        }

        // A safeguarding item with an open case waits for the case's own acknowledgement chain (ADR 0301), which
        // moves and notifies instead: two chains would tell different people at the same moment.
        var overdue = await db.Items.AsNoTracking()
            .Where(i => i.DueAt != null && i.DueAt <= now)
            .Where(s_sweptWhenOverdue)
            .Where(i => !(i.Safeguarding && db.SafeguardingCases.Any(c => c.ItemId == i.Id && c.ClosedAt == null)))
            .OrderBy(i => i.DueAt).Select(i => i.Id).Take(batch).ToListAsync(ct);
        foreach (var id in overdue)
        {
            var result = await OneAsync(id, ct, async item =>
                item.DueAt <= now && s_isSweptWhenOverdue(item) &&
                !(item.Safeguarding && await db.SafeguardingCases.AnyAsync(c => c.ItemId == item.Id && c.ClosedAt == null, ct))
                    ? (await router.HandOnOverdueAsync(item, now, ct)).Result
                    : null);
            if (result == RoutingResult.Kept)
            {
                kept++;
            }
            else
            {
                Count(result, ref handedOn, ref conflicts);
            }
        }

        var before = now - options.Value.UnroutedGrace;
        var unrouted = await db.Items.AsNoTracking()
            .Where(i => i.State == ItemState.AwaitingReview && i.AssignedAt == null && i.UpdatedAt <= before)
            .OrderBy(i => i.UpdatedAt).Select(i => i.Id).Take(batch).ToListAsync(ct);
        foreach (var id in unrouted)
        {
            Count(await OneAsync(id, ct, async item =>
                item.State == ItemState.AwaitingReview && item.AssignedAt is null
                    ? (await router.AssignOnArrivalAsync(item, now, ct)).Result
                    : null), ref routed, ref conflicts);
        }

        var report = new SweepReport(released, handedOn, kept, routed, conflicts);
        if (released + handedOn + kept + routed + conflicts > 0)
        {
            logger.LogInformation("Routing sweep at {Now}: {Report}", now, report);
        }

        return report;
    }

    /// <summary>
    /// Open items whose time limit moves them on: anything awaiting review, and a safeguarding item (escalated to the
    /// DSL on arrival) until it is acknowledged. An item a person escalated waits for the headteacher or DSL.
    /// </summary>
    private static readonly System.Linq.Expressions.Expression<Func<ModerationItem, bool>> s_sweptWhenOverdue = i =>
        (i.State == ItemState.AwaitingReview || (i.State == ItemState.Escalated && i.Safeguarding)) &&
        !(i.Safeguarding && i.AcknowledgedAt != null);

    private static readonly Func<ModerationItem, bool> s_isSweptWhenOverdue = s_sweptWhenOverdue.Compile();

    private static void Count(RoutingResult? result, ref int done, ref int conflicts)
    {
        if (result == RoutingResult.Conflict)
        {
            conflicts++;
        }
        else if (result is not null)
        {
            done++;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh copy of one item in its own transaction. Null from the work means there
    /// was nothing to do; a conflict (the row version, the one-open-assignment index, or a deadlock) rolls back.
    /// </summary>
    private async Task<RoutingResult?> OneAsync(Guid id, CancellationToken ct, Func<ModerationItem, Task<RoutingResult?>> work)
    {
        db.ChangeTracker.Clear();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var item = await db.Items.FirstOrDefaultAsync(i => i.Id == id, ct);
            if (item is null)
            {
                return null;
            }

            var result = await work(item);
            if (result is null or RoutingResult.Conflict)
            {
                await tx.RollbackAsync(ct);
                return result;
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return result;
        }
        catch (Exception ex) when (IsConflict(ex))
        {
            logger.LogDebug(ex, "Routing sweep: item {ItemId} changed under us; left to whoever changed it", id);
            return RoutingResult.Conflict;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    internal static bool IsConflict(Exception ex) => ex switch
    {
        DbUpdateConcurrencyException => true,
        DbUpdateException { InnerException: PostgresException pg } => IsConflict(pg),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => true,
        _ => false,
    };
}
