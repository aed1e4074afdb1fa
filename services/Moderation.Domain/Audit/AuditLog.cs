using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Domain.Audit;

/// <summary>Who did something: a signed-in person, or a named system stage.</summary>
public sealed record Actor(Guid? UserId, string Name)
{
    public static Actor System(string stage) => new(null, $"system:{stage}");
}

public sealed record AuditBreak(long Seq, long Position, string Reason);

/// <summary>One entry to append with <see cref="AuditLog.AppendManyAsync"/>: what <see cref="AuditLog.AppendAsync"/> takes.</summary>
public sealed record AuditRecord(Actor Actor, string Action, DateTimeOffset At, Guid? ItemId = null, string? FromState = null, string? ToState = null, string? Detail = null);

public sealed record AuditVerification(Guid ChainId, long EntriesChecked, AuditBreak? FirstBroken)
{
    public bool Intact => FirstBroken is null;
}

/// <summary>Appends hash-chained audit entries inside the caller's transaction, and verifies chains.</summary>
public static class AuditLog
{
    public const string Genesis = "genesis";

    /// <summary>
    /// Takes the chain's lock for the rest of the transaction. Code that also locks rows first takes this, so every
    /// writer locks in one order (chain, then rows) and none deadlocks with another.
    /// </summary>
    /// <remarks>
    /// The chain's head is read in the same round trip, as a second statement, so the append that nearly always follows
    /// need not ask for it (docs/benchmarks.md, issue 9, ninth pass). Each statement of a batch takes its own snapshot
    /// under READ COMMITTED, so the head read sees every entry committed before the lock was granted.
    /// </remarks>
    public static async Task LockChainAsync(ModerationDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        if (db.HeldInTransaction.Holds(db, chainId))
        {
            return;
        }

        Locked(db, chainId, await ReadHeadAsync(db, chainId, lockFirst: true, cancellationToken));
    }

    /// <summary>Remembers that this transaction holds the chain's lock, and the head read with it.</summary>
    private static void Locked(ModerationDbContext db, Guid chainId, (long Position, string Hash) head)
    {
        db.HeldInTransaction.Locked(db, chainId);
        // Entries of the chain added before the lock (none, unless a failed transaction's were left tracked) are later
        // than the stored head: AppendAsync then follows them instead.
        if (db.HeldInTransaction.TryGet(db, chainId) is null && !db.Added<AuditEntry>().Any(e => e.ChainId == chainId))
        {
            db.HeldInTransaction.Set(db, chainId, head.Position, head.Hash);
        }
    }

    /// <summary>A batch of statements on the context's connection, in its transaction: one round trip.</summary>
    private static async Task<NpgsqlBatch> BatchAsync(ModerationDbContext db, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        return new NpgsqlBatch(connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
    }

    /// <summary>
    /// Takes several chains' locks, in id order (the order every writer of several chains takes them in, so none waits
    /// on another the other way round), and reads their heads, in one round trip: as <see cref="LockChainAsync"/> does
    /// for each in turn. Chains already held are skipped.
    /// </summary>
    public static async Task LockChainsAsync(ModerationDbContext db, IEnumerable<Guid> chainIds, CancellationToken cancellationToken)
    {
        var wanted = chainIds.Distinct().Where(c => !db.HeldInTransaction.Holds(db, c)).Order().ToArray();
        if (wanted.Length <= 1)
        {
            foreach (var chainId in wanted)
            {
                await LockChainAsync(db, chainId, cancellationToken);
            }

            return;
        }

        await using var batch = await BatchAsync(db, cancellationToken);
        // An aggregate over the array's rows takes the locks in the array's order, one after the other.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT count(pg_advisory_xact_lock(hashtextextended(c, 7))) FROM unnest($1::text[]) AS c")
        {
            Parameters = { new() { Value = wanted.Select(c => c.ToString()).ToArray() } },
        });
        // A statement of its own: its snapshot is taken after every lock was granted (see LockChainAsync).
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            """
            SELECT c.id, h.position, h.hash
            FROM unnest($1::uuid[]) AS c(id)
            LEFT JOIN LATERAL (SELECT position, hash FROM audit_entries WHERE chain_id = c.id ORDER BY position DESC LIMIT 1) h ON true
            """)
        {
            Parameters = { new() { Value = wanted } },
        });
        var heads = new Dictionary<Guid, (long Position, string Hash)>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                heads[reader.GetGuid(0)] = reader.IsDBNull(1) ? (0, Genesis) : (reader.GetInt64(1), reader.GetString(2));
            }
        }

        foreach (var chainId in wanted)
        {
            Locked(db, chainId, heads[chainId]);
        }
    }

    /// <summary>
    /// Reads the chain's last position and hash; with <paramref name="lockFirst"/>, takes the chain's lock in the same
    /// round trip, as the batch's first statement, so the read follows the lock.
    /// </summary>
    private static async Task<(long Position, string Hash)> ReadHeadAsync(ModerationDbContext db, Guid chainId, bool lockFirst, CancellationToken cancellationToken)
    {
        await using var batch = await BatchAsync(db, cancellationToken);
        if (lockFirst)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
            {
                Parameters = { new() { Value = chainId.ToString() } },
            });
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT position, hash FROM audit_entries WHERE chain_id = $1 ORDER BY position DESC LIMIT 1")
        {
            Parameters = { new() { Value = chainId } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (lockFirst)
        {
            await reader.NextResultAsync(cancellationToken);
        }

        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetString(1)) : (0, Genesis);
    }

    /// <summary>
    /// Appends an entry to the school's chain. Must run inside a transaction: the advisory lock that orders the chain
    /// is held until that transaction ends, so the entry commits or vanishes with the change it records.
    /// </summary>
    public static async Task<AuditEntry> AppendAsync(
        ModerationDbContext db,
        Guid chainId,
        Actor actor,
        string action,
        DateTimeOffset at,
        Guid? itemId = null,
        string? fromState = null,
        string? toState = null,
        string? detail = null,
        CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Audit entries are written in the same transaction as the change they record.");
        }

        long position;
        string prevHash;
        if (db.HeldInTransaction.TryGet(db, chainId) is { } head)
        {
            // Appended to earlier in this transaction, saved or not: the lock is held and this is the head. Asked first,
            // because looking for unsaved entries goes through every tracked entity, and a write batch can track hundreds.
            position = head.Position + 1;
            prevHash = head.Hash;
        }
        else if (db.Added<AuditEntry>()
                     .Where(e => e.ChainId == chainId)
                     .OrderByDescending(e => e.Position)
                     .FirstOrDefault() is { } pending)
        {
            position = pending.Position + 1;
            prevHash = pending.Hash;
        }
        else
        {
            var (lastPosition, lastHash) = await LockAndReadHeadAsync(db, chainId, cancellationToken);
            position = lastPosition + 1;
            prevHash = lastHash;
        }

        var entry = new AuditEntry
        {
            ChainId = chainId,
            Position = position,
            At = TruncateToMicroseconds(at),
            ActorId = actor.UserId,
            Actor = actor.Name,
            Action = action,
            ItemId = itemId,
            FromState = fromState,
            ToState = toState,
            Detail = detail,
            PrevHash = prevHash,
            Hash = "",
        };
        entry.Hash = ComputeHash(entry);
        db.AuditEntries.Add(entry);
        db.HeldInTransaction.Set(db, chainId, entry.Position, entry.Hash);
        return entry;
    }

    /// <summary>Takes the chain's lock (held to the end of the transaction) and reads its last position and hash.</summary>
    private static async Task<(long Position, string Hash)> LockAndReadHeadAsync(ModerationDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        var held = db.HeldInTransaction.Holds(db, chainId);
        var head = await ReadHeadAsync(db, chainId, lockFirst: !held, cancellationToken);
        db.HeldInTransaction.Locked(db, chainId);
        return head;
    }

    /// <summary>
    /// Appends many entries to the school's chain in one statement, in the caller's transaction: the same entries, links
    /// and hashes as calling <see cref="AppendAsync"/> for each in turn, without tracking thousands of entities. Entries
    /// appended with <see cref="AppendAsync"/> and not yet saved would be given the same positions, so there must be none.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> AppendManyAsync(
        ModerationDbContext db, Guid chainId, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Audit entries are written in the same transaction as the change they record.");
        }

        if (db.Added<AuditEntry>().Any(e => e.ChainId == chainId))
        {
            throw new InvalidOperationException("Save the audit entries already added to this chain before appending many at once.");
        }

        if (records.Count == 0)
        {
            return [];
        }

        var (position, prevHash) = db.HeldInTransaction.TryGet(db, chainId) ?? await LockAndReadHeadAsync(db, chainId, cancellationToken);
        var entries = new AuditEntry[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var entry = new AuditEntry
            {
                ChainId = chainId, Position = ++position, At = TruncateToMicroseconds(r.At), ActorId = r.Actor.UserId, Actor = r.Actor.Name,
                Action = r.Action, ItemId = r.ItemId, FromState = r.FromState, ToState = r.ToState, Detail = r.Detail, PrevHash = prevHash, Hash = "",
            };
            entry.Hash = ComputeHash(entry);
            prevHash = entry.Hash;
            entries[i] = entry;
        }

        await InsertAsync(db, entries, cancellationToken);
        db.HeldInTransaction.Set(db, chainId, position, prevHash);
        return entries;
    }

    /// <summary>
    /// Takes the entries appended with <see cref="AppendAsync"/> and not yet saved out of the context's tracking, each
    /// chain's in the order of its positions, for <see cref="InsertAsync"/> (see
    /// <see cref="ModerationDbContext.SaveChangesAsync(bool, CancellationToken)"/>).
    /// </summary>
    internal static List<AuditEntry> TakeUnsaved(ModerationDbContext db)
    {
        var added = db.AddedEntries<AuditEntry>();
        var entries = new List<AuditEntry>(added.Count);
        foreach (var entry in added.OrderBy(e => e.Entity.ChainId).ThenBy(e => e.Entity.Position))
        {
            entry.State = EntityState.Detached;
            entries.Add(entry.Entity);
        }

        return entries;
    }

    /// <summary>
    /// Writes entries whose positions and hashes are set, in one statement, in the order given (so their <c>seq</c>
    /// follows it). Their <c>seq</c> is not read back.
    /// </summary>
    internal static Task InsertAsync(ModerationDbContext db, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO audit_entries (chain_id, position, at, actor_id, actor, action, item_id, from_state, to_state, detail, prev_hash, hash)
            SELECT u.chain_id, u.position, u.at, u.actor_id, u.actor, u.action, u.item_id, u.from_state, u.to_state, u.detail, u.prev_hash, u.hash
            FROM unnest(@chain_id, @position, @at, @actor_id, @actor, @action, @item_id, @from_state, @to_state, @detail, @prev_hash, @hash)
                 WITH ORDINALITY AS u(chain_id, position, at, actor_id, actor, action, item_id, from_state, to_state, detail, prev_hash, hash, ord)
            ORDER BY u.ord
            """,
            [
                new NpgsqlParameter("chain_id", entries.Select(e => e.ChainId).ToArray()),
                new NpgsqlParameter("position", entries.Select(e => e.Position).ToArray()),
                new NpgsqlParameter("at", entries.Select(e => e.At).ToArray()),
                ArrayParameters.Uuids("actor_id", entries.Select(e => e.ActorId)),
                new NpgsqlParameter("actor", entries.Select(e => e.Actor).ToArray()),
                new NpgsqlParameter("action", entries.Select(e => e.Action).ToArray()),
                ArrayParameters.Uuids("item_id", entries.Select(e => e.ItemId)),
                ArrayParameters.Texts("from_state", entries.Select(e => e.FromState)),
                ArrayParameters.Texts("to_state", entries.Select(e => e.ToState)),
                ArrayParameters.Texts("detail", entries.Select(e => e.Detail)),
                new NpgsqlParameter("prev_hash", entries.Select(e => e.PrevHash).ToArray()),
                new NpgsqlParameter("hash", entries.Select(e => e.Hash).ToArray()),
            ],
            cancellationToken);

    /// <summary>Walks a chain in order and names the first entry whose link or content does not check out.</summary>
    public static async Task<AuditVerification> VerifyAsync(ModerationDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        var expectedPrev = Genesis;
        long expectedPosition = 1;
        long count = 0;
        await foreach (var entry in db.AuditEntries.AsNoTracking()
            .Where(e => e.ChainId == chainId)
            .OrderBy(e => e.Position)
            .AsAsyncEnumerable()
            .WithCancellation(cancellationToken))
        {
            count++;
            if (entry.Position != expectedPosition)
            {
                return new(chainId, count, new(entry.Seq, entry.Position, $"expected position {expectedPosition}: an entry is missing"));
            }

            if (entry.PrevHash != expectedPrev)
            {
                return new(chainId, count, new(entry.Seq, entry.Position, "its link does not match the previous entry's hash"));
            }

            if (ComputeHash(entry) != entry.Hash)
            {
                return new(chainId, count, new(entry.Seq, entry.Position, "its content does not match its hash"));
            }

            expectedPrev = entry.Hash;
            expectedPosition++;
        }

        return new(chainId, count, null);
    }

    internal static string ComputeHash(AuditEntry e)
    {
        var canonical = string.Join(
            '\u001f',
            e.ChainId.ToString("N"),
            e.Position.ToString(CultureInfo.InvariantCulture),
            e.At.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            e.ActorId?.ToString("N") ?? "",
            e.Actor,
            e.Action,
            e.ItemId?.ToString("N") ?? "",
            e.FromState ?? "",
            e.ToState ?? "",
            e.Detail ?? "",
            e.PrevHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    // PostgreSQL keeps microseconds; hashing the value it will hand back keeps verification exact.
    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }
}

/// <summary>
/// The heads of the chains a context has appended to in its current transaction (see
/// <see cref="ModerationDbContext.HeldInTransaction"/>). Valid only for the transaction they were set in.
/// </summary>
internal sealed class TransactionHolds
{
    private const string Chain = "chain";

    private readonly Dictionary<Guid, (long Position, string Hash)> _heads = [];
    private readonly HashSet<(string Lock, Guid Id)> _locked = [];
    private readonly HashSet<Guid> _itemsReadLocked = [];

    // Each person's open items (in review or escalated, across schools), read once and then counted in this transaction.
    private Dictionary<Guid, int>? _openItems;

    // Whatever else a step keeps for the rest of the transaction (see Kept), by name and id.
    private readonly Dictionary<(string Name, Guid Id), object> _kept = [];

    // EF's id for the transaction: new for every transaction begun (Npgsql reuses its transaction objects).
    private Guid? _transaction;

    public (long Position, string Hash)? TryGet(ModerationDbContext db, Guid chainId) =>
        Current(db) && _heads.TryGetValue(chainId, out var head) ? head : null;

    /// <summary>Whether this transaction already holds the chain's lock.</summary>
    public bool Holds(ModerationDbContext db, Guid chainId) => Holds(db, Chain, chainId);

    public void Locked(ModerationDbContext db, Guid chainId) => Locked(db, Chain, chainId);

    /// <summary>
    /// Whether this transaction already holds the named transaction lock (routing's per school, say), or has done a named
    /// once-per-transaction step (routing's alert told, say).
    /// </summary>
    public bool Holds(ModerationDbContext db, string name, Guid id) => Current(db) && _locked.Contains((name, id));

    public void Locked(ModerationDbContext db, string name, Guid id)
    {
        Follow(db);
        _locked.Add((name, id));
    }

    /// <summary>Whether the item's row was locked and read, in one statement, in this transaction.</summary>
    public bool ReadLocked(ModerationDbContext db, Guid itemId) => Current(db) && _itemsReadLocked.Contains(itemId);

    public void ReadUnderLock(ModerationDbContext db, Guid itemId)
    {
        Follow(db);
        _itemsReadLocked.Add(itemId);
    }

    /// <summary>
    /// Routing's workloads kept for the rest of this transaction (<see cref="KeepOpenItems"/>), or null: each person's
    /// open items as this transaction sees them, its own unsaved assignments and moves counted.
    /// </summary>
    public Dictionary<Guid, int>? OpenItems(ModerationDbContext db) => Current(db) ? _openItems : null;

    public Dictionary<Guid, int> KeepOpenItems(ModerationDbContext db, Dictionary<Guid, int> read)
    {
        Follow(db);
        return _openItems = read;
    }

    /// <summary>An item owned by <paramref name="userId"/> entered (+1) or left (-1) review: counted if workloads are kept.</summary>
    public void CountOpenItem(ModerationDbContext db, Guid? userId, int change)
    {
        // Only someone whose count was read: any other is read from the database when first asked for.
        if (userId is { } user && OpenItems(db) is { } open && open.TryGetValue(user, out var count))
        {
            open[user] = count + change;
        }
    }

    /// <summary>What a step kept for the rest of this transaction under the name and id (<see cref="Keep{T}"/>), or null.</summary>
    public T? Kept<T>(ModerationDbContext db, string name, Guid id) where T : class =>
        Current(db) && _kept.TryGetValue((name, id), out var value) ? value as T : null;

    /// <summary>
    /// A row this transaction kept to change again (<see cref="Keep{T}"/>), tracked, or null. A school's write batch
    /// clears its tracker after each write's save (ADR 0601); the row is this transaction's to change still, under the
    /// school's chain lock, so a detached one is attached again to be saved.
    /// </summary>
    public T? KeptRow<T>(ModerationDbContext db, string name, Guid id) where T : class
    {
        if (Kept<T>(db, name, id) is not { } kept)
        {
            return null;
        }

        if (db.Entry(kept).State == EntityState.Detached)
        {
            db.Attach(kept);
        }

        return kept;
    }

    /// <summary>Keeps a value for the rest of this transaction; nothing is kept outside one.</summary>
    public void Keep<T>(ModerationDbContext db, string name, Guid id, T value) where T : class
    {
        Follow(db);
        if (_transaction is not null)
        {
            _kept[(name, id)] = value;
        }
    }

    public void Set(ModerationDbContext db, Guid chainId, long position, string hash)
    {
        Follow(db);
        _locked.Add((Chain, chainId));
        _heads[chainId] = (position, hash);
    }

    /// <summary>After a rollback (to a savepoint too): the entries are gone, and so may be the locks taken since.</summary>
    public void Forget()
    {
        Clear();
        _transaction = null;
    }

    private bool Current(ModerationDbContext db) =>
        _transaction is not null && _transaction == db.Database.CurrentTransaction?.TransactionId;

    private void Follow(ModerationDbContext db)
    {
        var transaction = db.Database.CurrentTransaction?.TransactionId;
        if (transaction != _transaction)
        {
            Clear();
            _transaction = transaction;
        }
    }

    private void Clear()
    {
        _heads.Clear();
        _locked.Clear();
        _itemsReadLocked.Clear();
        _kept.Clear();
        _openItems = null;
    }
}
