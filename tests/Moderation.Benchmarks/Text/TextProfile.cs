using System.Diagnostics;
using System.Globalization;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// A quick profile of the text path, stage by stage and phrase rule by phrase rule, for each comment: the fastest of
/// several batches (the least disturbed by other work on a shared machine), in microseconds. A guide to where the time
/// goes while changing the code; the figures for docs/benchmarks.md come from BenchmarkDotNet (the text command).
/// </summary>
internal static class TextProfile
{
    private const int Batches = 15;
    private const int PerBatch = 200;

    public static void Run(TextWriter output)
    {
        var school = new BenchmarkSchool();
        var profile = school.Profile;
        var rules = school.Rules.Patterns.Rules;

        // Tiered compilation first runs new code unoptimised: screen every comment for a while before timing anything.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
        {
            foreach (var text in BenchmarkSchool.Comments.Values)
            {
                school.Screen(text);
            }
        }

        foreach (var (name, text) in BenchmarkSchool.Comments)
        {
            var names = profile.Names.Find(text);
            var normalised = TextNormaliser.Normalise(text);
            var forPatterns = normalised.WithLongRunsCollapsed();
            var context = profile.Risk.Names.Find(forPatterns);
            var withNames = context.Count > 0 ? forPatterns.WithReplacements(context) : forPatterns;
            var staff = context.Exists(n => n.Marker == PatternCompiler.StaffMarker);
            var pupils = context.Exists(n => n.Marker == PatternCompiler.PupilMarker);

            var stages = new (string Stage, Func<int> Run)[]
            {
                ("whole text path", () => school.Screen(text).Findings.Count),
                ("names: find", () => profile.Names.Find(text).Count),
                ("names: redact", () => NameRedactor.Redact(text, names, profile.Names, profile.NamePolicy).Spans.Count),
                ("risk: all", () => school.Risk.Screen(text, profile.Risk).Count),
                ("risk: normalise", () => TextNormaliser.Normalise(text).Tokens.Count),
                ("risk: lexicon", () => Count(f => school.Rules.Lexicon.Match(normalised, f, []))),
                ("risk: school lexicon", () => Count(f => profile.Risk.SchoolLexicon?.Match(normalised, f, []))),
                ("risk: context names", () => profile.Risk.Names.Find(forPatterns).Count),
                ("risk: patterns", () => Count(f => school.Rules.Patterns.Match(forPatterns, withNames, staff, pupils, f))),
                ("risk: links", () => Count(f => school.Rules.Links.Match(text, profile.Risk.SchoolDomains, f))),
                ("personal data", () => school.PersonalData.Screen(text).Count()),
            };
            output.WriteLine($"[{name}]");
            foreach (var (stage, run) in stages)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Time(run),7:0.00} µs  {stage}"));
            }

            var words = forPatterns.Tokens.Select(t => Squeezed(forPatterns.Text.Substring(t.Start, t.Length))).ToHashSet(StringComparer.Ordinal);
            words.UnionWith(context.Select(n => Squeezed(n.Marker)));
            var costs = rules.Select(rule => (
                    Rule: rule,
                    Runs: rule.Anchors is null || rule.Anchors.Overlaps(words),
                    Micro: Time(() => Count(f => rule.Match(rule.UsesNames ? withNames : forPatterns, f)))))
                .OrderByDescending(c => c.Micro).ToList();
            output.WriteLine($"  phrase rules: all {costs.Sum(c => c.Micro):0.0} µs; those the anchors run {costs.Where(c => c.Runs).Sum(c => c.Micro):0.0} µs ({costs.Count(c => c.Runs)} of {costs.Count})");
            foreach (var (rule, runs, micro) in costs.Where(c => c.Runs).Concat(costs.Where(c => !c.Runs).Take(3)))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {micro,7:0.00} µs  {(runs ? "runs   " : "skipped")}  {rule.Id} (anchors: {rule.Anchors?.Count.ToString(CultureInfo.InvariantCulture) ?? "none"}{(runs && rule.Anchors is not null ? "; in the text: " + string.Join(' ', rule.Anchors.Intersect(words)) : string.Empty)})"));
            }
        }
    }

    private static int Count(Action<List<Finding>> run)
    {
        var findings = new List<Finding>();
        run(findings);
        return findings.Count;
    }

    private static string Squeezed(string word)
    {
        Span<char> buffer = stackalloc char[word.Length];
        return buffer[..Lexicon.Squeeze(word, buffer)].ToString();
    }

    private static double Time(Func<int> action)
    {
        action();
        var fastest = double.MaxValue;
        for (var b = 0; b < Batches; b++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < PerBatch; i++)
            {
                action();
            }

            fastest = Math.Min(fastest, watch.Elapsed.TotalMicroseconds / PerBatch);
        }

        return fastest;
    }
}
