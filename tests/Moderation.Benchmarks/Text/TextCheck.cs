using Moderation.Domain.Screening;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// Before timing, screens each comment once and prints what was found, so a faster text path that stopped finding
/// things shows here: the names must be redacted under the school's FirstNameOnly policy, the risky comment must raise grooming and personal data, and the
/// clean one must raise nothing above Info.
/// </summary>
internal static class TextCheck
{
    private static readonly string[] s_surnames = ["Kowalczyk", "Okafor", "Núñez-Taylor", "Smith", "Brennan"];

    public static bool Run(TextWriter output)
    {
        var school = new BenchmarkSchool();
        output.WriteLine($"School: {school.Roster.Count} pupils, {school.Profile.Risk.StaffNames.Count} staff name forms, rules: {school.Rules.TermCount} terms, {school.Rules.PatternCount} patterns, {school.Rules.DomainCount} domains");
        var ok = true;
        foreach (var (name, text) in BenchmarkSchool.Comments)
        {
            var result = school.Screen(text);
            output.WriteLine($"[{name}] {text.Length} chars, {result.Redactions.Count} names redacted, findings: " +
                (result.Findings.Count == 0 ? "none" : string.Join(", ", result.Findings.Select(f => $"{f.Category}/{f.Rule} \"{text.Substring(f.Offset, f.Length)}\""))));
            if (result.Redactions.Count > 0)
            {
                output.WriteLine($"[{name}] redacted: {result.RedactedText}");
            }

            var categories = result.Findings.Select(f => f.Category).ToHashSet(StringComparer.Ordinal);
            var expected = name switch
            {
                "clean" => result.Findings.All(f => f.Severity == FindingSeverity.Info) && result.Redactions.Count == 0,
                // Under FirstNameOnly a full name keeps its forename and a lone forename stays; no surname may remain.
                "names" => result.Redactions.Count == 5 && result.Findings.All(f => f.Severity == FindingSeverity.Info)
                    && !s_surnames.Any(s => result.RedactedText.Contains(s, StringComparison.Ordinal)),
                _ => categories.Contains("Grooming") && categories.Contains("PersonalData") && result.Complete,
            };
            if (text.Length != 280 || !expected || !result.Complete)
            {
                output.WriteLine($"error: the {name} comment did not screen as expected");
                ok = false;
            }
        }

        return ok;
    }
}
