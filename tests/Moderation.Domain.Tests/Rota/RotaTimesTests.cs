using Moderation.Domain.Rota;

namespace Moderation.Domain.Tests.Rota;

public sealed class RotaTimesTests
{
    [Theory]
    [InlineData("2026-11-02", "2026-11-02T00:00:00Z")] // GMT
    [InlineData("2026-07-01", "2026-06-30T23:00:00Z")] // BST
    [InlineData("2026-10-25", "2026-10-24T23:00:00Z")] // the day the clocks go back starts in BST
    [InlineData("2026-11-02T08:30", "2026-11-02T08:30:00Z")]
    [InlineData("2026-07-01T08:30", "2026-07-01T07:30:00Z")]
    [InlineData("2027-03-28T01:30", "2027-03-28T01:00:00Z")] // skipped: the instant the clocks jump
    [InlineData("2026-10-25T01:30", "2026-10-25T00:30:00Z")] // repeated: its first occurrence, in BST
    [InlineData("2026-07-01T08:30Z", "2026-07-01T08:30:00Z")]
    [InlineData("2026-07-01T08:30:00+02:00", "2026-07-01T06:30:00Z")]
    public void A_start_is_a_london_day_a_london_wall_clock_time_or_an_instant(string text, string expected)
    {
        // Act
        var ok = RotaTimes.TryParseStart(text, out var instant);

        // Assert
        ok.Should().BeTrue();
        instant.Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2026-11-06", "2026-11-07T00:00:00Z")]
    [InlineData("2026-10-24", "2026-10-24T23:00:00Z")] // Saturday ends at Sunday's midnight, still BST
    [InlineData("2026-10-25", "2026-10-26T00:00:00Z")] // the 25-hour Sunday
    [InlineData("2026-11-06T16:00", "2026-11-06T16:00:00Z")]
    public void An_end_date_includes_the_whole_day(string text, string expected)
    {
        // Act
        var ok = RotaTimes.TryParseEnd(text, out var instant);

        // Assert
        ok.Should().BeTrue();
        instant.Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("02/11/2026")]
    [InlineData("2026-11-31")]
    [InlineData("2026-11-02 08:00")]
    [InlineData("2026-11-02T25:00")]
    public void Anything_else_is_refused(string? text)
    {
        RotaTimes.TryParseStart(text, out _).Should().BeFalse();
        RotaTimes.TryParseEnd(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("08:00", 8, 0)]
    [InlineData("18:30:00", 18, 30)]
    [InlineData(" 00:00 ", 0, 0)]
    public void Times_are_24_hour(string text, int hour, int minute)
    {
        RotaTimes.TryParseTime(text, out var time).Should().BeTrue();
        time.Should().Be(new TimeOnly(hour, minute));
    }

    [Theory]
    [InlineData("8am")]
    [InlineData("24:00")]
    [InlineData("8")]
    public void Other_times_are_refused(string text) => RotaTimes.TryParseTime(text, out _).Should().BeFalse();

    [Theory]
    [InlineData("Monday", DayOfWeek.Monday)]
    [InlineData("friday", DayOfWeek.Friday)]
    public void Days_are_english_names(string text, DayOfWeek day)
    {
        RotaTimes.TryParseDay(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(day);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("Funday")]
    [InlineData("")]
    public void Numbers_and_other_words_are_not_days(string text) => RotaTimes.TryParseDay(text, out _).Should().BeFalse();

    [Fact]
    public void Local_time_is_shown_with_londons_offset_at_that_moment()
    {
        RotaTimes.InLondon(new DateTimeOffset(2026, 7, 1, 7, 30, 0, TimeSpan.Zero)).Should()
            .Be(new DateTimeOffset(2026, 7, 1, 8, 30, 0, TimeSpan.FromHours(1))).And.HaveOffset(TimeSpan.FromHours(1));
        RotaTimes.InLondon(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero)).Offset.Should().Be(TimeSpan.Zero);
    }
}
