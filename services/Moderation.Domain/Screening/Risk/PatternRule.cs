using System.Text;
using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening.Risk;

/// <summary>A phrase rule from patterns.tsv, compiled to a regular expression over the canonical text.</summary>
/// <param name="Anchors">Words one of which every match contains (see <see cref="PatternAnchors"/>); null if the rule always runs.</param>
internal sealed record PatternRule(string Id, string Category, FindingSeverity Severity, Regex Regex, bool UsesNames, IReadOnlySet<string>? Anchors, string Explanation);

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
    public static Regex Compile(string expanded, string warmUp)
    {
        var source = "(?<![\\w'])(?:" + RelaxDoubles(WithGaps(expanded)) + ")(?![\\w'])";

        // The time-out is a safety net for a runaway rule on a very long text; ordinary matches take microseconds.
        var regex = new Regex(source, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled, TimeSpan.FromSeconds(2));
        if (regex.IsMatch(string.Empty) || regex.IsMatch(" "))
        {
            throw new FormatException("the pattern matches empty text");
        }

        try
        {
            regex.IsMatch(warmUp);
        }
        catch (RegexMatchTimeoutException)
        {
            // The first match also JIT-compiles the expression's generated code, and that counts against the time-out:
            // on a busy machine it can outlast it (threat-person took 2.1 s at a load average of 12 on two cores). The
            // code is compiled all the same, and a real runaway on a real text is still caught in PatternSet.
        }

        return regex;
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
