using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class TrustRotaTests
{
    private static readonly RotaDefinition TrustRota = new()
    {
        Id = new Guid("70000000-0000-0000-0000-000000000001"),
        Name = "Valley Learning Trust",
        SchoolIds = [Oakfield, Riverside, Hillcrest],
        Layers = [Rotation("Trust daily", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.FromDays(1), Dev, Ellie)],
    };

    private static readonly RotaDefinition OakfieldRota = new()
    {
        Id = new Guid("70000000-0000-0000-0000-000000000002"),
        Name = "Oakfield Primary",
        SchoolIds = [Oakfield],
        Layers =
        [
            Rotation("Oakfield weekly", new DateOnly(2027, 1, 4), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara)
                with { Restrictions = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(18, 0)) },
        ],
    };

    [Fact]
    public void A_trust_rota_shared_by_several_schools_puts_the_same_moderator_on_duty_for_each()
    {
        // Arrange
        var at = London(2027, 1, 12, 10);

        // Act
        var riverside = ScheduleCalculator.OnDutyForSchool([TrustRota], Riverside, at);
        var hillcrest = ScheduleCalculator.OnDutyForSchool([TrustRota], Hillcrest, at);
        var elsewhere = ScheduleCalculator.OnDutyForSchool([TrustRota], Guid.NewGuid(), at);

        // Assert
        riverside.Select(s => s.UserId).Should().Equal(Dev);
        hillcrest.Should().Equal(riverside);
        elsewhere.Should().BeEmpty();
    }

    [Fact]
    public void A_school_with_its_own_rota_puts_its_own_moderator_first_and_the_trust_after()
    {
        // Arrange
        var inSchoolHours = London(2027, 1, 12, 10);
        var evening = London(2027, 1, 12, 20);

        // Act
        var day = ScheduleCalculator.OnDutyForSchool([TrustRota, OakfieldRota], Oakfield, inSchoolHours);
        var night = ScheduleCalculator.OnDutyForSchool([TrustRota, OakfieldRota], Oakfield, evening);

        // Assert
        day.Select(s => s.UserId).Should().Equal(Amara, Dev);
        night.Select(s => s.UserId).Should().Equal(Dev);
    }

    [Fact]
    public void When_the_school_moderator_is_at_their_cap_the_item_overflows_to_the_trust_moderator()
    {
        // Arrange
        var onDuty = ScheduleCalculator.OnDutyForSchool([TrustRota, OakfieldRota], Oakfield, London(2027, 1, 12, 10));
        var workloads = new Dictionary<Guid, Workload> { [Amara] = new(15, 15), [Dev] = new(3, 15) };

        // Act
        var decision = AssignmentPlanner.Choose(new AssignmentRequest { OnDuty = DutyCandidate.FromShifts(onDuty, u => workloads[u]) });

        // Assert
        decision.UserId.Should().Be(Dev);
        decision.Reason.Should().Be(AssignmentReason.Overflow);
        decision.OverflowFrom.Should().Be(Amara);
        decision.RaiseAlert.Should().BeFalse();
    }
}
