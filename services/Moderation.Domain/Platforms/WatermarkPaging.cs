using System.Text.Json;
using System.Text.Json.Serialization;

namespace Moderation.Domain.Platforms;

/// <summary>
/// A polling connector's cursor for a platform that lists newest first and pages with an opaque token: the newest mark
/// (a time or an id) already read, the page token while a run is part way through, and the newest mark seen in this run.
/// </summary>
/// <param name="Since">Everything at or before this mark was read by an earlier run (null: nothing yet).</param>
/// <param name="Page">The platform's token for the next page of the current run.</param>
/// <param name="Top">The newest mark seen so far in the current run; it becomes <see cref="Since"/> when the run ends.</param>
public sealed record WatermarkCursor(
    [property: JsonPropertyName("s")] string? Since,
    [property: JsonPropertyName("p")] string? Page = null,
    [property: JsonPropertyName("t")] string? Top = null)
{
    private static readonly JsonSerializerOptions Compact = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A stored cursor; one this code cannot read (null, or an older format) means "start afresh", which re-reads the recent comments (harmless: ingest is idempotent).</summary>
    public static WatermarkCursor? Read(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<WatermarkCursor>(text, Compact);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public string Write() => JsonSerializer.Serialize(this, Compact);
}

/// <summary>
/// The run logic shared by connectors whose platform lists pending comments newest first, with no "changed since"
/// filter the cursor could lean on (YouTube's held comments) or with one that goes stale (X's <c>since_id</c> only
/// reaches back seven days). A first poll reads one page, the bounded backfill. Later polls read page after page until
/// they reach a mark an earlier run already read; the watermark moves only when a run ends, so a run cut short by the
/// poller's page limit resumes from its page token and loses nothing that arrived meanwhile.
/// </summary>
public static class WatermarkPaging
{
    /// <summary>One comment as listed, with the mark it is ordered by; a null comment still counts for the watermark (a reply the connector skips).</summary>
    public sealed record Entry(string Mark, PlatformComment? Comment);

    public sealed record Page(IReadOnlyList<Entry> Entries, string? NextPage);

    /// <summary>Marks that are ISO 8601 times.</summary>
    public static readonly IComparer<string> ByTime = Comparer<string>.Create((a, b) =>
        DateTimeOffset.Parse(a, System.Globalization.CultureInfo.InvariantCulture).CompareTo(DateTimeOffset.Parse(b, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Marks that are decimal ids growing with time (X's snowflakes): a longer id is a later one.</summary>
    public static readonly IComparer<string> ByNumericId = Comparer<string>.Create((a, b) =>
        a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b));

    /// <param name="cursorText">The stored cursor, or null on first connection.</param>
    /// <param name="limit">At most this many comments on first connection.</param>
    /// <param name="order">How marks compare.</param>
    /// <param name="inclusive">Whether an entry at exactly the watermark is read again (marks that are times can tie; ids cannot).</param>
    /// <param name="read">
    /// Reads one page: the cursor (null on first connection), and whether the platform may be trusted to filter by
    /// <see cref="WatermarkCursor.Since"/> itself (false on the second try after the platform refused the continuation).
    /// </param>
    public static async Task<FetchResult> FetchAsync(
        string? cursorText, int limit, IComparer<string> order, bool inclusive, Func<WatermarkCursor?, bool, Task<Page>> read)
    {
        var cursor = WatermarkCursor.Read(cursorText);
        Page page;
        try
        {
            page = await read(cursor, true);
        }
        catch (PlatformCallException ex) when (ex.Failure == PlatformFailure.Rejected && cursor is not null)
        {
            // A page token or since-id the platform no longer accepts (expired, or too old): read from the newest
            // again and rely on the watermark alone.
            cursor = cursor with { Page = null, Top = null };
            page = await read(cursor, false);
        }

        var top = Newest(order, cursor?.Top, page.Entries.Select(e => e.Mark));
        if (cursor is null)
        {
            // The bounded backfill: the newest page only.
            var recent = page.Entries.Where(e => e.Comment is not null).Take(Math.Max(1, limit)).Select(e => e.Comment!).ToList();
            return new FetchResult(recent, new WatermarkCursor(top).Write(), More: false);
        }

        var fresh = page.Entries.Where(e => IsNew(e.Mark)).ToList();
        var comments = fresh.Where(e => e.Comment is not null).Select(e => e.Comment!).ToList();
        var reachedRead = fresh.Count < page.Entries.Count;
        if (reachedRead || page.NextPage is null)
        {
            return new FetchResult(comments, new WatermarkCursor(Newest(order, cursor.Since, top is null ? [] : [top])).Write(), More: false);
        }

        return new FetchResult(comments, new WatermarkCursor(cursor.Since, page.NextPage, top).Write(), More: true);

        bool IsNew(string mark)
        {
            if (cursor.Since is null)
            {
                return true;
            }

            var compared = order.Compare(mark, cursor.Since);
            return inclusive ? compared >= 0 : compared > 0;
        }
    }

    private static string? Newest(IComparer<string> order, string? start, IEnumerable<string> marks) =>
        marks.Aggregate(start, (best, mark) => best is null || order.Compare(mark, best) > 0 ? mark : best);
}
