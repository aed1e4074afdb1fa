using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Caching;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Routing;

/// <summary>
/// What routing reads about a school (its routing data and its rotas), kept between transactions for as long as none
/// of it changes (ADR 0602). Every change to those tables gives the database's routing version a new number as it
/// commits (migration <c>RoutingConfigVersion</c>), so a kept copy is used only while the number it was read under is
/// still the current one: one small read instead of a dozen. A transaction that has itself changed any of it reads
/// afresh, and keeps nothing, because what it sees is not committed. At most <see cref="MaxKept"/> copies are kept, the
/// least recently used going first, so a local authority's hundreds of schools do not each stay in memory for good.
/// </summary>
public sealed class RoutingInputs
{
    /// <summary>Copies kept at most: a school's routing data and its rotas are two, so a thousand schools.</summary>
    public const int MaxKept = 2_000;

    private readonly BoundedCache<(string Kind, Guid SchoolId), (long Version, object Value)> _kept = new(MaxKept, _ => 1);
    private long _reused;
    private long _read;

    /// <summary>How often a kept copy served, and how often the inputs were read (tests read these).</summary>
    public (long Reused, long Read) Counts => (Interlocked.Read(ref _reused), Interlocked.Read(ref _read));

    /// <summary>
    /// The school's <paramref name="kind"/> of input, from the copy kept under the current version or from
    /// <paramref name="load"/>. The version is read before the inputs, so a copy is never newer-labelled than it is.
    /// </summary>
    public async Task<T> GetAsync<T>(ModerationDbContext db, string kind, Guid schoolId, Func<Task<T>> load, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(load);
        // In a write batch the version is read once for the whole batch, as the inputs themselves used to be.
        var current = await db.OncePerBatchAsync("routing-version", Guid.Empty, () => VersionAsync(db, ct));
        if (current.Touched || current.Version is null)
        {
            Interlocked.Increment(ref _read);
            return await load();
        }

        if (_kept.TryGet((kind, schoolId), out var kept) && kept.Version == current.Version)
        {
            Interlocked.Increment(ref _reused);
            return (T)kept.Value;
        }

        Interlocked.Increment(ref _read);
        var value = await load();
        _kept.Set((kind, schoolId), (current.Version.Value, value));
        return value;
    }

    private static async Task<RoutingVersion> VersionAsync(ModerationDbContext db, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<RoutingVersion>(
                """
                SELECT v.version AS "Version",
                       coalesce(current_setting('moderation.routing_config_touched', true), '') = 'on' AS "Touched"
                FROM (SELECT 1) AS one LEFT JOIN routing_config_version AS v ON v.id = 1
                """)
            .SingleAsync(ct);

    /// <summary>The current number (none if its row is missing: then nothing is kept) and whether this transaction changed an input.</summary>
    private sealed record RoutingVersion(long? Version, bool Touched);
}
