using Moderation.Domain.Screening;

namespace Moderation.Domain.Tests.Screening;

public sealed class RedactedOffsetsTests
{
    // "Olivia Smith rang 07700 900123" → "Olivia rang 07700 900123" (FirstNameOnly)
    private const string Original = "Olivia Smith rang 07700 900123";
    private const string Redacted = "Olivia rang 07700 900123";
    private static readonly RedactedOffsets s_map = new([new Replacement(0, 12, 6)]);

    [Fact]
    public void A_span_after_a_replacement_moves_by_the_difference_in_length()
    {
        var phone = Original.IndexOf("07700", StringComparison.Ordinal);
        var (offset, length) = s_map.Map(phone, 12);
        Redacted.Substring(offset, length).Should().Be("07700 900123");
    }

    [Fact]
    public void A_span_inside_a_replacement_covers_the_whole_replacement()
    {
        var (offset, length) = s_map.Map(7, 5); // "Smith"
        Redacted.Substring(offset, length).Should().Be("Olivia");
    }

    [Fact]
    public void A_span_before_any_replacement_is_unchanged_and_spans_across_two_replacements_stretch()
    {
        // "Ask Olivia Smith and Zoe Nunez" → "Ask O.S. and Z.N."
        var map = new RedactedOffsets([new Replacement(4, 12, 4), new Replacement(21, 9, 4)]);
        map.Map(0, 3).Should().Be((0, 3));
        var (offset, length) = map.Map(4, 26);
        "Ask O.S. and Z.N.".Substring(offset, length).Should().Be("O.S. and Z.N.");
    }

    [Fact]
    public void No_replacements_change_nothing() =>
        new RedactedOffsets([]).Map(5, 7).Should().Be((5, 7));
}

public sealed class RedactedOffsetsMapBackTests
{
    [Theory]
    [InlineData(0, 3, 0, 12)] // the whole of "[pupil]" is the whole of "Olivia Smith"
    [InlineData(9, 4, 14, 4)] // text after the replacement shifts back by the difference
    [InlineData(5, 6, 0, 16)] // a span that starts inside a replacement covers the whole replaced run
    public void A_span_of_the_redacted_text_maps_back_onto_the_original(int offset, int length, int expectedOffset, int expectedLength)
    {
        // Arrange: "Olivia Smith" (12 characters) became "[pupil]" (7).
        var map = new RedactedOffsets([new Replacement(0, 12, 7)]);

        // Act
        var mapped = map.MapBack(offset, length);

        // Assert
        mapped.Should().Be((expectedOffset, expectedLength));
    }

    [Fact]
    public void Without_replacements_spans_map_back_to_themselves() =>
        new RedactedOffsets([]).MapBack(5, 7).Should().Be((5, 7));
}
