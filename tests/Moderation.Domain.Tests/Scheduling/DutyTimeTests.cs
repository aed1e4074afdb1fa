using Moderation.Domain.Rota.Scheduling;
using Moderation.Testing;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class DutyTimeTests
{
    private static readonly RotaDefinition SchoolHours = SchoolRota(
        Rotation("Weekly", new DateOnly(2027, 9, 6), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara, Ben, Chloe)
            with { Restrictions = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0)) }) with
    {
        Calendar = new TermCalendar
        {
            Terms = [new DateRange("Autumn term", new DateOnly(2027, 9, 1), new DateOnly(2027, 12, 17))],
            Closures = [new DateRange("Half term", new DateOnly(2027, 10, 25), new DateOnly(2027, 10, 29))],
        },
    };

    [Fact]
    public void Who_is_on_duty_now_follows_the_clock_it_is_given()
    {
        // Arrange
        var clock = new ManualTimeProvider(London(2027, 10, 22, 17, 30));

        // Act
        var atHalfPastFive = ScheduleCalculator.OnDutyNow(SchoolHours, clock);
        clock.Advance(TimeSpan.FromMinutes(30));
        var atSix = ScheduleCalculator.OnDutyNow(SchoolHours, clock);

        // Assert
        atHalfPastFive.Select(s => s.UserId).Should().Equal(Amara);
        atSix.Should().BeEmpty("school hours end at 18:00 and the instant of the end is outside them");
    }

    [Fact]
    public void After_school_on_Friday_the_next_on_duty_is_Monday_morning()
    {
        var next = ScheduleCalculator.NextOnDuty(SchoolHours, London(2027, 10, 15, 19));

        next.Should().NotBeNull();
        next!.UserId.Should().Be(Amara);
        next.StartUtc.Should().Be(London(2027, 10, 18, 8));
    }

    [Fact]
    public void Over_half_term_the_next_on_duty_is_the_first_school_morning_after_it()
    {
        var next = ScheduleCalculator.NextOnDuty(SchoolHours, London(2027, 10, 22, 18));

        next!.StartUtc.Should().Be(London(2027, 11, 1, 8));
        next.UserId.Should().Be(Chloe);
    }

    [Fact]
    public void While_someone_is_on_duty_the_next_on_duty_is_their_current_shift()
    {
        var next = ScheduleCalculator.NextOnDuty(SchoolHours, London(2027, 10, 20, 11));

        next!.UserId.Should().Be(Amara);
        next.StartUtc.Should().Be(London(2027, 10, 20, 8));
        next.EndUtc.Should().Be(London(2027, 10, 20, 18));
    }

    [Fact]
    public void Over_the_Christmas_holiday_nobody_is_found_within_a_week()
    {
        ScheduleCalculator.NextOnDuty(SchoolHours, London(2027, 12, 17, 18), TimeSpan.FromDays(7)).Should().BeNull();
    }

    [Fact]
    public void A_rota_that_cannot_be_scheduled_is_refused_with_the_reasons()
    {
        var broken = SchoolRota(Rotation("Broken", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.Zero, Amara)) with
        {
            Absences = [new Absence(Ben, London(2027, 1, 5), London(2027, 1, 4), AbsenceKind.Leave, Ben)],
        };

        broken.Validate().Should().HaveCount(3);
        var act = () => ScheduleCalculator.Compute(broken, London(2027, 1, 4), London(2027, 1, 5));
        act.Should().Throw<ArgumentException>().WithMessage("*at least a minute*");
    }
}
