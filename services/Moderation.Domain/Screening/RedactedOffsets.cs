namespace Moderation.Domain.Screening;

/// <summary>A replaced run of the original text: where it was, and how long its replacement is.</summary>
public readonly record struct Replacement(int Offset, int Length, int ReplacementLength);

/// <summary>
/// Moves a span of the original text to where it sits in the redacted text, so that what screening found is
/// highlighted in the text reviewers see. A span that touches a replaced run covers the whole replacement.
/// </summary>
public sealed class RedactedOffsets
{
    private readonly Replacement[] _replacements;

    public RedactedOffsets(IEnumerable<Replacement> replacements) =>
        _replacements = [.. replacements.OrderBy(r => r.Offset)];

    public (int Offset, int Length) Map(int offset, int length)
    {
        var start = MapPoint(offset, isEnd: false);
        var end = MapPoint(offset + length, isEnd: true);
        return (start, Math.Max(0, end - start));
    }

    /// <summary>
    /// The inverse: a span of the redacted text back onto the original (for a classifier that only ever saw the
    /// redacted text). A span that touches a replacement covers the whole replaced run.
    /// </summary>
    public (int Offset, int Length) MapBack(int offset, int length)
    {
        var start = MapBackPoint(offset, isEnd: false);
        var end = MapBackPoint(offset + length, isEnd: true);
        return (start, Math.Max(0, end - start));
    }

    private int MapBackPoint(int position, bool isEnd)
    {
        var shift = 0;
        foreach (var r in _replacements)
        {
            var redactedStart = r.Offset + shift;
            if (position <= redactedStart)
            {
                break;
            }

            if (position < redactedStart + r.ReplacementLength)
            {
                return r.Offset + (isEnd ? r.Length : 0);
            }

            shift += r.ReplacementLength - r.Length;
        }

        return position - shift;
    }

    private int MapPoint(int position, bool isEnd)
    {
        var shift = 0;
        foreach (var r in _replacements)
        {
            if (position <= r.Offset)
            {
                break;
            }

            if (position < r.Offset + r.Length)
            {
                // Inside a replaced run: snap to the start (for a span's start) or the end (for its end) of the replacement.
                return r.Offset + shift + (isEnd ? r.ReplacementLength : 0);
            }

            shift += r.ReplacementLength - r.Length;
        }

        return position + shift;
    }
}
