using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Tests.Photos;

/// <summary>
/// DOMAIN.md "Names in detail": with invariant globalisation on, .NET's accent-insensitive comparison silently does
/// nothing, so folding must give the same answer with and without Unicode normalisation.
/// </summary>
public sealed class NameFoldingTests
{
    [Theory]
    [InlineData("Zoë Núñez", "zoe nunez")]
    [InlineData("Zoe\u0308 Nu\u0301n\u0303ez", "zoe nunez")]
    [InlineData("  ZOË   NÚÑEZ \n", "zoe nunez")]
    [InlineData("Siobhán Ó Súilleabháin", "siobhan o suilleabhain")]
    [InlineData("Łucja Wąsowska-Żak", "lucja wasowska-zak")]
    [InlineData("Søren Ærøe", "soren aeroe")]
    [InlineData("Jürgen Groß", "jurgen gross")]
    [InlineData("Nguyễn Thị Ánh", "nguyen thi anh")]
    [InlineData("Ștefan Țurcanu", "stefan turcanu")]
    [InlineData("Alfie O’Brien", "alfie o'brien")]
    [InlineData("Mary–Jane Watson", "mary-jane watson")]
    [InlineData("İlkay Çelik", "ilkay celik")]
    public void Names_fold_the_same_with_and_without_unicode_normalisation(string name, string expected)
    {
        // Act
        var withIcu = NameFolding.Fold(name);
        var invariant = NameFolding.Fold(name, unicodeNormalisation: false);

        // Assert
        withIcu.Should().Be(expected);
        invariant.Should().Be(expected);
    }

    [Fact]
    public void Different_names_stay_different()
    {
        // Assert
        NameFolding.Fold("Olivia Smith").Should().NotBe(NameFolding.Fold("Olivia Smyth"));
        NameFolding.Fold(null).Should().BeEmpty();
    }
}
