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
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 2, 3, 4, (byte)'W', (byte)'E', (byte)'B', (byte)'P' }, "image/webp")]
    [InlineData(new byte[] { 0, 0, 0, 24, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'h', (byte)'e', (byte)'i', (byte)'c' }, "image/heic")]
    [InlineData(new byte[] { (byte)'%', (byte)'P', (byte)'D', (byte)'F' }, null)]
    [InlineData(new byte[] { }, null)]
    public void Images_are_recognised_by_their_bytes_not_their_names(byte[] bytes, string? expected) =>
        ImageFormats.DetectContentType(bytes).Should().Be(expected);
}
