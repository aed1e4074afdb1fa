using System.Reflection;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>
/// The phrase rules run led by a space on the text with a space in front, which is faster (PatternCompiler.Compile);
/// they must find exactly what the rules as written find.
/// </summary>
public sealed class SpaceLedPatternTests
{
    private static readonly RiskContext s_context = new(
        staffNames: ["Mr Jones", "Mrs Helen Carter", "Sarah Patel"], pupilNames: ["Olivia Smith", "Grace Kowalczyk", "Zoë Núñez-Taylor"]);

    [Fact]
    public void Every_repository_rule_has_a_space_led_form()
    {
        // Act
        var without = RiskRulesFixture.Rules.Patterns.Rules.Where(r => r.SpaceLed is null).Select(r => r.Id);

        // Assert
        without.Should().BeEmpty();
    }

    [Fact]
    public void Every_rule_led_by_a_space_finds_what_it_finds_as_written_on_the_risk_tests_texts_and_mixes_of_them()
    {
        // Arrange: every text the risk tests screen, pairs of them run together, and made-up mixes of their words.
        var tested = RiskTestTexts().ToList();
        var words = tested.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var random = new Random(20261201);
        var texts = new List<string>(tested);
        texts.AddRange(Enumerable.Range(0, 200).Select(_ => tested[random.Next(tested.Count)] + " " + tested[random.Next(tested.Count)]));
        texts.AddRange(Enumerable.Range(0, 400).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(3, 24)).Select(_ => words[random.Next(words.Length)]))));
        var rules = RiskRulesFixture.Rules.Patterns.Rules;
        var matches = 0;

        foreach (var text in texts)
        {
            foreach (var canonical in CanonicalForms(text))
            {
                canonical.WordsAreSpaced.Should().BeTrue(text);
                foreach (var rule in rules)
                {
                    // Act
                    var spaceLed = new List<Finding>();
                    rule.Match(canonical, spaceLed);

                    // Assert
                    var asWritten = AsWritten(rule, canonical);
                    spaceLed.Should().Equal(asWritten, $"{rule.Id} on \"{text}\"");
                    matches += asWritten.Count;
                }
            }
        }

        matches.Should().BeGreaterThan(200, "the texts must exercise the rules, not only their misses");
    }

    [Fact]
    public void The_rule_set_finds_what_every_rule_as_written_finds_over_the_whole_text()
    {
        // Arrange: the rule set skips rules whose anchor words are absent, and starts the others a little before the
        // first anchor word; neither may lose a match.
        var tested = RiskTestTexts().ToList();
        var random = new Random(1201);
        var texts = tested.Concat(Enumerable.Range(0, 300).Select(_ => tested[random.Next(tested.Count)] + " and then " + tested[random.Next(tested.Count)]));
        var patterns = RiskRulesFixture.Rules.Patterns;
        var matches = 0;

        foreach (var text in texts)
        {
            var forPatterns = TextNormaliser.Normalise(text).WithLongRunsCollapsed();
            var names = s_context.Names.Find(forPatterns);
            var withNames = names.Count > 0 ? forPatterns.WithReplacements(names) : forPatterns;
            var expected = patterns.Rules.SelectMany(rule => AsWritten(rule, rule.UsesNames ? withNames : forPatterns)).ToList();

            // Act
            var found = new List<Finding>();
            patterns.Match(
                forPatterns, withNames, names.Exists(n => n.Marker == PatternCompiler.StaffMarker), names.Exists(n => n.Marker == PatternCompiler.PupilMarker), found);

            // Assert
            found.Should().Equal(expected, text);
            matches += expected.Count;
        }

        matches.Should().BeGreaterThan(200, "the texts must exercise the rules, not only their misses");
    }

    [Theory]
    [InlineData("kill you", 1)]
    [InlineData("kill (\\w+ )?you", 2)]
    [InlineData("meet(?: [\\w']+){0,6} after school", 8)]
    [InlineData("(a|b c d)( e)?", 3)]
    [InlineData("[a-z][\\w']* you", 1)]
    [InlineData("a[!-~]+b", 0)]
    [InlineData("a[ -~]b", 1)]
    [InlineData("a\\sb", 1)]
    [InlineData("a.*b", null)]
    [InlineData("a[^x]+b", null)]
    [InlineData("a\\s*b", null)]
    [InlineData("a\\W+b", null)]
    [InlineData("(?<x>a )\\k<x>", null)]
    [InlineData("(?i:a b)", null)]
    public void The_most_spaces_a_match_can_hold_is_worked_out_from_the_pattern_or_left_unbounded(string pattern, int? expected) =>
        PatternAnchors.MaxSpaces(pattern).Should().Be(expected);

    [Fact]
    public void Every_repository_rule_has_a_bound_on_its_spaces()
    {
        // Act
        var unbounded = RiskRulesFixture.Rules.Patterns.Rules.Where(r => r.MaxSpaces is null).Select(r => r.Id);

        // Assert
        unbounded.Should().BeEmpty();
    }

    [Fact]
    public void A_letter_outside_the_basic_plane_sends_the_text_to_the_rules_as_written()
    {
        // Arrange: U+20000 is a letter, kept as two surrogates, which .NET's \w does not count as a word character;
        // so "i" right after it starts a word for the rule as written, with no space before it.
        const string text = "\U00020000i will kill you";

        // Act
        var canonical = TextNormaliser.Normalise(text);
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        canonical.WordsAreSpaced.Should().BeFalse();
        findings.Should().Contain(f => f.Rule == "threat-person");
    }

    [Fact]
    public void A_rule_that_looks_behind_itself_keeps_only_its_form_as_written_and_still_matches()
    {
        // Arrange
        var rules = RiskRules.Parse(
            "darn\t\tProfanity\tWarning\tflag\tMild.",
            "kill-not-after-dont\tThreatToLife\tSevere\t(?<!don't )kill you\tA threat.",
            "example.com\tallow\t-\tA site.");

        // Act
        var findings = new RiskScreener(rules).Screen("i will kill you, but don't kill you", RiskContext.Empty);

        // Assert
        rules.Patterns.Rules.Single().SpaceLed.Should().BeNull();
        findings.Where(f => f.Rule == "kill-not-after-dont").Select(f => f.Offset).Should().Equal(7);
    }

    /// <summary>The texts, as the phrase rules read them: with drawn-out letters cut, and with the context's names replaced by markers.</summary>
    private static IEnumerable<NormalisedText> CanonicalForms(string text)
    {
        var forPatterns = TextNormaliser.Normalise(text).WithLongRunsCollapsed();
        yield return forPatterns;
        var names = s_context.Names.Find(forPatterns);
        if (names.Count > 0)
        {
            yield return forPatterns.WithReplacements(names);
        }
    }

    private static List<Finding> AsWritten(PatternRule rule, NormalisedText text)
    {
        var findings = new List<Finding>();
        foreach (var match in rule.Regex.EnumerateMatches(text.Text))
        {
            var (offset, length) = text.ToOriginal(match.Index, match.Length);
            findings.Add(new Finding(rule.Category, rule.Id, rule.Severity, offset, length, rule.Explanation));
        }

        return findings;
    }

    /// <summary>The string arguments of every [InlineData] in the risk tests.</summary>
    private static IEnumerable<string> RiskTestTexts() =>
        typeof(SpaceLedPatternTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(SpaceLedPatternTests).Namespace)
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetCustomAttributes<InlineDataAttribute>().SelectMany(a => a.GetData(m)))
            .SelectMany(row => row.OfType<string>())
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.Ordinal);
}
