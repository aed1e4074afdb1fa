using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>The rule files: their format, their errors, and the repository's own copy.</summary>
public sealed class RiskRulesTests
{
    private const string Lexicon = """
        # a comment
        darn*		Profanity	Warning	flag	Mild language.
        blast		Profanity	Severe	block	Strong language.

        dang it		-	-	allow	An exception.
        """;

    private const string Patterns = """
        @greeting	(hello|hi)
        greet-secret	Grooming	Severe	{greeting} ... secret	A greeting, then a secret.
        staff-hi	Complaint	Info	{greeting} {staff}	A greeting to a member of staff.
        """;

    private const string Links = """
        bad.example	deny	Severe	A bad site.
        sho.rt	shortener	Warning	A shortener.
        good.example	allow	-	A good site.
        com	tld	-	-
        """;

    [Fact]
    public void The_repositorys_rule_files_load_and_cover_every_category()
    {
        // Act
        var rules = RiskRules.LoadFromDirectory(RiskRulesFixture.ScreeningSeedsPath);

        // Assert
        rules.TermCount.Should().BeGreaterThan(100);
        rules.PatternCount.Should().BeGreaterThan(40);
        rules.DomainCount.Should().BeGreaterThan(30);
        var categories = rules.Lexicon.Entries.Select(e => e.Category).Concat(rules.Patterns.Rules.Select(p => p.Category)).ToHashSet();
        categories.Should().Contain(RiskCategories.All.Except([RiskCategories.Links, RiskCategories.SchoolTerm]));
    }

    [Fact]
    public void Every_repository_pattern_has_anchor_words_so_it_only_runs_when_it_could_match()
    {
        // Act
        var unanchored = RiskRulesFixture.Rules.Patterns.Rules.Where(p => p.Anchors is null).Select(p => p.Id);

        // Assert
        unanchored.Should().BeEmpty();
    }

    [Fact]
    public void Rules_parse_from_text_with_comments_macros_gaps_and_allow_rows()
    {
        // Arrange
        var rules = RiskRules.Parse(Lexicon, Patterns, Links);
        var screener = new RiskScreener(rules);

        // Act
        var lexiconHits = screener.Screen("darned blast, dang it");
        var patternHits = screener.Screen("hi there, this is a secret");
        var nameHits = screener.Screen("hello Mrs Brown", new RiskContext(staffNames: ["Mrs Brown"]));

        // Assert
        lexiconHits.Select(f => f.Rule).Should().Equal("flag:darn", "block:blast");
        patternHits.Should().ContainSingle().Which.Rule.Should().Be("greet-secret");
        nameHits.Should().ContainSingle().Which.Rule.Should().Be("staff-hi");
    }

    [Theory]
    [InlineData("darn\tProfanity\tWarning\tflag", "lexicon.tsv line 1: expected 5 columns*")]
    [InlineData("darn\tRudeness\tWarning\tflag\tx", "lexicon.tsv line 1: unknown category \"Rudeness\"")]
    [InlineData("darn\tProfanity\tLoud\tflag\tx", "lexicon.tsv line 1: severity is*")]
    [InlineData("darn\tProfanity\tWarning\tshout\tx", "lexicon.tsv line 1: mode is*")]
    [InlineData("# ok\n!!!\tProfanity\tWarning\tflag\tx", "lexicon.tsv line 2: the term has no letters*")]
    public void A_malformed_lexicon_row_is_reported_with_its_line(string lexicon, string message)
    {
        // Act
        var act = () => RiskRules.Parse(lexicon, string.Empty, string.Empty);

        // Assert
        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Theory]
    [InlineData("p1\tGrooming\tSevere\t(unclosed\tx", "patterns.tsv line 1: the pattern is not a valid regular expression*")]
    [InlineData("p1\tGrooming\tSevere\t{nosuch} me\tx", "patterns.tsv line 1: unknown macro {nosuch}")]
    [InlineData("p1\tGrooming\tSevere\t(a)?\tx", "patterns.tsv line 1: the pattern matches empty text")]
    [InlineData("p1\tGrooming\tSevere\tmeet\tx\np1\tGrooming\tSevere\tgreet\tx", "patterns.tsv line 2: rule id p1 is used twice")]
    [InlineData("@Bad\t(a|b)", "patterns.tsv line 1: a macro name is*")]
    public void A_malformed_pattern_row_is_reported_with_its_line(string patterns, string message)
    {
        // Act
        var act = () => RiskRules.Parse(string.Empty, patterns, string.Empty);

        // Assert
        act.Should().Throw<FormatException>().WithMessage(message);
    }

    [Fact]
    public void A_malformed_links_row_is_reported_with_its_line()
    {
        // Act
        var act = () => RiskRules.Parse(string.Empty, string.Empty, "bad.example\tblock\tSevere\tx");

        // Assert
        act.Should().Throw<FormatException>().WithMessage("links.tsv line 1: list is allow, deny, shortener or tld*");
    }

    [Fact]
    public void Links_rows_drive_link_screening()
    {
        // Arrange
        var screener = new RiskScreener(RiskRules.Parse(Lexicon, Patterns, Links));
        const string text = "see bad.example/x or sho.rt/y or good.example or new.com";

        // Act
        var findings = screener.Screen(text).ToList();

        // Assert
        findings.Select(f => (f.Rule, f.Span(text))).Should().Equal(
            ("link-denied:bad.example", "bad.example/x"),
            ("link-shortener:sho.rt", "sho.rt/y"),
            ("link-unlisted", "new.com"));
    }

    [Fact]
    public void Loading_from_a_folder_without_the_files_fails_clearly()
    {
        // Act
        var act = () => RiskRules.LoadFromDirectory(Path.Combine(Path.GetTempPath(), "no-such-screening-folder"));

        // Assert
        act.Should().Throw<IOException>();
    }
}
