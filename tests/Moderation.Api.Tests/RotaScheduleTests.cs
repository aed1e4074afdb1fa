using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Rota;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Testing;

namespace Moderation.Api.Tests;

public sealed class RotaScheduleTests(ApiFixture fixture) : RotaTest(fixture)
{
    private const string AmyName = "Ms Amy Reed";
    private const string TomName = "Mr Tom Price";
    private const string HeadName = "Mrs Helen Carter (Headteacher)";

    [Fact]
    public async Task A_rota_created_through_the_api_has_a_final_schedule_with_turns_school_hours_a_closure_and_the_gaps_between()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());

        // Act: Monday 2 to Sunday 8 November, whole days
        var schedule = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-08");

        // Assert: daily turns in school hours, Amy first; Friday is an INSET day; weekends are outside rota hours
        schedule.FromUtc.Should().Be(Utc(2026, 11, 2));
        schedule.ToUtc.Should().Be(Utc(2026, 11, 9));
        schedule.Primary.Select(Brief).Should().Equal(
            (AmyName, Utc(2026, 11, 2, 8), Utc(2026, 11, 2, 18), "rotation", null),
            (TomName, Utc(2026, 11, 3, 8), Utc(2026, 11, 3, 18), "rotation", null),
            (AmyName, Utc(2026, 11, 4, 8), Utc(2026, 11, 4, 18), "rotation", null),
            (TomName, Utc(2026, 11, 5, 8), Utc(2026, 11, 5, 18), "rotation", null));
        schedule.Shifts.Should().BeEquivalentTo(schedule.Primary, "one rotation has one person on duty at a time");
        schedule.Primary.Should().OnlyContain(s => s.SourceName == "Weekday" && s.Layer == 1);
        schedule.Gaps.Select(g => (g.StartUtc, g.EndUtc, g.Reason, g.Detail)).Should().Equal(
            (Utc(2026, 11, 2), Utc(2026, 11, 2, 8), "outside-rota-hours", "outside rota hours"),
            (Utc(2026, 11, 2, 18), Utc(2026, 11, 3, 8), "outside-rota-hours", "outside rota hours"),
            (Utc(2026, 11, 3, 18), Utc(2026, 11, 4, 8), "outside-rota-hours", "outside rota hours"),
            (Utc(2026, 11, 4, 18), Utc(2026, 11, 5, 8), "outside-rota-hours", "outside rota hours"),
            (Utc(2026, 11, 5, 18), Utc(2026, 11, 6), "outside-rota-hours", "outside rota hours"),
            (Utc(2026, 11, 6), Utc(2026, 11, 7), "holiday", "INSET day"),
            (Utc(2026, 11, 7), Utc(2026, 11, 9), "outside-rota-hours", "outside rota hours"));
    }

    [Fact]
    public async Task The_shift_across_the_October_clock_change_lasts_25_hours_and_shows_both_local_offsets()
    {
        // Arrange: round the clock, handing over at 08:00 every day, all year
        var rota = await CreateAsync(new
        {
            name = "Round the clock",
            schoolIds = new[] { Fleming },
            rotations = new[]
            {
                new
                {
                    name = "Daily", members = new[] { await IdAsync(Amy), await IdAsync(Tom) }, startsOn = "2026-10-19",
                    handoffTime = "08:00", shiftHours = 24, runsInHolidays = true,
                },
            },
        });

        // Act: Saturday 24 and Sunday 25 October; the clocks go back at 02:00 BST on Sunday
        var schedule = await ScheduleAsync(rota.Id, "2026-10-24", "2026-10-25");

        // Assert
        schedule.FromUtc.Should().Be(Utc(2026, 10, 23, 23), "local midnight on Saturday is still BST");
        schedule.ToUtc.Should().Be(Utc(2026, 10, 26), "local midnight on Monday is GMT");
        schedule.FromLocal.Offset.Should().Be(TimeSpan.FromHours(1));
        schedule.ToLocal.Offset.Should().Be(TimeSpan.Zero);
        schedule.Primary.Select(Brief).Should().Equal(
            (AmyName, Utc(2026, 10, 23, 23), Utc(2026, 10, 24, 7), "rotation", null),
            (TomName, Utc(2026, 10, 24, 7), Utc(2026, 10, 25, 8), "rotation", null),
            (AmyName, Utc(2026, 10, 25, 8), Utc(2026, 10, 26), "rotation", null));
        var across = schedule.Primary[1];
        (across.EndUtc - across.StartUtc).Should().Be(TimeSpan.FromHours(25));
        across.StartLocal.Should().Be(new DateTimeOffset(2026, 10, 24, 8, 0, 0, TimeSpan.FromHours(1)));
        across.EndLocal.Should().Be(new DateTimeOffset(2026, 10, 25, 8, 0, 0, TimeSpan.Zero));
        schedule.Gaps.Should().BeEmpty();
    }

    [Fact]
    public async Task An_absence_with_named_cover_and_one_covered_from_the_pool_change_the_schedule_and_say_whom_they_cover()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var amy = await IdAsync(Amy);
        var tom = await IdAsync(Tom);

        // Act: Amy is on a course on Wednesday (Tom covers); Tom is off sick on Thursday (no named cover: the pool)
        var training = await RecordAbsenceAsync(rota.Id, new { userId = amy, kind = "Training", from = "2026-11-04", to = "2026-11-04", coverUserId = tom });
        var sickness = await RecordAbsenceAsync(rota.Id, new { userId = tom, kind = "Sickness", from = "2026-11-05", to = "2026-11-05" });
        var schedule = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-08");

        // Assert
        training.Should().Match<AbsenceDto>(a => a.Kind == "Training" && a.FromUtc == Utc(2026, 11, 4) && a.ToUtc == Utc(2026, 11, 5) && a.Cover!.Id == tom);
        sickness.Cover.Should().BeNull();
        schedule.Primary.Select(Brief).Should().Equal(
            (AmyName, Utc(2026, 11, 2, 8), Utc(2026, 11, 2, 18), "rotation", null),
            (TomName, Utc(2026, 11, 3, 8), Utc(2026, 11, 3, 18), "rotation", null),
            (TomName, Utc(2026, 11, 4, 8), Utc(2026, 11, 4, 18), "cover", AmyName),
            (HeadName, Utc(2026, 11, 5, 8), Utc(2026, 11, 5, 18), "cover", TomName));
        schedule.Primary.Where(s => s.Source == "cover").Should().OnlyContain(s => s.SourceName == "Weekday");
    }

    [Fact]
    public async Task An_absent_moderator_with_no_cover_left_is_a_no_cover_gap_that_names_them()
    {
        // Arrange: the headteacher, the whole cover pool, is away all week too
        var rota = await CreateAsync(await FlemingRotaAsync());
        var amy = await IdAsync(Amy);
        await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(FlemingHead), kind = "Training", from = "2026-11-02", to = "2026-11-08" });
        await RecordAbsenceAsync(rota.Id, new { userId = amy, kind = "Leave", from = "2026-11-02T08:00", to = "2026-11-02T12:00" });

        // Act
        var schedule = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-02");

        // Assert
        var gap = schedule.Gaps.Should().ContainSingle(g => g.Reason == "no-cover").Subject;
        (gap.StartUtc, gap.EndUtc).Should().Be((Utc(2026, 11, 2, 8), Utc(2026, 11, 2, 12)));
        gap.Absent.Should().ContainSingle().Which.Should().Be(new PersonDto(amy, AmyName));
        gap.Detail.Should().Be($"no cover for absent {AmyName}");
        schedule.Primary.Select(Brief).Should().Equal((AmyName, Utc(2026, 11, 2, 12), Utc(2026, 11, 2, 18), "rotation", null));
    }

    [Fact]
    public async Task An_override_replaces_the_rotation_for_its_hours_and_removing_it_restores_the_turn()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        using var head = await Fixture.As(FlemingHead);

        // Act: the trust's IT lead watches the accounts on Thursday afternoon while Tom runs the open morning stand
        using var created = await head.PostAsJsonAsync($"/api/rotas/{rota.Id}/overrides",
            new { userId = await IdAsync(TrustAdmin), from = "2026-11-05T13:00", to = "2026-11-05T16:00", reason = "Open afternoon" });
        var entry = await ReadAsync<OverrideDto>(created);
        var withOverride = await ScheduleAsync(rota.Id, "2026-11-05", "2026-11-05");
        using var removed = await head.DeleteAsync($"/api/rotas/{rota.Id}/overrides/{entry.Id}");
        var without = await ScheduleAsync(rota.Id, "2026-11-05", "2026-11-05");

        // Assert
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        withOverride.Primary.Select(Brief).Should().Equal(
            (TomName, Utc(2026, 11, 5, 8), Utc(2026, 11, 5, 13), "rotation", null),
            ("Priya Shah (trust IT lead)", Utc(2026, 11, 5, 13), Utc(2026, 11, 5, 16), "override", null),
            (TomName, Utc(2026, 11, 5, 16), Utc(2026, 11, 5, 18), "rotation", null));
        withOverride.Primary[1].SourceName.Should().Be("Open afternoon");
        withOverride.Primary[1].Layer.Should().BeNull();
        removed.StatusCode.Should().Be(HttpStatusCode.NoContent);
        without.Primary.Select(Brief).Should().Equal((TomName, Utc(2026, 11, 5, 8), Utc(2026, 11, 5, 18), "rotation", null));
        await using var db = Fixture.Db();
        (await db.AuditEntries.Where(e => e.Action.StartsWith("rota-override")).Select(e => e.Action).ToListAsync())
            .Should().BeEquivalentTo(["rota-override-added", "rota-override-removed"]);
    }

    [Fact]
    public async Task Updating_a_rota_keeps_its_rotation_ids_adds_a_higher_layer_and_changes_the_schedule()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var weekday = rota.Rotations.Should().ContainSingle().Subject;
        var amy = await IdAsync(Amy);
        var tom = await IdAsync(Tom);
        using var admin = await Fixture.As(TrustAdmin);

        // Act: Tom now starts; and a lunchtime layer has the headteacher on duty 12:00-13:00 every weekday
        using var response = await admin.PutAsJsonAsync($"/api/rotas/{rota.Id}", new
        {
            name = "Fleming moderators",
            schoolIds = new[] { Fleming },
            rotations = new object[]
            {
                new
                {
                    id = weekday.Id, name = "Weekday", layer = 1, members = new[] { tom, amy }, startsOn = "2026-11-02", handoffTime = "08:00",
                    shiftHours = 24, restrictions = new[] { new { days = s_weekdays, start = "08:00", end = "18:00" } },
                },
                new
                {
                    name = "Lunchtime", layer = 2, members = new[] { await IdAsync(FlemingHead) }, startsOn = "2026-11-02", handoffTime = "12:00",
                    shiftHours = 168, restrictions = new[] { new { days = s_weekdays, start = "12:00", end = "13:00" } },
                },
            },
            coverPool = Array.Empty<Guid>(),
            terms = s_autumnTerm,
            closures = Array.Empty<object>(),
        });
        var updated = await ReadAsync<RotaDto>(response);
        var schedule = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-02");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        updated.Rotations.Select(r => r.Name).Should().Equal("Weekday", "Lunchtime");
        updated.Rotations[0].Id.Should().Be(weekday.Id);
        updated.Rotations[0].Members.Select(m => m.Id).Should().Equal(tom, amy);
        updated.Rotations[1].Restrictions.Should().ContainSingle().Which.Days.Should().Equal(s_weekdays);
        updated.CoverPool.Should().BeEmpty();
        updated.Closures.Should().BeEmpty();
        schedule.Primary.Select(Brief).Should().Equal(
            (TomName, Utc(2026, 11, 2, 8), Utc(2026, 11, 2, 12), "rotation", null),
            (HeadName, Utc(2026, 11, 2, 12), Utc(2026, 11, 2, 13), "rotation", null),
            (TomName, Utc(2026, 11, 2, 13), Utc(2026, 11, 2, 18), "rotation", null));
        schedule.Primary[1].Layer.Should().Be(2);
        using var amyClient = await Fixture.As(Amy);
        (await amyClient.GetFromJsonAsync<RotaDto>($"/api/rotas/{rota.Id}", ApiFixture.Json))
            .Should().BeEquivalentTo(updated, "what PUT answers is what GET reads");
    }

    [Fact]
    public async Task On_duty_now_lists_the_schools_own_rota_before_the_trusts_with_cover_and_when_each_shift_ends_and_the_next_gap()
    {
        // Arrange: Wednesday 4 November 2026, 10:00; Amy is away and Tom covers her
        var fleming = await CreateAsync(await FlemingRotaAsync());
        var trust = await CreateAsync(await TrustRotaAsync());
        await RecordAbsenceAsync(fleming.Id, new { userId = await IdAsync(Amy), kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = await IdAsync(Tom) });
        var clock = new ManualTimeProvider(London(2026, 11, 4, 10));
        await using var factory = Fixture.WithClock(clock);
        using var amy = await ApiFixture.SignInAsync(factory, Amy);
        using var ben = await ApiFixture.SignInAsync(factory, Ben);

        // Act
        var atFleming = await amy.GetFromJsonAsync<OnDutyDto>($"/api/schools/{Fleming}/on-duty", ApiFixture.Json);
        var atStMarys = await ben.GetFromJsonAsync<OnDutyDto>($"/api/schools/{StMarys}/on-duty", ApiFixture.Json);
        clock.Advance(TimeSpan.FromHours(9)); // 19:00: nobody until Thursday 08:00
        var evening = await amy.GetFromJsonAsync<OnDutyDto>($"/api/schools/{Fleming}/on-duty", ApiFixture.Json);

        // Assert
        atFleming!.AtUtc.Should().Be(Utc(2026, 11, 4, 10));
        atFleming.OnDuty.Select(e => (e.Rota, e.Person.DisplayName, e.Source, e.CoveringFor?.DisplayName, e.SinceUtc, e.UntilUtc)).Should().Equal(
            ("Fleming moderators", TomName, "cover", AmyName, Utc(2026, 11, 4, 8), Utc(2026, 11, 4, 18)),
            ("Riverside weekday rota", "Ms Nadia Khan (trust moderator)", "rotation", null, Utc(2026, 11, 4, 8), Utc(2026, 11, 4, 18)));
        atFleming.OnDuty.Select(e => e.RotaId).Should().Equal(fleming.Id, trust.Id);
        atFleming.NextGap.Should().BeEquivalentTo(new OnDutyGapDto(
            Utc(2026, 11, 4, 18), Utc(2026, 11, 5, 8), Utc(2026, 11, 4, 18), Utc(2026, 11, 5, 8), "outside-rota-hours", "outside rota hours"));
        atStMarys!.OnDuty.Should().ContainSingle().Which.Rota.Should().Be("Riverside weekday rota");
        evening!.OnDuty.Should().BeEmpty();
        evening.NextGap!.FromUtc.Should().Be(Utc(2026, 11, 4, 19), "the gap has begun");
        evening.NextGap.UntilUtc.Should().Be(Utc(2026, 11, 5, 8));
    }

    [Fact]
    public async Task On_duty_for_a_school_with_no_rota_says_so_as_a_gap()
    {
        // Arrange
        var clock = new ManualTimeProvider(London(2026, 11, 4, 10));
        await using var factory = Fixture.WithClock(clock);
        using var ben = await ApiFixture.SignInAsync(factory, Ben);

        // Act
        var onDuty = await ben.GetFromJsonAsync<OnDutyDto>($"/api/schools/{StMarys}/on-duty", ApiFixture.Json);

        // Assert
        onDuty!.OnDuty.Should().BeEmpty();
        onDuty.NextGap.Should().Match<OnDutyGapDto>(g => g.Reason == "no-rota" && g.FromUtc == Utc(2026, 11, 4, 10) && g.UntilUtc == null);
    }

    [Fact]
    public async Task A_trust_rota_serves_both_schools_and_its_changes_are_audited_in_both_chains()
    {
        // Arrange
        var rota = await CreateAsync(await TrustRotaAsync());

        // Act
        var fromFleming = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-02", Amy);
        var fromStMarys = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-02", Ben);
        using var ben = await Fixture.As(Ben);
        var listed = await ben.GetFromJsonAsync<List<RotaSummaryDto>>("/api/rotas", ApiFixture.Json);

        // Assert
        rota.Schools.Select(s => s.Id).Should().BeEquivalentTo([Fleming, StMarys]);
        fromFleming.Primary.Should().ContainSingle().Which.Person.DisplayName.Should().Be("Ms Nadia Khan (trust moderator)");
        fromStMarys.Should().BeEquivalentTo(fromFleming);
        listed.Should().ContainSingle().Which.Schools.Should().HaveCount(2);
        await using var db = Fixture.Db();
        (await db.AuditEntries.Where(e => e.Action == "rota-created").Select(e => e.ChainId).ToListAsync())
            .Should().BeEquivalentTo([Fleming, StMarys]);
    }

    [Fact]
    public async Task The_rota_store_builds_the_definition_the_api_shows_and_the_schedule_the_api_serves()
    {
        // Arrange: everything a rota can hold
        var body = await FlemingRotaAsync();
        var rota = await CreateAsync(body);
        await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(Amy), kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = await IdAsync(Tom) });
        using (var head = await Fixture.As(FlemingHead))
        {
            (await head.PostAsJsonAsync($"/api/rotas/{rota.Id}/overrides",
                new { userId = await IdAsync(TrustAdmin), from = "2026-11-03T13:00", to = "2026-11-03T14:00", reason = "Staff meeting" })).EnsureSuccessStatusCode();
        }

        using var reader = await Fixture.As(FlemingHead);
        var shown = await reader.GetFromJsonAsync<RotaDto>($"/api/rotas/{rota.Id}", ApiFixture.Json);
        var absences = await reader.GetFromJsonAsync<List<AbsenceDto>>($"/api/rotas/{rota.Id}/absences", ApiFixture.Json);
        var overrides = await reader.GetFromJsonAsync<List<OverrideDto>>($"/api/rotas/{rota.Id}/overrides", ApiFixture.Json);
        var served = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-08");

        // Act
        IReadOnlyList<RotaDefinition> stored;
        using (var scope = Fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Domain.Persistence.ModerationDbContext>();
            stored = await scope.ServiceProvider.GetRequiredService<IRotaStore>().ForSchoolAsync(db, Fleming, CancellationToken.None);
        }

        // Assert
        var definition = stored.Should().ContainSingle().Subject;
        definition.Id.Should().Be(shown!.Id);
        definition.Name.Should().Be(shown.Name);
        definition.SchoolIds.Should().Equal(Fleming);
        definition.Layers.Select(l => (l.Id, l.Name, l.Layer, l.StartsOn, RotaTimes.Format(l.HandoffTime), (int)l.ShiftLength.TotalHours, l.RunsInHolidays))
            .Should().Equal(shown.Rotations.Select(r => (r.Id, r.Name, r.Layer, r.StartsOn, r.HandoffTime, r.ShiftHours, r.RunsInHolidays)));
        definition.Layers[0].Members.Should().Equal(shown.Rotations[0].Members.Select(m => m.Id));
        definition.Layers[0].Restrictions.Should().Equal(s_weekdays.Select(d => new WeeklyWindow(Enum.Parse<DayOfWeek>(d), new TimeOnly(8, 0), new TimeOnly(18, 0))));
        definition.CoverPool.Should().Equal(shown.CoverPool.Select(p => p.Id));
        definition.Calendar.Terms.Should().Equal(shown.Terms.Select(t => new DateRange(t.Name, t.FirstDay, t.LastDay)));
        definition.Calendar.Closures.Should().Equal(shown.Closures.Select(t => new DateRange(t.Name, t.FirstDay, t.LastDay)));
        definition.Absences.Should().Equal(absences!.Select(a => new Absence(a.Person.Id, a.FromUtc, a.ToUtc, Enum.Parse<AbsenceKind>(a.Kind), a.Cover?.Id)));
        definition.Overrides.Should().Equal(overrides!.Select(o => new RotaOverride(o.Person.Id, o.FromUtc, o.ToUtc, o.Reason)));
        var computed = ScheduleCalculator.Compute(definition, Utc(2026, 11, 2), Utc(2026, 11, 9));
        served.Shifts.Select(s => (s.Person.Id, s.StartUtc, s.EndUtc, s.Source, s.CoveringFor?.Id))
            .Should().Equal(computed.Shifts.Select(s => (s.UserId, s.StartUtc, s.EndUtc, s.Source.ToString().ToLowerInvariant(), s.CoveringFor)));
        served.Gaps.Select(g => (g.StartUtc, g.EndUtc)).Should().Equal(computed.Gaps.Select(g => (g.StartUtc, g.EndUtc)));
    }

    [Fact]
    public async Task The_demo_seed_has_the_trusts_rota_with_its_half_term_and_a_planned_absence_covered_by_name_and_seeding_again_changes_nothing()
    {
        // Arrange
        await Fixture.SeedDemoRotasAsync();
        var before = await CountsAsync();
        await Fixture.SeedDemoRotasAsync();
        using var admin = await Fixture.As(TrustAdmin);
        var rotas = await admin.GetFromJsonAsync<List<RotaSummaryDto>>("/api/rotas", ApiFixture.Json);
        var trust = rotas!.Single(r => r.Schools.Count == 2);

        // Act
        var leaveWeek = await ScheduleAsync(trust.Id, "2026-12-08", "2026-12-08", TrustAdmin); // Nadia's school-hours turn
        var halfTerm = await ScheduleAsync(trust.Id, "2026-10-27", "2026-10-27", TrustAdmin);

        // Assert
        (await CountsAsync()).Should().Be(before);
        rotas!.Should().HaveCount(3);
        leaveWeek.Primary.Where(s => s.SourceName == "School hours").Should().ContainSingle().Which.Should().Match<ShiftDto>(s =>
            s.Person.DisplayName == "Mr Owen Jones (trust moderator)" && s.Source == "cover" && s.CoveringFor!.DisplayName == "Ms Nadia Khan (trust moderator)");
        halfTerm.Primary.Should().BeEmpty();
        halfTerm.Gaps.Should().ContainSingle().Which.Should().Match<GapDto>(g => g.Reason == "holiday" && g.Detail == "Autumn half term");
    }
}
