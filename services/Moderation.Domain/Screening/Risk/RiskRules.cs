using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// The risk rules, loaded from the files in <c>seeds/screening/</c> (the format is described in their headers and in
/// that folder's README): the lexicon of banned, suspect and excepted words, the phrase patterns, and the link lists.
/// Loading compiles everything once; a loaded set is immutable and safe to share between threads.
/// </summary>
public sealed partial class RiskRules
{
    public const string LexiconFile = "lexicon.tsv";
    public const string PatternsFile = "patterns.tsv";
    public const string LinksFile = "links.tsv";

    private RiskRules(Lexicon lexicon, PatternSet patterns, LinkRules links)
    {
        Lexicon = lexicon;
        Patterns = patterns;
        Links = links;
    }

    public int TermCount => Lexicon.Count;

    public int PatternCount => Patterns.Count;

    public int DomainCount => Links.Count;

    internal Lexicon Lexicon { get; }

    internal PatternSet Patterns { get; }

    internal LinkRules Links { get; }

    /// <summary>Loads lexicon.tsv, patterns.tsv and links.tsv from a folder such as <c>seeds/screening</c>.</summary>
    public static RiskRules LoadFromDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Parse(
            File.ReadAllText(Path.Combine(path, LexiconFile)),
            File.ReadAllText(Path.Combine(path, PatternsFile)),
            File.ReadAllText(Path.Combine(path, LinksFile)));
    }

    /// <summary>Builds the rules from the three files' contents. A malformed row throws <see cref="FormatException"/> naming its file and line.</summary>
    public static RiskRules Parse(string lexicon, string patterns, string links)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(links);
        return new RiskRules(new Lexicon(ParseLexicon(lexicon)), ParsePatterns(patterns), new LinkRules(ParseLinks(links)));
    }

    /// <summary>
    /// These rules plus a school's own words: a banned word blocks (<see cref="FindingSeverity.Severe"/>), a suspect
    /// word flags (<see cref="FindingSeverity.Warning"/>), and an allowed phrase clears hits inside it.
    /// </summary>
    public RiskRules WithSchoolTerms(IEnumerable<SchoolTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return new RiskRules(new Lexicon([.. Lexicon.Entries, .. SchoolEntries(terms)]), Patterns, Links);
    }

    /// <summary>As <see cref="WithSchoolTerms(IEnumerable{SchoolTerm})"/>, with the mode as text ("block" or "flag").</summary>
    public RiskRules WithSchoolTerms(IEnumerable<(string Term, string Mode)> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return WithSchoolTerms(terms.Select(t => new SchoolTerm(t.Term, SchoolTerm.ParseMode(t.Mode))));
    }

    internal static IEnumerable<LexiconEntry> SchoolEntries(IEnumerable<SchoolTerm> terms)
    {
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term);
            var (text, inflected) = SplitInflection(term.Term.Trim());
            var words = CanonicalWords(text);
            if (words.Length == 0)
            {
                throw new ArgumentException($"The school term \"{term.Term}\" has no letters or digits.", nameof(terms));
            }

            var (severity, explanation) = term.Mode switch
            {
                TermMode.Block => (FindingSeverity.Severe, "A word the school has banned."),
                TermMode.Flag => (FindingSeverity.Warning, "A word the school has marked as suspect."),
                _ => (FindingSeverity.Info, "A phrase the school has allowed."),
            };
            yield return new LexiconEntry(term.Term, words, inflected, RiskCategories.SchoolTerm, severity, term.Mode,
                RuleId("school-" + ModeName(term.Mode), text), explanation);
        }
    }

    private static IEnumerable<LexiconEntry> ParseLexicon(string content)
    {
        foreach (var (line, fields) in Rows(content, LexiconFile))
        {
            Require(fields.Length == 5, LexiconFile, line, "expected 5 columns: term, category, severity, mode, explanation");
            var (text, inflected) = SplitInflection(fields[0]);
            var words = CanonicalWords(text);
            Require(words.Length > 0, LexiconFile, line, "the term has no letters or digits");
            var mode = Enum.TryParse<TermMode>(fields[3], ignoreCase: true, out var m) && Enum.IsDefined(m) ? m
                : throw Error(LexiconFile, line, $"mode is block, flag or allow, not \"{fields[3]}\"");
            var category = mode == TermMode.Allow ? "-" : Category(fields[1], LexiconFile, line);
            var severity = mode == TermMode.Allow ? FindingSeverity.Info : Severity(fields[2], LexiconFile, line);
            yield return new LexiconEntry(text, words, inflected, category, severity, mode, RuleId(ModeName(mode), text), fields[4]);
        }
    }

    private static PatternSet ParsePatterns(string content)
    {
        var macros = new Dictionary<string, string>(StringComparer.Ordinal);
        var rules = new List<PatternRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, fields) in Rows(content, PatternsFile))
        {
            if (fields[0].StartsWith('@'))
            {
                Require(fields.Length == 2, PatternsFile, line, "a macro row is @name, then its pattern");
                Require(MacroName().IsMatch(fields[0]), PatternsFile, line, "a macro name is @ and lower-case letters, digits or dashes");
                Require(macros.TryAdd(fields[0][1..], Expand(fields[1], macros, line)), PatternsFile, line, $"macro {fields[0]} is defined twice");
                continue;
            }

            Require(fields.Length == 5, PatternsFile, line, "expected 5 columns: id, category, severity, pattern, explanation");
            Require(ids.Add(fields[0]), PatternsFile, line, $"rule id {fields[0]} is used twice");
            var expanded = Expand(fields[3], macros, line);
            var anchors = PatternAnchors.Find(PatternCompiler.WithGaps(expanded));
            PatternRegexes regexes;
            try
            {
                regexes = PatternCompiler.Compile(expanded, anchors is null ? "a" : string.Join(' ', anchors));
            }
            catch (ArgumentException e)
            {
                throw Error(PatternsFile, line, "the pattern is not a valid regular expression: " + e.Message);
            }
            catch (FormatException e)
            {
                throw Error(PatternsFile, line, e.Message);
            }

            var usesNames = expanded.Contains(PatternCompiler.StaffMarker, StringComparison.Ordinal)
                || expanded.Contains(PatternCompiler.PupilMarker, StringComparison.Ordinal);
            rules.Add(new PatternRule(
                fields[0], Category(fields[1], PatternsFile, line), Severity(fields[2], PatternsFile, line), regexes.Regex, regexes.SpaceLed, usesNames, anchors,
                PatternAnchors.MaxSpaces(PatternCompiler.RelaxDoubles(PatternCompiler.WithGaps(expanded))), fields[4]));
        }

        return new PatternSet(rules);
    }

    private static string Expand(string pattern, Dictionary<string, string> macros, int line)
    {
        try
        {
            return PatternCompiler.Expand(pattern, macros);
        }
        catch (FormatException e)
        {
            throw Error(PatternsFile, line, e.Message);
        }
    }

    private static IEnumerable<LinkRule> ParseLinks(string content)
    {
        foreach (var (line, fields) in Rows(content, LinksFile))
        {
            Require(fields.Length == 4, LinksFile, line, "expected 4 columns: domain, list, severity, explanation");
            var list = fields[1].ToUpperInvariant() switch
            {
                "ALLOW" => LinkList.Allow,
                "DENY" => LinkList.Deny,
                "SHORTENER" => LinkList.Shortener,
                "TLD" => LinkList.TopLevel,
                _ => throw Error(LinksFile, line, $"list is allow, deny, shortener or tld, not \"{fields[1]}\""),
            };
            var severity = list is LinkList.Deny or LinkList.Shortener ? Severity(fields[2], LinksFile, line) : FindingSeverity.Info;
            yield return new LinkRule(LinkRules.NormaliseDomain(fields[0]), list, severity, fields[3]);
        }
    }

    /// <summary>The data rows of a rule file: '#' starts a comment line, and columns are separated by one or more tabs.</summary>
    private static IEnumerable<(int Line, string[] Fields)> Rows(string content, string file)
    {
        var line = 0;
        foreach (var raw in content.Split('\n'))
        {
            line++;
            var text = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(text) || text.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = text.Split('\t', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Require(fields.Length > 0, file, line, "empty row");
            yield return (line, fields);
        }
    }

    /// <summary>A trailing '*' on a term means it may take the usual English endings.</summary>
    private static (string Text, bool Inflected) SplitInflection(string term) =>
        term.EndsWith('*') ? (term[..^1].TrimEnd(), true) : (term, false);

    internal static string[] CanonicalWords(string text)
    {
        var normalised = TextNormaliser.Normalise(text);
        return [.. normalised.Tokens.Select(t => normalised.Text.Substring(t.Start, t.Length).Replace("'", string.Empty, StringComparison.Ordinal))];
    }

    private static string Category(string value, string file, int line) =>
        RiskCategories.All.TryGetValue(value, out var category) ? category
            : throw Error(file, line, $"unknown category \"{value}\"");

    private static FindingSeverity Severity(string value, string file, int line) =>
        Enum.TryParse<FindingSeverity>(value, ignoreCase: true, out var severity) && Enum.IsDefined(severity) ? severity
            : throw Error(file, line, $"severity is Info, Warning or Severe, not \"{value}\"");

    private static string ModeName(TermMode mode) => mode.ToString().ToLowerInvariant();

    private static string RuleId(string prefix, string term)
    {
        var id = prefix + ":" + term.ToLowerInvariant();
        return id.Length <= 64 ? id : id[..64];
    }

    private static void Require(bool condition, string file, int line, string message)
    {
        if (!condition)
        {
            throw Error(file, line, message);
        }
    }

    private static FormatException Error(string file, int line, string message) => new($"{file} line {line}: {message}");

    [GeneratedRegex("^@[a-z][a-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex MacroName();
}
