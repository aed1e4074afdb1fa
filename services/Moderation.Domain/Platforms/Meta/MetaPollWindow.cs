using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Moderation.Domain.Platforms.Meta;

/// <summary>
/// Where polling a Page or an Instagram account stands, stored as the account's cursor. The Graph lists comments
/// post by post, newest first, with no "changed since" query across a Page, so the cursor is a high-water mark of
/// comment time rather than a platform cursor:
/// <list type="bullet">
/// <item><see cref="Since"/>: comments at or after it are read; older ones were read before. It trails the newest
/// comment read by <see cref="Overlap"/>, so a comment that reaches the API a little late is still read (its second
/// reading is absorbed by intake, which stores an item once).</item>
/// <item><see cref="Until"/> and <see cref="UntilId"/>: while a poll works down through more comments than one
/// call returns, the next call reads only those before this one in (time, id) order.</item>
/// <item><see cref="High"/>: the newest comment read in that catch-up, which becomes the mark when it ends.</item>
/// </list>
/// No cursor means first connection: the most recent comments up to the limit are read (the bounded backfill), and
/// older ones are left alone.
/// </summary>
internal sealed record MetaPollWindow(DateTimeOffset? Since, DateTimeOffset? Until, string? UntilId, DateTimeOffset? High)
{
    /// <summary>How far behind the newest comment read the next poll starts.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(1);

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public bool IsBackfill { get; private init; }

    /// <summary>A stored cursor; none, or one this version cannot read, starts with the bounded backfill.</summary>
    public static MetaPollWindow Parse(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor))
        {
            return Backfill();
        }

        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(cursor, s_json);
            return stored is { V: 1 } ? new MetaPollWindow(stored.Since, stored.Until, stored.UntilId, stored.High) : Backfill();
        }
        catch (JsonException)
        {
            return Backfill();
        }
    }

    public string Serialize() => JsonSerializer.Serialize(new Stored(1, Since, Until, UntilId, High), s_json);

    /// <summary>Whether a comment is one this call should return (or one left over for a later call).</summary>
    public bool Contains(PlatformComment comment)
    {
        if (comment.PostedAt is not { } at)
        {
            return Until is null;
        }

        return (Since is null || at >= Since)
            && (Until is null || at < Until || (at == Until && string.CompareOrdinal(comment.PlatformItemId, UntilId) < 0));
    }

    /// <summary>Whether a comment is older than anything this poll reads (a newest-first list can stop there).</summary>
    public bool IsBefore(DateTimeOffset? at) => at is { } t && Since is { } since && t < since;

    /// <summary>Newest first, ties broken by id: the order <see cref="Until"/> counts in.</summary>
    public static List<PlatformComment> Order(IEnumerable<PlatformComment> comments) =>
        comments
            .DistinctBy(c => c.PlatformItemId, StringComparer.Ordinal)
            .OrderByDescending(c => c.PostedAt ?? DateTimeOffset.MinValue)
            .ThenByDescending(c => c.PlatformItemId, StringComparer.Ordinal)
            .ToList();

    /// <summary>The window after returning <paramref name="taken"/> (newest first); <paramref name="more"/> when others were left.</summary>
    public MetaPollWindow After(IReadOnlyList<PlatformComment> taken, bool more, DateTimeOffset now)
    {
        var newest = taken.Select(c => c.PostedAt).Where(t => t is not null).Max();
        var high = Latest(High, newest);
        if (IsBackfill)
        {
            // Whatever is older than the most recent `limit` comments is left alone.
            return new MetaPollWindow((high ?? now) - Overlap, null, null, null);
        }

        if (more && taken.Count > 0 && taken[^1].PostedAt is { } lastAt)
        {
            return this with { Until = lastAt, UntilId = taken[^1].PlatformItemId, High = high };
        }

        var since = high is { } h ? Latest(Since, h - Overlap) : Since;
        return new MetaPollWindow(since, null, null, null);
    }

    private static MetaPollWindow Backfill() => new(null, null, null, null) { IsBackfill = true };

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"since {Since:O}, until {Until:O} {UntilId}, high {High:O}");

    private sealed record Stored(int V, DateTimeOffset? Since, DateTimeOffset? Until, string? UntilId, DateTimeOffset? High);
}
