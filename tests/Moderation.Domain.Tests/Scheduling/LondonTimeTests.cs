using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class LondonTimeTests
{
    [Fact]
    public void Winter_local_time_is_UTC_and_summer_time_is_an_hour_ahead()
    {
        LondonTime.ToUtc(new DateOnly(2027, 1, 11), new TimeOnly(8, 0)).Should().Be(Utc(2027, 1, 11, 8));
        LondonTime.ToUtc(new DateOnly(2027, 6, 14), new TimeOnly(8, 0)).Should().Be(Utc(2027, 6, 14, 7));
        LondonTime.ToLocal(Utc(2027, 6, 14, 7)).Should().Be(new DateTime(2027, 6, 14, 8, 0, 0));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 30)]
    [InlineData(1, 59)]
    public void A_time_the_clocks_skip_in_March_becomes_the_moment_they_jump_to_two_o_clock(int hour, int minute)
    {
        // Arrange: on 28 March 2027 the clocks go from 01:00 GMT straight to 02:00 BST.
        var skipped = new DateOnly(2027, 3, 28);

        // Act
        var instant = LondonTime.ToUtc(skipped, new TimeOnly(hour, minute));

        // Assert
        instant.Should().Be(Utc(2027, 3, 28, 1, 0));
        LondonTime.ToLocal(instant).Should().Be(new DateTime(2027, 3, 28, 2, 0, 0));
    }

    [Fact]
    public void A_time_that_happens_twice_in_October_is_its_first_occurrence_in_summer_time()
    {
        // On 31 October 2027 the clocks go back from 02:00 BST to 01:00 GMT, so 01:30 happens at 00:30Z and 01:30Z.
        LondonTime.ToUtc(new DateOnly(2027, 10, 31), new TimeOnly(1, 30)).Should().Be(Utc(2027, 10, 31, 0, 30));
        LondonTime.ToUtc(new DateOnly(2027, 10, 31), new TimeOnly(2, 0)).Should().Be(Utc(2027, 10, 31, 2, 0));
        LondonTime.ToUtc(new DateOnly(2027, 10, 31), new TimeOnly(0, 59)).Should().Be(Utc(2027, 10, 30, 23, 59));
    }

    [Fact]
    public void Local_to_UTC_never_goes_backwards_across_either_change()
    {
        foreach (var day in new[] { new DateOnly(2027, 3, 28), new DateOnly(2027, 10, 31) })
        {
            var previous = DateTimeOffset.MinValue;
            for (var minute = 0; minute < 24 * 60; minute += 5)
            {
                var instant = LondonTime.ToUtc(day, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minute)));
                instant.Should().BeOnOrAfter(previous, "{0} {1} minutes after midnight", day, minute);
                previous = instant;
            }
        }
    }
}
