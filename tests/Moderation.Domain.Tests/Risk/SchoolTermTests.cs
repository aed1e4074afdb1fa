using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>A school's administrators add their own banned and suspect words.</summary>
public sealed class SchoolTermTests
{
    [Fact]
    public void A_schools_banned_word_blocks_and_its_suspect_word_flags()
    {
        // Arrange
        var context = new RiskContext(schoolTerms: [new SchoolTerm("Bloxwich Boyz", TermMode.Block), new SchoolTerm("vape*", TermMode.Flag)]);
        const string text = "the bloxwich boyz are selling vapes at the gate";

        // Act
        var findings = RiskRulesFixture.Screen(text, context);

        // Assert
        findings.Should().HaveCount(2);
        findings[0].Should().BeEquivalentTo(new { Category = RiskCategories.SchoolTerm, Rule = "school-block:bloxwich boyz", Severity = FindingSeverity.Severe });
        findings[0].Span(text).Should().Be("bloxwich boyz");
        findings[1].Should().BeEquivalentTo(new { Category = RiskCategories.SchoolTerm, Rule = "school-flag:vape", Severity = FindingSeverity.Warning });
        findings[1].Span(text).Should().Be("vapes");
    }

    [Fact]
    public void School_words_survive_the_same_disguises_as_the_main_lexicon()
    {
        // Arrange
        var context = new RiskContext(schoolTerms: [new SchoolTerm("bloxwich", TermMode.Block)]);
        const string text = "B.L.O.X.W.I.C.H 4 life, bl0xxxwich";

        // Act
        var findings = RiskRulesFixture.Screen(text, context);

        // Assert
        findings.Select(f => f.Span(text)).Should().Equal("B.L.O.X.W.I.C.H", "bl0xxxwich");
    }

    [Fact]
    public void Another_schools_words_do_not_apply()
    {
        // Arrange
        var context = new RiskContext(schoolTerms: [new SchoolTerm("bloxwich", TermMode.Block)]);
        const string text = "bloxwich";

        // Act
        var other = RiskRulesFixture.Screen(text, new RiskContext(schoolTerms: [new SchoolTerm("walsall", TermMode.Block)]));
        var own = RiskRulesFixture.Screen(text, context);

        // Assert
        other.Should().BeEmpty();
        own.Should().ContainSingle();
    }

    [Fact]
    public void Rules_extended_with_school_words_block_and_flag_like_the_context_does()
    {
        // Arrange
        var rules = RiskRulesFixture.Rules.WithSchoolTerms([("jambo", "block"), ("wibble", "FLAG")]);
        var screener = new RiskScreener(rules);

        // Act
        var findings = screener.Screen("jambo and wibble").ToList();

        // Assert
        findings.Select(f => (f.Rule, f.Severity)).Should().Equal(("school-block:jambo", FindingSeverity.Severe), ("school-flag:wibble", FindingSeverity.Warning));
        rules.TermCount.Should().Be(RiskRulesFixture.Rules.TermCount + 2);
        RiskRulesFixture.Screener.Screen("jambo and wibble").Should().BeEmpty("the shared rules are not changed");
    }

    [Fact]
    public void A_school_can_allow_a_local_phrase_that_contains_a_flagged_word()
    {
        // Arrange: "Dick's Den" is a local café.
        const string text = "Meet at Dick's Den for the PTA coffee morning";
        var context = new RiskContext(schoolTerms: [new SchoolTerm("dick's den", TermMode.Allow)]);

        // Act
        var without = RiskRulesFixture.Screen(text);
        var with = RiskRulesFixture.Screen(text, context);

        // Assert
        without.Should().Contain(f => f.Rule.StartsWith("flag:dick", StringComparison.Ordinal));
        with.Should().BeEmpty();
    }

    [Theory]
    [InlineData("ban")]
    [InlineData("")]
    public void An_unknown_mode_is_refused(string mode)
    {
        // Act
        var act = () => RiskRulesFixture.Rules.WithSchoolTerms([("word", mode)]);

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*block*flag*");
    }

    [Fact]
    public void A_school_term_without_letters_is_refused()
    {
        // Act
        var act = () => new RiskContext(schoolTerms: [new SchoolTerm("!!!", TermMode.Block)]);

        // Assert
        act.Should().Throw<ArgumentException>().WithMessage("*no letters*");
    }
}
