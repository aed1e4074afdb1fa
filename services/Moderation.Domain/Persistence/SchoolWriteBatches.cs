using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
/// </summary>
public sealed class SchoolWriteBatches(IServiceScopeFactory scopes, ILogger<SchoolWriteBatches> logger)
{
    /// <summary>Most writes in one transaction: bounds how long the school's locks are held at once.</summary>
    public const int MaxBatch = 64;

    private const string Savepoint = "school_write";

    private readonly ConcurrentDictionary<Guid, SchoolQueue> _queues = new();
    private long _batches;
    private long _writes;

    /// <summary>Batches committed so far and the writes they carried (tests read them to see what shared a transaction).</summary>
    public (long Batches, long Writes) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _writes));

    /// <summary>Writes waiting for their school's next batch, across all schools.</summary>
    public int Queued => _queues.Values.Sum(q =>
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
    public async Task<T> RunAsync<T>(Guid schoolId, Func<IServiceProvider, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var work = new Work(async (services, ct) => await write(services, ct));
        var queue = _queues.GetOrAdd(schoolId, _ => new SchoolQueue());
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
                while (batch.Count < MaxBatch && queue.Pending.TryDequeue(out var next))
                {
                    batch.Add(next);
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

    private sealed class Work(Func<IServiceProvider, CancellationToken, Task<object?>> write)
    {
        public Func<IServiceProvider, CancellationToken, Task<object?>> Write { get; } = write;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
