using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>Banned and suspect words, however they are disguised, and the innocent words that contain them.</summary>
public sealed class LexiconMatchingTests
{
    [Theory]
    [InlineData("what the fuck is this", "fuck")]
    [InlineData("what the FUCK is this", "FUCK")]
    [InlineData("what the fuuuuuck is this", "fuuuuuck")]
    [InlineData("what the f.u.c.k is this", "f.u.c.k")]
    [InlineData("what the f u c k is this", "f u c k")]
    [InlineData("what the ｆｕｃｋ is this", "ｆｕｃｋ")]
    [InlineData("what the fücк is this", "fücк")]
    [InlineData("what the fu\u200Bck is this", "fu\u200Bck")]
    [InlineData("this is fucking rubbish", "fucking")]
    [InlineData("absolute sh1t", "sh1t")]
    [InlineData("absolute $h!t", "$h!t")]
    [InlineData("absolute shiiiite", "shiiiite")]
    [InlineData("you're a c-u-n-t", "c-u-n-t")]
    [InlineData("what a tw@t", "tw@t")]
    public void Strong_swearing_is_blocked_however_it_is_disguised(string text, string span)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        var hit = findings.Should().ContainSingle(f => f.Category == RiskCategories.Profanity).Which;
        hit.Severity.Should().Be(FindingSeverity.Severe);
        hit.Rule.Should().StartWith("block:");
        hit.Span(text).Should().Be(span);
    }

    [Theory]
    [InlineData("Scunthorpe United won on Saturday")]
    [InlineData("Our trip to Essex and Sussex")]
    [InlineData("Year 6 assessment week starts Monday")]
    [InlineData("Class 4 made mocktails, not cocktails")]
    [InlineData("Our school therapist will visit")]
    [InlineData("We tasted a grape and a shitake mushroom")]
    [InlineData("A new skill for the skills passport")]
    [InlineData("Our panto this year is Dick Whittington")]
    [InlineData("Penistone Grammar School came to visit")]
    [InlineData("Spotted dick and custard for pudding")]
    [InlineData("We saw a blue tit and a great tit at the feeder")]
    [InlineData("The classic novel Moby Dick")]
    [InlineData("Books by Dick King-Smith in the library")]
    [InlineData("Sussex assessments: the cocktail of grapes in Scunthorpe")]
    [InlineData("Hancock, Dickens, Cockburn and Assange")]
    [InlineData("Please pass the document to Mr Hitchcock")]
    [InlineData("Arsenal beat Cockfosters at the weekend")]
    [InlineData("a s s e s s m e n t week")]
    public void Innocent_words_and_names_that_contain_a_bad_word_stay_clean(string text)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().BeEmpty();
    }

    [Theory]
    [InlineData("he is a prick", "prick")]
    [InlineData("what a dick", "dick")]
    public void Suspect_words_are_flagged_not_blocked(string text, string span)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        var hit = findings.Should().ContainSingle().Which;
        hit.Severity.Should().Be(FindingSeverity.Warning);
        hit.Rule.Should().StartWith("flag:");
        hit.Span(text).Should().Be(span);
    }

    [Theory]
    [InlineData("you stupid fucker", "fucker")]
    [InlineData("they fucked it up", "fucked")]
    [InlineData("a shitty day", "shitty")]
    [InlineData("bitches", "bitches")]
    public void Starred_terms_also_find_their_usual_endings(string text, string span)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().ContainSingle(f => f.Category == RiskCategories.Profanity).Which.Span(text).Should().Be(span);
    }

    [Fact]
    public void Drawn_out_letters_match_but_a_word_is_never_read_as_a_longer_one()
    {
        // Arrange: "asss" is "ass" drawn out; "as" is not "ass" with a letter missing.
        const string drawnOut = "what an asss";
        const string shorter = "we went as a class";

        // Act
        var drawnOutFindings = RiskRulesFixture.Screen(drawnOut);
        var shorterFindings = RiskRulesFixture.Screen(shorter);

        // Assert
        drawnOutFindings.Should().ContainSingle().Which.Rule.Should().Be("flag:ass");
        shorterFindings.Should().BeEmpty();
    }

    [Fact]
    public void A_phrase_written_as_one_word_is_still_the_phrase()
    {
        // Arrange
        const string text = "just killyourself";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        var hit = findings.Should().ContainSingle(f => f.Rule == "block:kill yourself").Which;
        hit.Span(text).Should().Be("killyourself");
    }

    [Fact]
    public void A_spelled_out_word_after_a_single_letter_word_is_still_found()
    {
        // Arrange: "I" joins the spelled-out run, which is then read without it.
        const string text = "I k i l l m y s e l f";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().Contain(f => f.Category == RiskCategories.ThreatToLife && f.Span(text) == "k i l l m y s e l f");
    }
}
