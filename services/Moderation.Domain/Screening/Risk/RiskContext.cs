using System.Collections.Frozen;

namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// What the screener should know about the school an item belongs to: its staff (for allegations and complaints that
/// name them), its pupils (for bullying that names them), its administrators' own banned and suspect words, and its
/// own web domains (links to them are clean). Build one per school and reuse it: the names and words are compiled
/// when it is constructed.
/// </summary>
public sealed class RiskContext
{
    public RiskContext(
        IEnumerable<string>? staffNames = null,
        IEnumerable<string>? pupilNames = null,
        IEnumerable<SchoolTerm>? schoolTerms = null,
        IEnumerable<string>? schoolDomains = null)
    {
        StaffNames = [.. staffNames ?? []];
        PupilNames = [.. pupilNames ?? []];
        SchoolTerms = [.. schoolTerms ?? []];
        SchoolDomains = (schoolDomains ?? []).Where(d => !string.IsNullOrWhiteSpace(d)).Select(LinkRules.NormaliseDomain).ToFrozenSet(StringComparer.Ordinal);
        Names = new ContextNameMatcher(StaffNames, PupilNames);
        SchoolLexicon = SchoolTerms.Count == 0 ? null : new Lexicon(RiskRules.SchoolEntries(SchoolTerms));
    }

    /// <summary>No names, no extra words, no school domains.</summary>
    public static RiskContext Empty { get; } = new();

    public IReadOnlyList<string> StaffNames { get; }

    public IReadOnlyList<string> PupilNames { get; }

    public IReadOnlyList<SchoolTerm> SchoolTerms { get; }

    public IReadOnlySet<string> SchoolDomains { get; }

    internal ContextNameMatcher Names { get; }

    internal Lexicon? SchoolLexicon { get; }
}
