using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Rota;

namespace Moderation.Api.Tests;

/// <summary>Tenancy and roles on the rota endpoints: another school learns nothing; only the right roles change things.</summary>
public sealed class RotaAccessTests(ApiFixture fixture) : RotaTest(fixture)
{
    public static TheoryData<string, string> RotaEndpoints => new()
    {
        { "GET", "/api/rotas/{id}" },
        { "PUT", "/api/rotas/{id}" },
        { "DELETE", "/api/rotas/{id}" },
        { "GET", "/api/rotas/{id}/schedule?from=2026-11-02&to=2026-11-08" },
        { "GET", "/api/rotas/{id}/absences" },
        { "POST", "/api/rotas/{id}/absences" },
        { "DELETE", "/api/rotas/{id}/absences/{absence}" },
        { "GET", "/api/rotas/{id}/overrides" },
        { "POST", "/api/rotas/{id}/overrides" },
        { "DELETE", "/api/rotas/{id}/overrides/{override}" },
        { "GET", "/api/schools/{school}/on-duty" },
    };

    [Theory]
    [MemberData(nameof(RotaEndpoints))]
    public async Task Another_schools_administrator_gets_404_on_every_rota_endpoint_learns_nothing_and_changes_nothing(string method, string template)
    {
        // Arrange: a Fleming rota with an absence and an override
        var rota = await CreateAsync(await FlemingRotaAsync("Fleming secret rota"));
        var absence = await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(Amy), kind = "Sickness", from = "2026-11-04", to = "2026-11-04" });
        using var head = await Fixture.As(FlemingHead);
        using var added = await head.PostAsJsonAsync($"/api/rotas/{rota.Id}/overrides",
            new { userId = await IdAsync(Tom), from = "2026-11-02T09:00", to = "2026-11-02T10:00", reason = "Assembly" });
        var entry = await ReadAsync<OverrideDto>(added);
        var before = await CountsAsync();
        using var outsider = await Fixture.As(StMarysAdmin);
        var url = template.Replace("{id}", rota.Id.ToString()).Replace("{absence}", absence.Id.ToString())
            .Replace("{override}", entry.Id.ToString()).Replace("{school}", Fleming.ToString());

        // Act
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method is "POST" or "PUT"
                ? JsonContent.Create(new { name = "Taken over", schoolIds = new[] { StMarys }, userId = await IdAsync(Ben), kind = "Leave", from = "2026-11-02", to = "2026-11-03", reason = "x" })
                : null,
        };
        using var response = await outsider.SendAsync(request);

        // Assert
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.NotFound, body);
        body.Should().NotContain("Fleming secret rota").And.NotContain("Amy").And.NotContain(absence.Id.ToString());
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Another_schools_staff_do_not_see_the_rota_in_the_list()
    {
        // Arrange
        await CreateAsync(await FlemingRotaAsync("Fleming secret rota"));
        using var outsider = await Fixture.As(Ben);
        using var insider = await Fixture.As(Amy);

        // Act
        var theirs = await outsider.GetFromJsonAsync<List<RotaSummaryDto>>("/api/rotas", ApiFixture.Json);
        using var filtered = await outsider.GetAsync($"/api/rotas?school={Fleming}");
        var ours = await insider.GetFromJsonAsync<List<RotaSummaryDto>>($"/api/rotas?school={Fleming}", ApiFixture.Json);

        // Assert
        theirs.Should().BeEmpty();
        filtered.StatusCode.Should().Be(HttpStatusCode.NotFound);
        ours.Should().ContainSingle().Which.Name.Should().Be("Fleming secret rota");
    }

    [Fact]
    public async Task A_moderator_gets_403_for_administrators_actions_and_changes_nothing()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var body = await FlemingRotaAsync("Mine now");
        var before = await CountsAsync();
        using var amy = await Fixture.As(Amy);

        // Act
        using var create = await amy.PostAsJsonAsync("/api/rotas", body);
        using var update = await amy.PutAsJsonAsync($"/api/rotas/{rota.Id}", body);
        using var delete = await amy.DeleteAsync($"/api/rotas/{rota.Id}");
        using var overrideAdded = await amy.PostAsJsonAsync($"/api/rotas/{rota.Id}/overrides",
            new { userId = await IdAsync(Amy), from = "2026-11-02", to = "2026-11-02", reason = "I fancy it" });
        using var othersLeave = await amy.PostAsJsonAsync($"/api/rotas/{rota.Id}/absences",
            new { userId = await IdAsync(Tom), kind = "Leave", from = "2026-11-02", to = "2026-11-02" });
        using var ownSickness = await amy.PostAsJsonAsync($"/api/rotas/{rota.Id}/absences",
            new { kind = "Sickness", from = "2026-11-02", to = "2026-11-02" });

        // Assert
        create.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        update.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        delete.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        await ShouldBeProblemAsync(overrideAdded, HttpStatusCode.Forbidden);
        await ShouldBeProblemAsync(othersLeave, HttpStatusCode.Forbidden);
        await ShouldBeProblemAsync(ownSickness, HttpStatusCode.Forbidden);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_moderator_records_lists_and_cancels_their_own_planned_leave_but_never_sees_anyone_elses_absence()
    {
        // Arrange: the headteacher has recorded Tom's sickness
        var rota = await CreateAsync(await FlemingRotaAsync());
        var toms = await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(Tom), kind = "Sickness", from = "2026-11-03", to = "2026-11-03" });
        using var amy = await Fixture.As(Amy);

        // Act
        using var recorded = await amy.PostAsJsonAsync($"/api/rotas/{rota.Id}/absences",
            new { kind = "Leave", from = "2026-11-04", to = "2026-11-04", coverUserId = await IdAsync(Tom) });
        var leave = await ReadAsync<AbsenceDto>(recorded);
        var listed = await amy.GetFromJsonAsync<List<AbsenceDto>>($"/api/rotas/{rota.Id}/absences", ApiFixture.Json);
        using var deleteTom = await amy.DeleteAsync($"/api/rotas/{rota.Id}/absences/{toms.Id}");
        using var deleteOwn = await amy.DeleteAsync($"/api/rotas/{rota.Id}/absences/{leave.Id}");
        var schedule = await ScheduleAsync(rota.Id, "2026-11-04", "2026-11-04");

        // Assert
        recorded.StatusCode.Should().Be(HttpStatusCode.Created);
        leave.Person.Id.Should().Be(await IdAsync(Amy));
        leave.RecordedBy.Should().Be("Ms Amy Reed");
        listed.Should().ContainSingle().Which.Id.Should().Be(leave.Id);
        await ShouldBeProblemAsync(deleteTom, HttpStatusCode.NotFound);
        deleteOwn.StatusCode.Should().Be(HttpStatusCode.NoContent);
        schedule.Primary.Should().ContainSingle().Which.Source.Should().Be("rotation", "her leave was cancelled");
        await using var db = Fixture.Db();
        (await db.RotaAbsences.Select(a => a.Id).ToListAsync()).Should().Equal(toms.Id);
        (await db.AuditEntries.Where(e => e.Action.StartsWith("rota-absence")).Select(e => e.Action).ToListAsync())
            .Should().BeEquivalentTo(["rota-absence-recorded", "rota-absence-recorded", "rota-absence-deleted"]);
    }

    [Fact]
    public async Task A_DSL_reads_the_schedule_but_records_no_absence()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        var before = await CountsAsync();
        using var dsl = await Fixture.As(FlemingDsl);

        // Act
        using var recorded = await dsl.PostAsJsonAsync($"/api/rotas/{rota.Id}/absences",
            new { userId = await IdAsync(Amy), kind = "Leave", from = "2026-11-04", to = "2026-11-04" });
        var schedule = await ScheduleAsync(rota.Id, "2026-11-02", "2026-11-02", FlemingDsl);

        // Assert
        await ShouldBeProblemAsync(recorded, HttpStatusCode.Forbidden);
        schedule.Primary.Should().ContainSingle();
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task An_administrator_of_one_of_a_trust_rotas_schools_reads_it_but_may_not_change_or_delete_it()
    {
        // Arrange
        var rota = await CreateAsync(await TrustRotaAsync());
        var body = await TrustRotaAsync();
        var before = await CountsAsync();
        using var stMarysAdmin = await Fixture.As(StMarysAdmin);

        // Act
        var read = await stMarysAdmin.GetFromJsonAsync<RotaDto>($"/api/rotas/{rota.Id}", ApiFixture.Json);
        using var update = await stMarysAdmin.PutAsJsonAsync($"/api/rotas/{rota.Id}", body);
        using var delete = await stMarysAdmin.DeleteAsync($"/api/rotas/{rota.Id}");

        // Assert
        read!.Name.Should().Be("Riverside weekday rota");
        (await ShouldBeProblemAsync(update, HttpStatusCode.Forbidden)).Single().Should().Contain("every school it covers");
        await ShouldBeProblemAsync(delete, HttpStatusCode.Forbidden);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task Deleting_a_rota_removes_it_with_its_absences_and_audits_it()
    {
        // Arrange
        var rota = await CreateAsync(await FlemingRotaAsync());
        await RecordAbsenceAsync(rota.Id, new { userId = await IdAsync(Amy), kind = "Leave", from = "2026-11-04", to = "2026-11-04" });
        using var admin = await Fixture.As(TrustAdmin);

        // Act
        using var deleted = await admin.DeleteAsync($"/api/rotas/{rota.Id}");
        using var schedule = await admin.GetAsync($"/api/rotas/{rota.Id}/schedule?from=2026-11-02&to=2026-11-02");

        // Assert
        deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        schedule.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = Fixture.Db();
        (await db.Rotas.CountAsync()).Should().Be(0);
        (await db.RotaAbsences.CountAsync()).Should().Be(0);
        (await db.AuditEntries.SingleAsync(e => e.Action == "rota-deleted")).ChainId.Should().Be(Fleming);
    }
}
