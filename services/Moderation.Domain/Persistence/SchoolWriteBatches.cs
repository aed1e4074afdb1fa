using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Moderation.Domain.Persistence;

/// <summary>
/// Group commit per school (ADR 0601). Every write a stage makes for a school takes that school's audit-chain lock
/// (ADR 0002), held to the commit (it also serialises routing, ADR 0606); so a burst on one school
/// (a viral post) ran one transaction at a time, each paying its own BEGIN, lock, chain-head read and commit.
/// <para>
/// Here, the writes of concurrent messages for the same school join one transaction: the first caller starts a
/// batch, callers arriving while it runs queue behind it and go together in the next (at most
/// <see cref="MaxBatch"/>). A write that fails is undone alone and its caller gets its exception (the message's own
/// retry and error-queue handling are unchanged); the others commit. For that, a batch in which a write failed runs
/// again from the start with a savepoint around each write; batches run without them first, as writes rarely fail.
/// A caller's task completes only after the commit, so a consumer acknowledges its message only once its writes are
/// durable. Nothing else changes: each write still takes the locks, writes its inbox row, audit entries and outbox
/// rows exactly as it did alone.
/// </para>
/// <para>
/// A write for several schools (a webhook body's comments, ADR 0609) joins a lane instead: each school belongs to one
/// of <see cref="WriteBatchOptions.Lanes"/> lanes, and a lane's batch is one transaction for all the schools its writes name. It takes
/// their chain locks first, in id order, in one round trip, so it never waits on one lock while holding a later one.
/// A body spread over twenty schools is then a few transactions, not twenty, and lanes still run side by side.
/// </para>
/// </summary>
public sealed class SchoolWriteBatches(IServiceScopeFactory scopes, ILogger<SchoolWriteBatches> logger, IOptions<WriteBatchOptions> options)
{
    /// <summary>Most writes in one transaction: bounds how long the school's locks are held at once.</summary>
    public const int MaxBatch = 64;

    /// <summary>
    /// Most items one batch carries, for writes that say how many they carry (a webhook body's): bounds the memory of
    /// a batch when a backlog would fill it with whole bodies. A single write larger than this still goes, alone.
    /// </summary>
    public const int MaxBatchItems = 256;

    private const string Savepoint = "school_write";

    private readonly ConcurrentDictionary<Guid, SchoolQueue> _queues = new();
    private readonly ConcurrentDictionary<int, SchoolQueue> _lanes = new();
    private readonly uint _laneCount = (uint)Math.Max(1, options.Value.Lanes);
    private long _batches;
    private long _writes;

    /// <summary>Batches committed so far and the writes they carried (tests read them to see what shared a transaction).</summary>
    public (long Batches, long Writes) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _writes));

    /// <summary>Writes waiting for their school's next batch, across all schools.</summary>
    public int Queued => _queues.Values.Concat(_lanes.Values).Sum(q =>
    {
        lock (q)
        {
            return q.Pending.Count;
        }
    });

    /// <summary>
    /// Runs <paramref name="write"/> in the school's next batch transaction and returns its result once that
    /// transaction has committed. The write gets the batch's scope (its <see cref="ModerationDbContext"/> is in the
    /// transaction already); it must not begin, commit or roll back a transaction itself, and its tracked changes are
    /// saved for it.
    /// </summary>
    public Task<T> RunAsync<T>(Guid schoolId, Func<IServiceProvider, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        return EnqueueAsync<T>(_queues.GetOrAdd(schoolId, _ => new SchoolQueue()), new Work(async (services, ct) => await write(services, ct), null, 0), cancellationToken);
    }

    /// <summary>The lane a school's writes across schools go in (see <see cref="RunInLaneAsync{T}"/>).</summary>
    public int LaneOf(Guid schoolId)
    {
        Span<byte> bytes = stackalloc byte[16];
        schoolId.TryWriteBytes(bytes);
        return (int)(BitConverter.ToUInt32(bytes[12..]) % _laneCount);
    }

    /// <summary>
    /// <see cref="RunAsync{T}"/> for a write to several schools, all in one lane (<see cref="LaneOf"/>): it runs in
    /// the lane's next batch, whose transaction takes the chain locks of every school its writes name before any write
    /// runs. The write must touch no other school. <paramref name="items"/> is how many items it carries, for
    /// <see cref="MaxBatchItems"/>.
    /// </summary>
    public Task<T> RunInLaneAsync<T>(
        IReadOnlyCollection<Guid> schoolIds, int items, Func<IServiceProvider, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (schoolIds.Count == 0)
        {
            throw new ArgumentException("A write in a lane names at least one school.", nameof(schoolIds));
        }

        var lane = LaneOf(schoolIds.First());
        if (schoolIds.Any(s => LaneOf(s) != lane))
        {
            throw new ArgumentException("The schools of a write in a lane must all be in that lane.", nameof(schoolIds));
        }

        var work = new Work(async (services, ct) => await write(services, ct), schoolIds, Math.Max(items, 1));
        return EnqueueAsync<T>(_lanes.GetOrAdd(lane, _ => new SchoolQueue()), work, cancellationToken);
    }

    private async Task<T> EnqueueAsync<T>(SchoolQueue queue, Work work, CancellationToken cancellationToken)
    {
        bool start;
        lock (queue)
        {
            queue.Pending.Enqueue(work);
            start = !queue.Running;
            queue.Running = true;
        }

        if (start)
        {
            _ = Task.Run(() => DrainAsync(queue));
        }

        return (T)(await work.Done.Task.WaitAsync(cancellationToken))!;
    }

    /// <summary><see cref="RunAsync{T}"/> for a write with no result.</summary>
    public Task RunAsync(Guid schoolId, Func<IServiceProvider, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        RunAsync<object?>(schoolId, async (services, ct) =>
        {
            await write(services, ct);
            return null;
        }, cancellationToken);

    private async Task DrainAsync(SchoolQueue queue)
    {
        while (true)
        {
            List<Work> batch;
            lock (queue)
            {
                if (queue.Pending.Count == 0)
                {
                    queue.Running = false;
                    return;
                }

                batch = new List<Work>(Math.Min(queue.Pending.Count, MaxBatch));
                var items = 0;
                while (batch.Count < MaxBatch && queue.Pending.TryPeek(out var next)
                       && (batch.Count == 0 || items + next.Items <= MaxBatchItems))
                {
                    batch.Add(queue.Pending.Dequeue());
                    items += next.Items;
                }
            }

            await RunBatchAsync(batch);
        }
    }

    private async Task RunBatchAsync(List<Work> batch)
    {
        // First without savepoints: two round trips fewer per write, and writes almost never fail. If one does, the
        // whole transaction is rolled back and the batch runs again from the start, each write under its own savepoint,
        // so that only the failing write is undone (a write is a function of its message and the database, so running
        // it again in a new transaction is what a retry would do anyway).
        var attempt = await TryBatchAsync(batch, isolate: false);
        if (attempt.FailedWrite && batch.Count > 1)
        {
            attempt = await TryBatchAsync(batch, isolate: true);
        }

        if (attempt.Failure is { } cause)
        {
            // Nothing of the batch committed: every write not already failed fails with the cause.
            if (batch.Count > 1)
            {
                logger.LogWarning(cause, "A batch of {Count} writes for one school rolled back; each message is retried on its own terms.", batch.Count);
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetException(attempt.Failures[i] ?? cause);
            }

            return;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _writes, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (attempt.Failures[i] is { } failure)
            {
                batch[i].Done.TrySetException(failure);
            }
            else
            {
                batch[i].Done.TrySetResult(attempt.Results[i]);
            }
        }
    }

    /// <summary>
    /// One transaction for the batch. With <paramref name="isolate"/>, each write has its own savepoint and a failing
    /// write is undone alone; without, the first failing write rolls the whole transaction back and the attempt
    /// reports <see cref="Attempt.FailedWrite"/> (the connection still being usable) so that the batch can run again.
    /// </summary>
    private async Task<Attempt> TryBatchAsync(List<Work> batch, bool isolate)
    {
        var attempt = new Attempt(new object?[batch.Count], new Exception?[batch.Count]);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            // Savepoints are this class's own below; EF's one around every SaveChanges would only add round trips.
            db.Database.AutoSavepointsEnabled = false;
            db.InWriteBatch = true;
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            if (batch.Any(w => w.Schools is not null))
            {
                // A lane's batch: every school its writes name, locked before any of them runs, in one order.
                await Audit.AuditLog.LockChainsAsync(db, batch.SelectMany(w => w.Schools ?? []), CancellationToken.None);
            }

            for (var i = 0; i < batch.Count; i++)
            {
                if (isolate)
                {
                    await tx.CreateSavepointAsync(Savepoint, CancellationToken.None);
                }

                try
                {
                    attempt.Results[i] = await batch[i].Write(scope.ServiceProvider, CancellationToken.None);
                    await db.SaveChangesAsync(CancellationToken.None);
                    if (isolate)
                    {
                        await tx.ReleaseSavepointAsync(Savepoint, CancellationToken.None);
                    }
                }
                catch (Exception ex) when (db.Database.GetDbConnection().State == System.Data.ConnectionState.Open)
                {
                    attempt.Failures[i] = ex;
                    if (!isolate)
                    {
                        // Not committed; the transaction is rolled back when it is disposed.
                        attempt.FailedWrite = true;
                        attempt.Failure = ex;
                        return attempt;
                    }

                    // This write alone is undone; the batch goes on. (A broken connection fails the whole batch below.)
                    await tx.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
                    db.HeldInTransaction.Forget();
                }
                finally
                {
                    // The next write reads what is in the database, never this one's tracked (or rolled back) entities.
                    db.ChangeTracker.Clear();
                }
            }

            if (db.OutboxNotifyPending)
            {
                // Delivered on commit, and only then: wakes the relay once for every outbox row the batch added.
                await Messaging.Outbox.NotifyAsync(db, CancellationToken.None);
            }

            await tx.CommitAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            attempt.Failure = ex;
            attempt.FailedWrite = false;
        }

        return attempt;
    }

    private sealed class Attempt(object?[] results, Exception?[] failures)
    {
        public object?[] Results { get; } = results;

        public Exception?[] Failures { get; } = failures;

        /// <summary>Why nothing committed, if nothing did.</summary>
        public Exception? Failure { get; set; }

        /// <summary>A write failed on a usable connection, and nothing committed: the batch may run again with savepoints.</summary>
        public bool FailedWrite { get; set; }
    }

    private sealed class SchoolQueue
    {
        public Queue<Work> Pending { get; } = new();

        public bool Running { get; set; }
    }

    /// <param name="schools">The schools a write in a lane names; null for a write to one school's queue.</param>
    /// <param name="items">How many items it carries, toward <see cref="MaxBatchItems"/>; 0 if it does not say.</param>
    private sealed class Work(Func<IServiceProvider, CancellationToken, Task<object?>> write, IReadOnlyCollection<Guid>? schools, int items)
    {
        public Func<IServiceProvider, CancellationToken, Task<object?>> Write { get; } = write;

        public IReadOnlyCollection<Guid>? Schools { get; } = schools;

        public int Items { get; } = items;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
