using Moderation.Domain.Rota.Scheduling;
using static Moderation.Domain.Tests.Scheduling.Rotas;
using static Moderation.Domain.Tests.Scheduling.Staff;

namespace Moderation.Domain.Tests.Scheduling;

public sealed class AbsenceTests
{
    // Amara has the week of 11 January 2027, Ben the week of 18 January.
    private static readonly RotationLayer Weekly =
        Rotation("Weekly", new DateOnly(2027, 1, 11), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara, Ben);

    private static readonly DateTimeOffset WeekStart = London(2027, 1, 11, 8);
    private static readonly DateTimeOffset WeekEnd = London(2027, 1, 18, 8);

    [Fact]
    public void An_absent_moderator_is_replaced_by_their_named_cover_for_the_absence_only()
    {
        // Arrange: Amara is on a training course Wednesday and Thursday; Dev covers.
        var rota = SchoolRota(Weekly) with
        {
            Absences = [new Absence(Amara, London(2027, 1, 13), London(2027, 1, 15), AbsenceKind.Training, Dev)],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, WeekStart, WeekEnd);

        // Assert
        schedule.Primary.Should().Equal(
            new Shift(Amara, WeekStart, London(2027, 1, 13), ShiftSource.Rotation, "Weekly", null, 1),
            new Shift(Dev, London(2027, 1, 13), London(2027, 1, 15), ShiftSource.Cover, "Weekly", Amara, 1),
            new Shift(Amara, London(2027, 1, 15), WeekEnd, ShiftSource.Rotation, "Weekly", null, 1));
        schedule.Gaps.Should().BeEmpty();
    }

    [Fact]
    public void Overlapping_absences_use_the_cover_of_the_first_listed_absence_still_in_force()
    {
        // Arrange: leave Tuesday-Wednesday covered by Dev, then sickness from Wednesday to Friday covered by Ellie.
        var rota = SchoolRota(Weekly) with
        {
            Absences =
            [
                new Absence(Amara, London(2027, 1, 12), London(2027, 1, 14), AbsenceKind.Leave, Dev),
                new Absence(Amara, London(2027, 1, 13), London(2027, 1, 16), AbsenceKind.Sickness, Ellie),
            ],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, WeekStart, WeekEnd);

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.CoveringFor, s.StartUtc, s.EndUtc)).Should().Equal(
            (Amara, (Guid?)null, WeekStart, London(2027, 1, 12)),
            (Dev, Amara, London(2027, 1, 12), London(2027, 1, 14)),
            (Ellie, Amara, London(2027, 1, 14), London(2027, 1, 16)),
            (Amara, null, London(2027, 1, 16), WeekEnd));
    }

    [Fact]
    public void A_cover_who_is_also_absent_falls_back_to_the_first_present_member_of_the_cover_pool()
    {
        // Arrange: Dev covers Amara's week, but is off sick on Wednesday; Ellie is first in the pool but on leave.
        var rota = SchoolRota(Weekly) with
        {
            CoverPool = [Ellie, Femi],
            Absences =
            [
                new Absence(Amara, WeekStart, WeekEnd, AbsenceKind.Leave, Dev),
                new Absence(Dev, London(2027, 1, 13), London(2027, 1, 14), AbsenceKind.Sickness),
                new Absence(Ellie, London(2027, 1, 1), London(2027, 1, 31), AbsenceKind.Leave),
            ],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, WeekStart, WeekEnd);

        // Assert
        schedule.Primary.Select(s => (s.UserId, s.Source, s.CoveringFor)).Should().Equal(
            (Dev, ShiftSource.Cover, (Guid?)Amara),
            (Femi, ShiftSource.Cover, Amara),
            (Dev, ShiftSource.Cover, Amara));
        schedule.Primary[1].StartUtc.Should().Be(London(2027, 1, 13));
        schedule.Primary[1].EndUtc.Should().Be(London(2027, 1, 14));
    }

    [Fact]
    public void Without_a_named_cover_the_pool_member_not_already_on_duty_is_preferred()
    {
        // Arrange: infants and juniors each have someone on duty; Chloe (juniors) is first in the pool but busy.
        var infants = Rotation("Infants", new DateOnly(2027, 1, 11), new TimeOnly(8, 0), TimeSpan.FromDays(7), Amara);
        var juniors = Rotation("Juniors", new DateOnly(2027, 1, 11), new TimeOnly(8, 0), TimeSpan.FromDays(7), Chloe);
        var rota = SchoolRota(infants, juniors) with
        {
            CoverPool = [Chloe, Dev],
            Absences = [new Absence(Amara, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Sickness)],
        };

        // Act
        var onDuty = ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 12, 10));

        // Assert
        onDuty.Select(s => (s.UserId, s.Source, s.CoveringFor)).Should().Equal(
            (Dev, ShiftSource.Cover, (Guid?)Amara),
            (Chloe, ShiftSource.Rotation, null));
    }

    [Fact]
    public void When_everyone_is_absent_the_time_is_a_gap_naming_who_has_no_cover()
    {
        // Arrange: a staff training day away from school for the whole moderation team.
        var rota = SchoolRota(Weekly) with
        {
            CoverPool = [Ben, Chloe],
            Absences =
            [
                new Absence(Amara, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Training, Ben),
                new Absence(Ben, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Training),
                new Absence(Chloe, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Training),
            ],
        };

        // Act
        var schedule = ScheduleCalculator.Compute(rota, WeekStart, WeekEnd);

        // Assert
        var gap = schedule.Gaps.Should().ContainSingle().Subject;
        (gap.StartUtc, gap.EndUtc, gap.Reason).Should().Be((London(2027, 1, 12), London(2027, 1, 13), GapReason.NoCover));
        gap.AbsentUserIds.Should().Equal(Amara);
        gap.Detail.Should().Be($"no cover for absent {Amara}");
        ScheduleCalculator.OnDutyAt(rota, London(2027, 1, 12, 9)).Should().BeEmpty();
        schedule.Shifts.Should().NotContain(s => s.UserId == Amara && s.StartUtc < London(2027, 1, 13) && s.EndUtc > London(2027, 1, 12));
    }

    [Fact]
    public void Everyone_absent_leads_the_planner_to_escalate_and_raise_an_alert()
    {
        // Arrange
        var rota = SchoolRota(Weekly) with
        {
            Absences =
            [
                new Absence(Amara, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Sickness),
                new Absence(LeadModerator, London(2027, 1, 12), London(2027, 1, 13), AbsenceKind.Leave),
            ],
        };
        var itemAt = London(2027, 1, 12, 10, 15);
        var onDuty = ScheduleCalculator.OnDutyAt(rota, itemAt);

        // Act
        var decision = AssignmentPlanner.Choose(new AssignmentRequest
        {
            OnDuty = DutyCandidate.FromShifts(onDuty, _ => new Workload(0, 10)),
            Escalation = new EscalationPolicy([[LeadModerator], [Head]]),
            Absent = rota.AbsentAt(itemAt),
        });

        // Assert
        onDuty.Should().BeEmpty();
        decision.UserId.Should().Be(Head);
        decision.Reason.Should().Be(AssignmentReason.Escalation);
        decision.EscalationLevel.Should().Be(2);
        decision.RaiseAlert.Should().BeTrue();
        decision.Alerts.Should().Be(AlertReasons.NobodyOnDuty | AlertReasons.ReachedHeadteacher);
    }
}
