using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Moderation.Api.Tests;

/// <summary>Bad rota input gets a 400 (or 404) problem that lists every error, and nothing is written.</summary>
public sealed class RotaBadInputTests(ApiFixture fixture) : RotaTest(fixture)
{
    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_writes_nothing()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var before = await CountsAsync();
        using var admin = await Fixture.As(TrustAdmin);
        using var head = await Fixture.As(FlemingHead);
        static StringContent Broken() => new("{\"name\": \"Half a rota\",", Encoding.UTF8, "application/json");

        // Act
        using var create = await admin.PostAsync("/api/rotas", Broken());
        using var update = await admin.PutAsync($"/api/rotas/{rota.Id}", Broken());
        using var absence = await head.PostAsync($"/api/rotas/{rota.Id}/absences", Broken());
        using var badGuid = await admin.PostAsync("/api/rotas", new StringContent("{\"name\": \"x\", \"schoolIds\": [\"not-a-guid\"]}", Encoding.UTF8, "application/json"));

        // Assert
        await ShouldBeProblemAsync(create, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(update, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(absence, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(badGuid, HttpStatusCode.BadRequest);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_rota_with_missing_and_wrong_fields_gets_one_400_that_lists_every_error()
    {
        // Arrange
        var before = await CountsAsync();
        using var admin = await Fixture.As(TrustAdmin);

        // Act
        using var response = await admin.PostAsJsonAsync("/api/rotas", new
        {
            name = "",
            rotations = new object[]
            {
                new { name = "No members", startsOn = "2026-11-02", handoffTime = "08:00", shiftHours = 24 },
                new
                {
                    name = "Everything wrong", members = new[] { await IdAsync(Amy) }, startsOn = "2 November", handoffTime = "8am", shiftHours = 0,
                    layer = 0, restrictions = new[] { new { days = new[] { "Funday" }, start = "08:00", end = "18:00" } },
                },
            },
            terms = new[] { new { name = "Autumn", firstDay = "2026-12-18", lastDay = "2026-09-02" } },
            closures = new[] { new { name = "Half term", firstDay = "2026-10-26" } },
        });

        // Assert
        var errors = await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        errors.Should().Contain(e => e.StartsWith("name is required", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("schoolIds is required", StringComparison.Ordinal));
        errors.Should().Contain("rotations[0] 'No members': members is required: at least one person, in turn order.");
        errors.Should().Contain(e => e.StartsWith("rotations[1] 'Everything wrong': startsOn", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("rotations[1] 'Everything wrong': handoffTime", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("rotations[1] 'Everything wrong': shiftHours", StringComparison.Ordinal));
        errors.Should().Contain(e => e.StartsWith("rotations[1] 'Everything wrong': layer", StringComparison.Ordinal));
        errors.Should().Contain("rotations[1] 'Everything wrong' restrictions[0]: 'Funday' is not a day of the week.");
        errors.Should().Contain(e => e.StartsWith("closures[0] 'Half term': firstDay and lastDay are required", StringComparison.Ordinal));
        errors.Should().HaveCount(9, "the reversed term is reported once the rest is readable: {0}", string.Join(" | ", errors));
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_term_that_ends_before_it_starts_is_refused_by_the_rotas_own_validation()
    {
        // Arrange
        using var admin = await Fixture.As(TrustAdmin);
        var before = await CountsAsync();

        // Act
        using var response = await admin.PostAsJsonAsync("/api/rotas", new
        {
            name = "Backwards",
            schoolIds = new[] { Fleming },
            terms = new[] { new { name = "Autumn", firstDay = "2026-12-18", lastDay = "2026-09-02" } },
        });

        // Assert
        (await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).Should().Equal("'Autumn': the last day is before the first.");
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Unknown_people_people_of_another_school_and_staff_who_do_not_moderate_are_refused_without_saying_which_is_which()
    {
        // Arrange
        using var admin = await Fixture.As(TrustAdmin);
        var before = await CountsAsync();
        var stranger = Guid.NewGuid();
        var ben = await IdAsync(Ben);

        // Act: Ben is St Mary's; the author does not moderate; Amy cannot serve St Mary's on the trust rota
        using var fleming = await admin.PostAsJsonAsync("/api/rotas", new
        {
            name = "Fleming moderators",
            schoolIds = new[] { Fleming },
            rotations = new[] { SchoolHours("Weekday", await IdAsync(Amy), ben, stranger, await IdAsync("author@fleming.example")) },
            coverPool = new[] { stranger },
        });
        using var trust = await admin.PostAsJsonAsync("/api/rotas", new
        {
            name = "Riverside",
            schoolIds = new[] { Fleming, StMarys },
            rotations = new[] { SchoolHours("Weekday", await IdAsync(Amy)) },
        });
        using var otherSchool = await Fixture.As(StMarysAdmin);
        using var notMine = await otherSchool.PostAsJsonAsync("/api/rotas", new
        {
            name = "St Mary's", schoolIds = new[] { StMarys, Fleming }, rotations = new[] { SchoolHours("Weekday", ben) },
        });

        // Assert
        var errors = await ShouldBeProblemAsync(fleming, HttpStatusCode.BadRequest);
        errors.Should().BeEquivalentTo(
            $"A member of 'Weekday': {ben} is not on the staff of the school this rota covers.",
            $"A member of 'Weekday': {stranger} is not on the staff of the school this rota covers.",
            "A member of 'Weekday': Miss Kate Lane (Year 4 teacher) is not a moderator, administrator or headteacher.",
            $"The cover pool: {stranger} is not on the staff of the school this rota covers.");
        errors.Should().NotContain(e => e.Contains("Ben Cole"), "nothing about another school's staff");
        (await ShouldBeProblemAsync(trust, HttpStatusCode.BadRequest)).Should().Equal(
            $"A member of 'Weekday': {await IdAsync(Amy)} is not on the staff of every school this rota covers.");
        (await ShouldBeProblemAsync(notMine, HttpStatusCode.BadRequest)).Should().Contain($"School {Fleming} is not one of yours.");
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Absences_with_bad_dates_an_unknown_person_or_a_cover_who_is_the_absent_person_are_refused()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var before = await CountsAsync();
        using var head = await Fixture.As(FlemingHead);
        var amy = await IdAsync(Amy);
        var url = $"/api/rotas/{rota.Id}/absences";

        // Act
        using var empty = await head.PostAsJsonAsync(url, new { });
        using var backwards = await head.PostAsJsonAsync(url, new { userId = amy, kind = "Leave", from = "2026-11-06", to = "2026-11-04T12:00" });
        using var self = await head.PostAsJsonAsync(url, new { userId = amy, kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = amy });
        using var unknown = await head.PostAsJsonAsync(url, new { userId = Guid.NewGuid(), kind = "Holiday", from = "2026-11-04", to = "2026-11-04" });
        using var outsiderCover = await head.PostAsJsonAsync(url, new { userId = amy, kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = await IdAsync(Ben) });
        using var missingRota = await head.PostAsJsonAsync($"/api/rotas/{Guid.NewGuid()}/absences", new { userId = amy, kind = "Leave", from = "2026-11-04", to = "2026-11-04" });

        // Assert
        (await ShouldBeProblemAsync(empty, HttpStatusCode.BadRequest)).Should().HaveCount(4, "userId, kind, from and to are all missing");
        (await ShouldBeProblemAsync(backwards, HttpStatusCode.BadRequest)).Should().Equal("to must be after from.");
        (await ShouldBeProblemAsync(self, HttpStatusCode.BadRequest)).Should().ContainSingle(e => e.StartsWith("Nobody can cover for themselves", StringComparison.Ordinal));
        (await ShouldBeProblemAsync(unknown, HttpStatusCode.BadRequest)).Should().HaveCount(2, "the kind and the person are both wrong");
        (await ShouldBeProblemAsync(outsiderCover, HttpStatusCode.BadRequest)).Should().ContainSingle(e => e.StartsWith("The cover:", StringComparison.Ordinal));
        await ShouldBeProblemAsync(missingRota, HttpStatusCode.NotFound);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_schedule_needs_from_and_to_in_order_and_at_most_93_days_apart()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        using var amy = await Fixture.As(Amy);
        var url = $"/api/rotas/{rota.Id}/schedule";

        // Act
        using var missing = await amy.GetAsync(url);
        using var backwards = await amy.GetAsync($"{url}?from=2026-11-08&to=2026-11-02");
        using var garbled = await amy.GetAsync($"{url}?from=yesterday&to=2026-11-02");
        using var tooLong = await amy.GetAsync($"{url}?from=2026-09-01&to=2026-12-31");
        using var aTerm = await amy.GetAsync($"{url}?from=2026-09-01&to=2026-12-02");

        // Assert
        (await ShouldBeProblemAsync(missing, HttpStatusCode.BadRequest)).Should().HaveCount(2);
        (await ShouldBeProblemAsync(backwards, HttpStatusCode.BadRequest)).Should().Equal("to must be after from.");
        (await ShouldBeProblemAsync(garbled, HttpStatusCode.BadRequest)).Should().ContainSingle(e => e.StartsWith("from is required", StringComparison.Ordinal));
        (await ShouldBeProblemAsync(tooLong, HttpStatusCode.BadRequest)).Should().Equal("A schedule covers at most 93 days; ask for a shorter range.");
        aTerm.StatusCode.Should().Be(HttpStatusCode.OK, "1 September to 2 December is 93 days, across the October clock change");
    }

    [Fact]
    public async Task Changing_a_rotas_schools_so_that_a_recorded_cover_no_longer_fits_is_refused_and_leaves_the_rota_as_it_was()
    {
        // Arrange: Tom covers Amy; moving the rota to the trust's two schools would make Amy, Tom and the cover invalid
        var rota = await CreateAsync(await FlemingRotaAsync());
        await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(Amy), kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = await IdAsync(Tom) });
        var before = await CountsAsync();
        using var admin = await Fixture.As(TrustAdmin);

        // Act
        using var response = await admin.PutAsJsonAsync($"/api/rotas/{rota.Id}", new
        {
            name = "Renamed",
            schoolIds = new[] { Fleming, StMarys },
            rotations = new[] { SchoolHours("Weekday", await IdAsync(Amy), await IdAsync(Tom)) },
            coverPool = new[] { await IdAsync(FlemingHead) },
        });
        using var unknownRotation = await admin.PutAsJsonAsync($"/api/rotas/{rota.Id}", new
        {
            name = "Renamed",
            schoolIds = new[] { Fleming },
            rotations = new[] { new { id = Guid.NewGuid(), name = "Weekday", members = new[] { await IdAsync(Amy) }, startsOn = "2026-11-02", handoffTime = "08:00", shiftHours = 24 } },
        });
        var after = await admin.GetFromJsonAsync<Api.Rota.RotaDto>($"/api/rotas/{rota.Id}", ApiFixture.Json);

        // Assert
        var errors = await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        errors.Should().HaveCount(4, "two members, the cover pool and the recorded cover: {0}", string.Join(" | ", errors));
        errors.Should().Contain(e => e.StartsWith("A recorded absence's cover:", StringComparison.Ordinal));
        (await ShouldBeProblemAsync(unknownRotation, HttpStatusCode.BadRequest)).Should().ContainSingle(e => e.Contains("is not part of this rota"));
        after!.Name.Should().Be("Fleming moderators");
        after.Schools.Should().ContainSingle();
        (await CountsAsync()).Should().Be(before);
    }
}
