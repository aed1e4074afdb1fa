using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening.Risk;

/// <summary>A phrase rule from patterns.tsv, compiled to a regular expression over the canonical text.</summary>
/// <param name="Regex">The rule as written: a match starts where no letter, digit or apostrophe comes before it.</param>
/// <param name="SpaceLed">
/// The same rule led by a space that it consumes, for <see cref="NormalisedText.SpaceLedText"/>; null for a rule that
/// looks behind itself or anchors to the start, which a space in front would change.
/// </param>
/// <param name="Anchors">Words one of which every match contains (see <see cref="PatternAnchors"/>); null if the rule always runs.</param>
/// <param name="MaxSpaces">The most spaces a match can contain (<see cref="PatternAnchors.MaxSpaces"/>); null if unbounded.</param>
internal sealed record PatternRule(
    string Id, string Category, FindingSeverity Severity, Regex Regex, Regex? SpaceLed, bool UsesNames, IReadOnlySet<string>? Anchors, int? MaxSpaces,
    string Explanation)
{
    private const int MatchAttempts = 2;

    /// <summary>Adds a finding, placed on the original text, for each match in <paramref name="text"/>.</summary>
    public void Match(NormalisedText text, List<Finding> findings) => Match(text, 0, findings);

    /// <summary>
    /// Adds a finding for each match in <paramref name="text"/>, whose word <paramref name="firstAnchor"/> is the first
    /// that is one of this rule's <see cref="Anchors"/>. Every match contains an anchor word and at most
    /// <see cref="MaxSpaces"/> spaces, so none starts before that many words ahead of the first anchor: the search
    /// starts there. (The expression still sees the text before, for any lookbehind.)
    /// </summary>
    public void Match(NormalisedText text, int firstAnchor, List<Finding> findings)
    {
        var tokens = text.TokenSpan;
        var from = Anchors is not null && MaxSpaces is { } spaces && firstAnchor - spaces > 0 && firstAnchor - spaces < tokens.Length
            ? tokens[firstAnchor - spaces].Start
            : 0;
        for (var attempt = 1; ; attempt++)
        {
            var before = findings.Count;
            try
            {
                MatchFrom(text, from, findings);
                return;
            }
            catch (RegexMatchTimeoutException) when (attempt < MatchAttempts)
            {
                // The first match after loading may still be JIT-compiling part of the rule's code (the warm-up cannot
                // always reach it all), and that counts against the time-out on a busy machine: run it again, once.
                findings.RemoveRange(before, findings.Count - before);
            }
            catch (RegexMatchTimeoutException)
            {
                // A runaway rule must not let an item through unread: a person reads it instead.
                findings.Add(new Finding(Category, Id, FindingSeverity.Warning, 0, text.Original.Length, "This rule timed out on this text: read it in full."));
                return;
            }
        }
    }

    private void MatchFrom(NormalisedText text, int from, List<Finding> findings)
    {
        if (SpaceLed is not null && text.WordsAreSpaced)
        {
            // The match starts with the space before its first word: in the led copy that space sits where the word
            // starts in the text itself.
            foreach (var match in SpaceLed.EnumerateMatches(text.SpaceLedText, from))
            {
                Add(text, match.Index, match.Length - 1, findings);
            }

            return;
        }

        foreach (var match in Regex.EnumerateMatches(text.Text, from))
        {
            Add(text, match.Index, match.Length, findings);
        }
    }

    private void Add(NormalisedText text, int start, int length, List<Finding> findings)
    {
        var (offset, originalLength) = text.ToOriginal(start, length);
        findings.Add(new Finding(Category, Id, Severity, offset, originalLength, Explanation));
    }
}

/// <summary>The expressions a rule compiles to: see <see cref="PatternRule"/>.</summary>
internal readonly record struct PatternRegexes(Regex Regex, Regex? SpaceLed);

/// <summary>
/// Turns the pattern language of patterns.tsv into a .NET regular expression over the canonical text:
/// <list type="bullet">
/// <item><c>{name}</c> is a macro from an <c>@name</c> row; <c>{staff}</c> and <c>{pupil}</c> stand for a name from
/// the screening context.</item>
/// <item><c>...</c> between two words is a gap of up to six words.</item>
/// <item>A letter drawn out in the text still matches ("kiiill" matches <c>kill</c>): see <see cref="RelaxDoubles"/>.</item>
/// <item>The whole pattern must start and end on word boundaries.</item>
/// </list>
/// </summary>
internal static partial class PatternCompiler
{
    public const string StaffMarker = "_staff_";
    public const string PupilMarker = "_pupil_";
    private const string Gap = "(?: [\\w']+){0,6} ";

    public static string Expand(string pattern, IReadOnlyDictionary<string, string> macros)
    {
        var expanded = pattern;
        for (var depth = 0; depth < 8 && MacroReference().IsMatch(expanded); depth++)
        {
            expanded = MacroReference().Replace(expanded, m => m.Groups[1].Value switch
            {
                "staff" => StaffMarker,
                "pupil" => PupilMarker,
                var name when macros.TryGetValue(name, out var body) => "(?:" + body + ")",
                var name => throw new FormatException($"unknown macro {{{name}}}"),
            });
        }

        if (MacroReference().IsMatch(expanded))
        {
            throw new FormatException("macros nest too deeply");
        }

        return expanded;
    }

    /// <summary>The pattern with its gaps written out, before letters are stretched: what <see cref="PatternAnchors"/> reads.</summary>
    public static string WithGaps(string expanded) => expanded.Replace(" ... ", Gap, StringComparison.Ordinal);

    /// <summary>
    /// Compiles a pattern and runs it once on <paramref name="warmUp"/> (its anchor words), so the compiled code is
    /// generated while the rules load rather than during the first screen.
    /// </summary>
    /// <remarks>
    /// The rule as written starts with a lookbehind, "no letter, digit or apostrophe before", and with that in front
    /// .NET cannot search ahead for the characters a match can start with: it tries the rule at every position. Led
    /// instead by a space it consumes, and run on the text with a space put in front, the rule starts with characters
    /// the engine can search for, and runs two to five times faster. In canonical text, where words are separated by
    /// single spaces, both find the same matches (<see cref="NormalisedText.WordsAreSpaced"/> checks each text). The
    /// rule as written is kept, interpreted rather than compiled, for any other text; and it is the only form of a
    /// rule that looks behind itself or anchors to the start of the text.
    /// </remarks>
    public static PatternRegexes Compile(string expanded, string warmUp)
    {
        const RegexOptions options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;
        var body = RelaxDoubles(WithGaps(expanded));
        var asWritten = "(?<![\\w'])(?:" + body + ")(?![\\w'])";
        var canLeadWithSpace = !body.Contains("(?<", StringComparison.Ordinal) && !body.Contains('^', StringComparison.Ordinal)
            && !body.Contains("\\A", StringComparison.Ordinal) && !body.Contains("\\G", StringComparison.Ordinal);

        // The time-out is a safety net for a runaway rule on a very long text; ordinary matches take microseconds.
        var regex = new Regex(asWritten, canLeadWithSpace ? options : options | RegexOptions.Compiled, Timeout);
        if (MatchesEmptyText(regex))
        {
            throw new FormatException("the pattern matches empty text");
        }

        if (!canLeadWithSpace)
        {
            WarmUp(regex, warmUp);
            return new PatternRegexes(regex, null);
        }

        var spaceLed = new Regex(" (?:" + body + ")(?![\\w'])", options | RegexOptions.Compiled, Timeout);
        WarmUp(spaceLed, " " + warmUp);
        return new PatternRegexes(regex, spaceLed);
    }

    private const int WarmUpAttempts = 5;

    private static TimeSpan Timeout => TimeSpan.FromSeconds(2);

    /// <summary>Whether the rule matches empty text; a time-out here is the machine, not the rule (see <see cref="WarmUp"/>).</summary>
    private static bool MatchesEmptyText(Regex regex)
    {
        for (var attempt = 1; attempt <= WarmUpAttempts; attempt++)
        {
            try
            {
                return regex.IsMatch(string.Empty) || regex.IsMatch(" ");
            }
            catch (RegexMatchTimeoutException)
            {
                // Try again: more of the code is compiled now.
            }
        }

        return false;
    }

    private static void WarmUp(Regex regex, string warmUp)
    {
        // The first match also JIT-compiles the expression's generated methods, and that time counts against the
        // time-out: on a busy machine one method can outlast it (threat-person took 2.1 s at a load average of 12 on
        // two cores), and the time-out then fires before the next method is compiled. Each attempt gets further; once
        // all are compiled the warm-up takes microseconds. A real runaway on a real text is still caught in Match.
        for (var attempt = 1; attempt <= WarmUpAttempts; attempt++)
        {
            try
            {
                regex.IsMatch(warmUp);
                return;
            }
            catch (RegexMatchTimeoutException)
            {
                // Try again: more of the code is compiled now.
            }
        }
    }

    /// <summary>
    /// A doubled letter may be written single, because the text a pattern reads has every run of three or more of a
    /// letter cut to one ("kiiiill" is read as "kill", "killll" as "kil"): <c>kill</c> becomes <c>kil?l</c>.
    /// </summary>
    internal static string RelaxDoubles(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 16);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '\\':
                    result.Append(c);
                    if (i + 1 < pattern.Length)
                    {
                        result.Append(pattern[++i]);
                    }

                    break;
                case '[':
                    i = CopyUntil(pattern, i, ']', result);
                    break;
                case '{':
                    i = CopyUntil(pattern, i, '}', result);
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    // Group syntax: "(?:", "(?=", "(?<=", "(?<name>": copied as it is.
                    var j = i + 2;
                    if (j < pattern.Length && pattern[j] == '<' && j + 1 < pattern.Length && pattern[j + 1] is not '=' and not '!')
                    {
                        j = pattern.IndexOf('>', j);
                    }

                    result.Append(pattern, i, j - i + 1);
                    i = j;
                    break;
                case >= 'a' and <= 'z' when i + 1 < pattern.Length && pattern[i + 1] == c
                    && (i + 2 >= pattern.Length || pattern[i + 2] is not '?' and not '*' and not '+' and not '{'):
                    result.Append(c).Append(c).Append('?');
                    i++;
                    break;
                default:
                    result.Append(c);
                    break;
            }
        }

        return result.ToString();
    }

    private static int CopyUntil(string pattern, int start, char close, StringBuilder result)
    {
        var i = start;
        for (; i < pattern.Length; i++)
        {
            result.Append(pattern[i]);
            if (pattern[i] == '\\' && i + 1 < pattern.Length)
            {
                result.Append(pattern[++i]);
            }
            else if (pattern[i] == close && i > start)
            {
                break;
            }
        }

        return i;
    }

    [GeneratedRegex(@"\{([a-z][a-z0-9_-]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex MacroReference();
}
