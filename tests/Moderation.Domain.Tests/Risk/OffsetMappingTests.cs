using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>The reviewer's highlight must cover exactly what the writer typed, however it was disguised.</summary>
public sealed class OffsetMappingTests
{
    [Theory]
    [InlineData("well f.u.c.k that", "f.u.c.k")]
    [InlineData("well f u c k that", "f u c k")]
    [InlineData("well fuuuuuck that", "fuuuuuck")]
    [InlineData("well ｆｕｃｋ that", "ｆｕｃｋ")]
    [InlineData("well fu\u0301ck that", "fu\u0301ck")]
    [InlineData("well fu\u200Bck that", "fu\u200Bck")]
    [InlineData("well 𝐟𝐮𝐜𝐤 that", "𝐟𝐮𝐜𝐤")]
    [InlineData("well F*U*C*K that", "F*U*C*K")]
    [InlineData("🎉🎉 fück 🎉", "fück")]
    public void A_disguised_word_is_reported_over_exactly_its_original_characters(string text, string expected)
    {
        // Act
        var hit = RiskRulesFixture.Screen(text).Should().ContainSingle().Which;

        // Assert
        hit.Span(text).Should().Be(expected);
    }

    [Fact]
    public void A_pattern_over_several_disguised_words_covers_them_all()
    {
        // Arrange
        const string text = "Ｉ ｗａｎｔ ｔｏ k.i.l.l m y s e l f!!";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().Contain(f => f.Rule == "selfharm-intent").Which.Span(text).Should().Be("Ｉ ｗａｎｔ ｔｏ k.i.l.l m y s e l f");
    }

    [Fact]
    public void A_name_replaced_for_matching_is_reported_over_the_whole_name()
    {
        // Arrange
        const string text = "Yesterday MR.  O'BRIEN’S class... no: Mr O'Brien slapped my son";
        var context = new RiskContext(staffNames: ["Mr O'Brien"]);

        // Act
        var findings = RiskRulesFixture.Screen(text, context);

        // Assert
        findings.Should().ContainSingle().Which.Span(text).Should().Be("Mr O'Brien slapped");
    }

    [Fact]
    public void Offsets_count_utf16_code_units_as_dotnet_strings_do()
    {
        // Arrange: each emoji is two code units.
        const string text = "😀😀 kys";

        // Act
        var hit = RiskRulesFixture.Screen(text).Should().ContainSingle().Which;

        // Assert
        hit.Offset.Should().Be(5);
        hit.Length.Should().Be(3);
    }
}
