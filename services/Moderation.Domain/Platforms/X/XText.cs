using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Domain.Platforms.X;

/// <summary>
/// How long X considers a post, so that one over the limit is refused with a clear message before any call. X counts
/// the NFC form; most Latin, Greek, Cyrillic and punctuation count once, other scripts and emoji twice, and every link
/// as 23 whatever its length. This counts a whole emoji sequence (a family, a flag) as two, as X does; where it may
/// differ from X (rare scripts' clusters) it counts fewer, so X itself has the last word rather than a valid post being
/// refused here.
/// </summary>
public static partial class XText
{
    public const int MaxLength = 280;

    /// <summary>What X counts a link as, whatever its length.</summary>
    public const int LinkLength = 23;

    public static int WeightedLength(string text)
    {
        var normalized = text.Normalize(NormalizationForm.FormC);
        var length = 0;
        var rest = Link().Replace(normalized, _ =>
        {
            length += LinkLength;
            return "";
        });
        var clusters = StringInfo.GetTextElementEnumerator(rest);
        while (clusters.MoveNext())
        {
            var cluster = (string)clusters.Current;
            length += IsLight(Rune.GetRuneAt(cluster, 0).Value) && !cluster.EnumerateRunes().Skip(1).Any(r => !IsLight(r.Value)) ? cluster.EnumerateRunes().Count() : 2;
        }

        return length;
    }

    /// <summary>The ranges X weighs as one (twitter-text's configuration v3).</summary>
    private static bool IsLight(int codePoint) =>
        codePoint is (>= 0 and <= 4351) or (>= 8192 and <= 8205) or (>= 8208 and <= 8223) or (>= 8242 and <= 8247);

    [GeneratedRegex(@"https?://\S+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Link();
}
