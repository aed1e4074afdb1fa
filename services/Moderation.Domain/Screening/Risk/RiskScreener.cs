namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// Screens text for the risks in DOMAIN.md's safeguarding table, profanity, unsafe links and disclosures that a
/// house is empty or a class is away (000 question 4). Each finding is placed on the original text, however the
/// writer disguised the words. Personal data is <see cref="PersonalDataScreener"/>'s job, not this one's.
/// </summary>
public sealed class RiskScreener(RiskRules rules) : ITextScreener
{
    private readonly RiskRules _rules = rules ?? throw new ArgumentNullException(nameof(rules));

    public string Name => "risk";

    public IEnumerable<Finding> Screen(string text) => Screen(text, RiskContext.Empty);

    /// <summary>Findings in the order they appear in the text.</summary>
    public IReadOnlyList<Finding> Screen(string text, RiskContext context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        var findings = new List<Finding>();
        var allowed = new List<(int Offset, int Length)>();
        var normalised = TextNormaliser.Normalise(text);

        _rules.Lexicon.Match(normalised, findings, allowed);
        context.SchoolLexicon?.Match(normalised, findings, allowed);

        // Phrase patterns read the text with drawn-out letters cut short, and the name patterns read it with the
        // context's names replaced by marker words.
        var forPatterns = normalised.WithLongRunsCollapsed();
        var withNames = forPatterns;
        bool staffFound = false, pupilsFound = false;
        if (!context.Names.IsEmpty)
        {
            var names = context.Names.Find(forPatterns);
            if (names.Count > 0)
            {
                withNames = forPatterns.WithReplacements(names);
                staffFound = names.Exists(n => n.Marker == PatternCompiler.StaffMarker);
                pupilsFound = names.Exists(n => n.Marker == PatternCompiler.PupilMarker);
            }
        }

        _rules.Patterns.Match(forPatterns, withNames, staffFound, pupilsFound, findings);

        _rules.Links.Match(text, context.SchoolDomains, findings);
        return Tidy(findings, allowed);
    }

    /// <summary>Drops hits inside an allowed phrase and repeats of the same hit, and sorts by position.</summary>
    private static List<Finding> Tidy(List<Finding> findings, List<(int Offset, int Length)> allowed)
    {
        if (findings.Count == 0)
        {
            return findings;
        }

        // By position, the most severe first, then by category; a stable sort, so the first found of equals stays first.
        var order = new (Finding Finding, int Index)[findings.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = (findings[i], i);
        }

        Array.Sort(order, static (a, b) =>
        {
            var byOffset = a.Finding.Offset.CompareTo(b.Finding.Offset);
            if (byOffset != 0)
            {
                return byOffset;
            }

            var bySeverity = b.Finding.Severity.CompareTo(a.Finding.Severity);
            if (bySeverity != 0)
            {
                return bySeverity;
            }

            var byCategory = string.CompareOrdinal(a.Finding.Category, b.Finding.Category);
            return byCategory != 0 ? byCategory : a.Index.CompareTo(b.Index);
        });

        var kept = new List<Finding>(findings.Count);
        var seen = new HashSet<(string Category, int Offset, int Length)>();
        foreach (var (finding, _) in order)
        {
            var inAllowed = allowed.Exists(a => finding.Offset >= a.Offset && finding.Offset + finding.Length <= a.Offset + a.Length);
            if (!inAllowed && seen.Add((finding.Category, finding.Offset, finding.Length)))
            {
                kept.Add(finding);
            }
        }

        return kept;
    }
}
