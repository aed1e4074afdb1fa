using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Tests.Rota;

public sealed class RotaMappingTests
{
    private static readonly Guid Amy = new("00000000-0000-0000-0000-000000000001");
    private static readonly Guid Tom = new("00000000-0000-0000-0000-000000000002");
    private static readonly Guid Head = new("00000000-0000-0000-0000-000000000090");
    private static readonly Guid Fleming = new("5c000000-0000-0000-0000-000000000001");
    private static readonly Guid StMarys = new("5c000000-0000-0000-0000-000000000002");
    private static readonly DateTimeOffset Recorded = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static DutyRota Stored()
    {
        var rota = new DutyRota { Id = Guid.NewGuid(), Name = "Riverside weekday rota" };
        rota.SetSchools([StMarys, Fleming]);
        var lunchtime = new Rotation
        {
            Id = Guid.NewGuid(), RotaId = rota.Id, Name = "Lunchtime", Layer = 2, Position = 1, StartsOn = new DateOnly(2026, 11, 2),
            HandoffTime = new TimeOnly(12, 0), ShiftHours = 168,
        };
        lunchtime.SetMembers([Head]);
        lunchtime.SetRestrictions([new WeeklyWindow(DayOfWeek.Friday, new TimeOnly(12, 0), new TimeOnly(13, 0)), new WeeklyWindow(DayOfWeek.Monday, new TimeOnly(12, 0), new TimeOnly(13, 0))]);
        var weekday = new Rotation
        {
            Id = Guid.NewGuid(), RotaId = rota.Id, Name = "Weekday", Layer = 1, Position = 0, StartsOn = new DateOnly(2026, 11, 2),
            HandoffTime = new TimeOnly(8, 0), ShiftHours = 12, RunsInHolidays = true,
        };
        weekday.SetMembers([Tom, Amy, Tom]);
        rota.Rotations.AddRange([lunchtime, weekday]);
        rota.SetCoverPool([Head, Amy]);
        rota.SetTermDates(
            [new DateRange("Spring term 2027", new DateOnly(2027, 1, 4), new DateOnly(2027, 3, 25)), new DateRange("Autumn term 2026", new DateOnly(2026, 9, 2), new DateOnly(2026, 12, 18))],
            [new DateRange("Autumn half term", new DateOnly(2026, 10, 26), new DateOnly(2026, 10, 30))]);
        return rota;
    }

    [Fact]
    public void Rotations_keep_the_rotas_order_members_their_turns_and_shifts_their_hours()
    {
        // Arrange
        var rota = Stored();

        // Act
        var definition = RotaMapping.ToDefinition(rota);

        // Assert
        definition.Id.Should().Be(rota.Id);
        definition.SchoolIds.Should().Equal(Fleming, StMarys);
        definition.Layers.Select(l => l.Name).Should().Equal("Weekday", "Lunchtime");
        definition.Layers[0].Members.Should().Equal(Tom, Amy, Tom);
        definition.Layers[0].ShiftLength.Should().Be(TimeSpan.FromHours(12));
        definition.Layers[0].RunsInHolidays.Should().BeTrue();
        definition.Layers[1].Layer.Should().Be(2);
        definition.Layers[1].Restrictions.Select(w => w.Day).Should().Equal(DayOfWeek.Monday, DayOfWeek.Friday);
        definition.CoverPool.Should().Equal(Head, Amy);
        definition.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Terms_and_closures_become_the_calendar_in_date_order_and_none_at_all_means_all_year()
    {
        // Arrange
        var rota = Stored();
        var empty = new DutyRota { Id = Guid.NewGuid(), Name = "All year" };

        // Act
        var calendar = RotaMapping.ToDefinition(rota).Calendar;

        // Assert
        calendar.Terms.Select(t => t.Name).Should().Equal("Autumn term 2026", "Spring term 2027");
        calendar.Closures.Should().ContainSingle().Which.Name.Should().Be("Autumn half term");
        calendar.HolidayName(new DateOnly(2026, 10, 28)).Should().Be("Autumn half term");
        calendar.HolidayName(new DateOnly(2026, 12, 25)).Should().Be(TermCalendar.OutsideTerm);
        RotaMapping.ToDefinition(empty).Calendar.Should().BeSameAs(TermCalendar.AllYear);
    }

    [Fact]
    public void Absences_and_overrides_come_in_the_order_they_were_recorded_so_the_first_recorded_cover_wins()
    {
        // Arrange: two overlapping absences of Amy, the later-starting one recorded first
        var rota = Stored();
        var monday = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        rota.Absences.Add(new RotaAbsence
        {
            Id = Guid.NewGuid(), RotaId = rota.Id, UserId = Amy, Kind = AbsenceKind.Sickness, StartsAt = monday.AddDays(1), EndsAt = monday.AddDays(3),
            CoverUserId = Head, RecordedBy = "Head", RecordedAt = Recorded.AddMinutes(5),
        });
        rota.Absences.Add(new RotaAbsence
        {
            Id = Guid.NewGuid(), RotaId = rota.Id, UserId = Amy, Kind = AbsenceKind.Leave, StartsAt = monday.AddDays(2), EndsAt = monday.AddDays(4),
            CoverUserId = Tom, RecordedBy = "Head", RecordedAt = Recorded,
        });
        rota.Overrides.Add(new DutyOverride
        {
            Id = Guid.NewGuid(), RotaId = rota.Id, UserId = Head, StartsAt = monday.AddHours(9), EndsAt = monday.AddHours(10), Reason = "Assembly",
            CreatedBy = "Head", CreatedAt = Recorded,
        });

        // Act
        var definition = RotaMapping.ToDefinition(rota);

        // Assert
        definition.Absences.Should().Equal(
            new Absence(Amy, monday.AddDays(2), monday.AddDays(4), AbsenceKind.Leave, Tom),
            new Absence(Amy, monday.AddDays(1), monday.AddDays(3), AbsenceKind.Sickness, Head));
        definition.Overrides.Should().Equal(new RotaOverride(Head, monday.AddHours(9), monday.AddHours(10), "Assembly"));
    }

    [Fact]
    public void Setting_members_updates_turns_in_place_and_drops_the_extra_ones()
    {
        // Arrange
        var rotation = new Rotation { Id = Guid.NewGuid(), Name = "Weekday" };
        rotation.SetMembers([Amy, Tom, Head]);
        var firstTurn = rotation.Members[0];

        // Act
        rotation.SetMembers([Tom, Amy]);

        // Assert
        rotation.Members.OrderBy(m => m.Order).Select(m => m.UserId).Should().Equal(Tom, Amy);
        rotation.Members[0].Should().BeSameAs(firstTurn, "a turn is changed, not replaced, so the key (rotation, turn) is never reused in one save");
    }

    [Fact]
    public void Shift_days_read_and_write_whole_days_of_shift_hours()
    {
        // Arrange
        var rotation = new Rotation { Id = Guid.NewGuid(), Name = "Weekly" };

        // Act
        rotation.ShiftDays = 7;

        // Assert
        rotation.ShiftHours.Should().Be(168);
        new Rotation { Name = "Half days", ShiftHours = 12 }.ShiftDays.Should().Be(0);
    }
}
