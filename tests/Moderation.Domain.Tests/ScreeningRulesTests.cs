using Moderation.Domain.Items;
using Moderation.Domain.Screening;

namespace Moderation.Domain.Tests;

public sealed class ScreeningRulesTests
{
    private static readonly PersonalDataScreener s_screener = new();

    [Theory]
    [InlineData("Ring me on 07700 900123 tonight", "uk-phone", "07700 900123")]
    [InlineData("Office: +44 20 7946 0958", "uk-phone", "+44 20 7946 0958")]
    [InlineData("call 01632 960001", "uk-phone", "01632 960001")]
    [InlineData("email mrs.jones@example.co.uk please", "email", "mrs.jones@example.co.uk")]
    [InlineData("we live at SW1A 1AA", "uk-postcode", "SW1A 1AA")]
    [InlineData("Lily was born on 12/03/2018", "date-of-birth", "born on 12/03/2018")]
    [InlineData("DOB: 4th May 2017", "date-of-birth", "DOB: 4th May")]
    public void Personal_data_is_found_with_its_span(string text, string rule, string expected)
    {
        var hit = s_screener.Screen(text).Should().Contain(f => f.Rule == rule).Which;
        text.Substring(hit.Offset, hit.Length).Should().StartWith(expected);
    }

    [Theory]
    [InlineData("The PTA raised £420 for 30 new books in Year 4")]
    [InlineData("Sports day is on 12 June at 1.30pm")]
    [InlineData("Class 3B won 2 cups")]
    public void Ordinary_school_news_has_no_personal_data(string text) =>
        s_screener.Screen(text).Should().BeEmpty();

    [Theory]
    [InlineData("")]
    [InlineData("Ring me on 07700 900123 tonight or email mrs.jones@example.co.uk; we live at SW1A 1AA")]
    [InlineData("jo@x.com at the start, (p.q+r@school.sch.uk) in brackets, @mention then ann@x.org, and a lone @")]
    [InlineData("two @@ then a.b@@c.com, me@localhost, x@y, +44 (0) 20 7946 0958 and 0800-123-4567")]
    [InlineData("123407700900123 is not a phone; 07٧٠٠٩٠٠١٢٣ has Arabic-Indic digits; ０７７００ ９００１２３ is full-width")]
    [InlineData("GIR 0AA, M1 1AE, B33 8TH, CR2 6XH, DN55 1PT, EC1A 1BB, sw1a1aa, \u212A1 1AA and 1ÀÀ")]
    [InlineData("M1 1AE is at the start and the end is M11AE")]
    [InlineData("born on 12/03/2018, DOB: 4th May 2017, d.o.b 1/2/2015, birthday 3rd March, Date of Birth: 01-01-2016")]
    [InlineData("Year 4, Class 3B won 2 cups, the PTA raised £420, sports day on 12 June at 1.30pm")]
    public void The_shortcuts_find_exactly_what_the_expressions_find_over_the_whole_text(string text) =>
        s_screener.Screen(text).Should().Equal(PersonalDataScreener.ScreenWholeText(text));

    [Fact]
    public void The_shortcuts_agree_with_the_whole_text_scan_on_thousands_of_made_up_texts()
    {
        // Arrange: pieces of personal data and near misses, glued together at random, so that boundaries fall everywhere.
        string[] pieces =
        [
            "07700 900123", "+44", "+44 20 7946 0958", "0", "7", "٣", "０", "1AA", "SW1A", "SW1A 1AA", "GIR 0AA", "\u212A",
            "jo@x.com", "@", ".", "a.b", "co.uk", "born on ", "12/03/2018", "DOB: ", "4th May", "x", "Q", " ", "-", "(", ")",
            "Year 4", "é", "ß",
        ];
        var random = new Random(20261201);

        for (var n = 0; n < 3000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => pieces[random.Next(pieces.Length)]));

            // Act
            var found = s_screener.Screen(text);

            // Assert
            found.Should().Equal(PersonalDataScreener.ScreenWholeText(text), text);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, "image/webp")]
    [InlineData(new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }, "image/heic")]
    [InlineData(new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F' }, null)]
    [InlineData(new byte[] { }, null)]
    public void Images_are_recognised_by_their_bytes_not_their_names(byte[] bytes, string? expected) =>
        ImageFormats.DetectContentType(bytes).Should().Be(expected);
}
