using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

public sealed class TextNormaliserTests
{
    [Theory]
    [InlineData("HELLO World", "hello world")]
    [InlineData("Zoë and Chloé", "zoe and chloe")]
    [InlineData("Zoe\u0308 decomposed", "zoe decomposed")]
    [InlineData("Ｆｕｌｌ ｗｉｄｔｈ", "full width")]
    [InlineData("𝐛𝐨𝐥𝐝 𝓼𝓬𝓻𝓲𝓹𝓽", "bold script")]
    [InlineData("ⓒⓘⓡⓒⓛⓔⓓ", "circled")]
    [InlineData("ꜱᴍᴀʟʟ ᴄᴀᴘꜱ", "small caps")]
    [InlineData("Straße Æsop ﬁsh", "strasse aesop fish")]
    [InlineData("Søren Łukasz", "soren lukasz")]
    public void Case_accents_and_fancy_letters_fold_to_plain_latin(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Theory]
    [InlineData("кіll", "kill")] // Cyrillic к and і
    [InlineData("sеcrеt", "secret")] // Cyrillic е
    [InlineData("ΒΟΜΒ", "bomb")] // Greek capitals
    [InlineData("рοrn", "porn")] // Cyrillic р, Greek ο
    public void Look_alike_letters_from_other_scripts_read_as_latin(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Theory]
    [InlineData("sh1t", "shit")]
    [InlineData("k1ll", "kill")]
    [InlineData("ki11", "kill")]
    [InlineData("a$$", "ass")]
    [InlineData("b@stard", "bastard")]
    [InlineData("sh!t", "shit")]
    [InlineData("s3cr3t", "secret")]
    [InlineData("n00b", "noob")]
    [InlineData("$hit", "shit")]
    public void Leetspeak_inside_a_word_reads_as_letters(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Theory]
    [InlineData("Year 6 won 3 cups", "year 6 won 3 cups")]
    [InlineData("Pick-up at 3.15pm, Y5 and 4B", "pick up at 3 15pm y5 and 4b")]
    [InlineData("Our 21st birthday on 1st May", "our 21st birthday on 1st may")]
    [InlineData("KS2 SATs in 2024!", "ks2 sats in 2024")]
    [InlineData("Wow!! Well done @stmarys", "wow well done stmarys")]
    [InlineData("Tickets £5 or $5", "tickets 5 or 5")]
    public void Numbers_times_year_groups_and_punctuation_are_not_read_as_leetspeak(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Theory]
    [InlineData("k.i.l.l", "kill")]
    [InlineData("k i l l", "kill")]
    [InlineData("s-e-c-r-e-t", "secret")]
    [InlineData("f_u_c_k off", "fuck off")]
    [InlineData("meet me a.l.o.n.e", "meet me alone")]
    [InlineData("k\u200Bi\u200Bl\u200Bl", "kill")]
    public void Words_spelled_out_with_spaces_dots_dashes_or_invisible_characters_are_joined(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Theory]
    [InlineData("J. K. Rowling visited", "j k rowling visited")]
    [InlineData("Plan A or B", "plan a or b")]
    [InlineData("don't you're O'Brien’s", "don't you're o'brien's")]
    public void Ordinary_initials_and_apostrophes_are_left_as_they_are(string text, string expected)
    {
        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be(expected);
    }

    [Fact]
    public void Each_normalised_character_maps_back_to_the_original_it_came_from()
    {
        // Arrange
        const string text = "Well… k.i.l.l Zoe\u0308 ＮＯＷ";

        // Act
        var normalised = TextNormaliser.Normalise(text);

        // Assert
        normalised.Text.Should().Be("well kill zoe now");
        var kill = normalised.Text.IndexOf("kill", StringComparison.Ordinal);
        var (offset, length) = normalised.ToOriginal(kill, 4);
        text.Substring(offset, length).Should().Be("k.i.l.l");
        var zoe = normalised.Text.IndexOf("zoe", StringComparison.Ordinal);
        (offset, length) = normalised.ToOriginal(zoe, 3);
        text.Substring(offset, length).Should().Be("Zoe\u0308", "the combining mark belongs to the letter before it");
        (offset, length) = normalised.ToOriginal(normalised.Text.Length - 3, 3);
        text.Substring(offset, length).Should().Be("ＮＯＷ");
    }

    [Fact]
    public void Tokens_are_the_words_of_the_canonical_text_and_remember_spelled_out_words()
    {
        // Act
        var normalised = TextNormaliser.Normalise("go  k i l l   now");

        // Assert
        normalised.Tokens.Select(t => normalised.Text.Substring(t.Start, t.Length)).Should().Equal("go", "kill", "now");
        normalised.Tokens.Select(t => t.IsSpacedRun).Should().Equal(false, true, false);
    }

    [Fact]
    public void Empty_and_punctuation_only_text_normalises_to_nothing()
    {
        // Act
        var empty = TextNormaliser.Normalise(string.Empty);
        var punctuation = TextNormaliser.Normalise("!!! ... ?? 🎉🎉");

        // Assert
        empty.Text.Should().BeEmpty();
        punctuation.Text.Should().BeEmpty();
        punctuation.Tokens.Should().BeEmpty();
    }
}
