using System.Diagnostics;
using System.Globalization;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// A profile of the phrase rules: for each comment, how long each rule's regular expression takes on the canonical
/// text, and whether the anchor index would run it at all. Stopwatch timing, median of several batches: a guide to
/// where the risk screener's time goes, not a figure for docs/benchmarks.md.
/// </summary>
internal static class RuleCosts
{
    private const int Batches = 7;
    private const int PerBatch = 400;

    public static void Run(TextWriter output)
    {
        var school = new BenchmarkSchool();
        var rules = school.Rules.Patterns.Rules;
        foreach (var (name, text) in BenchmarkSchool.Comments)
        {
            var canonical = TextNormaliser.Normalise(text).WithLongRunsCollapsed();
            var words = canonical.Tokens.Select(t => Squeezed(canonical.Text.Substring(t.Start, t.Length))).ToHashSet(StringComparer.Ordinal);
            words.UnionWith(school.Profile.Risk.Names.Find(canonical).Select(n => Squeezed(n.Marker)));
            var costs = rules.Select(rule => (
                    Rule: rule,
                    Runs: rule.Anchors is null || rule.Anchors.Overlaps(words),
                    Micro: Time(() => { var found = new List<Finding>(); rule.Match(canonical, found); return found.Count; })))
                .OrderByDescending(c => c.Micro).ToList();
            output.WriteLine($"[{name}] all rules {costs.Sum(c => c.Micro):0.0} µs; those the anchors run {costs.Where(c => c.Runs).Sum(c => c.Micro):0.0} µs ({costs.Count(c => c.Runs)} of {costs.Count})");
            foreach (var (rule, runs, micro) in costs.Where(c => c.Runs).Concat(costs.Where(c => !c.Runs).Take(3)))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {micro,7:0.00} µs  {(runs ? "runs   " : "skipped")}  {rule.Id} (anchors: {(rule.Anchors is null ? "none" : rule.Anchors.Count.ToString(CultureInfo.InvariantCulture))}{(runs && rule.Anchors is not null ? "; in the text: " + string.Join(' ', rule.Anchors.Intersect(words)) : string.Empty)})"));
            }
        }
    }

    private static string Squeezed(string word)
    {
        Span<char> buffer = stackalloc char[word.Length];
        return buffer[..Lexicon.Squeeze(word, buffer)].ToString();
    }

    private static double Time(Func<int> action)
    {
        action();
        var batches = new List<double>(Batches);
        for (var b = 0; b < Batches; b++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < PerBatch; i++)
            {
                action();
            }

            batches.Add(watch.Elapsed.TotalMicroseconds / PerBatch);
        }

        batches.Sort();
        return batches[Batches / 2];
    }
}
