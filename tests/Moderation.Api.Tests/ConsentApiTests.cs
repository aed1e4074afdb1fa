using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Consent;

namespace Moderation.Api.Tests;

public sealed class ConsentApiTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Header = "MIS id,Legal forename,Preferred forename,Surname,Year group,Social media,Press,Restriction,Never publish,Effective from,Expires on";

    private static StringContent Csv(params string[] lines) => new(string.Join("\r\n", lines), Encoding.UTF8, "text/csv");

    private Guid StMarys => Fixture.Schools["st-marys-ce"];

    private async Task<(int Pupils, int Consents)> CountsAsync(string prefix)
    {
        await using var db = Fixture.Db();
        var pupils = await db.Pupils.Where(p => p.MisId.StartsWith(prefix)).Select(p => p.Id).ToListAsync();
        return (pupils.Count, await db.Consents.CountAsync(c => pupils.Contains(c.PupilId)));
    }

    [Fact]
    public async Task An_administrator_imports_a_roster_and_importing_it_again_changes_nothing()
    {
        // Arrange
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");
        string[] file = [Header, $"{prefix}-1,Amelia,Millie,Hughes,Year 2,granted,objected,,no,01/09/2026,23/07/2027", $"{prefix}-2,Harry,,O'Brien,Year 5,restricted,,group photos only,no,2026-09-01,"];

        // Act
        using var first = await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(file));
        using var second = await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(file));

        // Assert
        first.StatusCode.Should().Be(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var applied = await ReadAsync<RosterImportReport>(first);
        applied.Should().BeEquivalentTo(new { Applied = true, Rows = 2, PupilsAdded = 2, ConsentsAdded = 3 }, o => o.ExcludingMissingMembers());
        var again = await ReadAsync<RosterImportReport>(second);
        again.Changed.Should().BeFalse();
        again.RowsUnchanged.Should().Be(2);
        (await CountsAsync(prefix)).Should().Be((2, 3));
        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.Action == "roster-imported" && a.ChainId == StMarys)).Should().Be(1, "the second import changed nothing, so recorded nothing");
        var restricted = await db.Consents.SingleAsync(c => db.Pupils.Any(p => p.Id == c.PupilId && p.MisId == $"{prefix}-2"));
        restricted.Restriction.Should().Be("group photos only");
    }

    [Fact]
    public async Task A_changed_consent_is_updated_in_place_and_a_dry_run_lists_it_without_applying_it()
    {
        // Arrange
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");
        (await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(Header, $"{prefix}-1,Amelia,,Hughes,Year 2,granted,,,no,01/09/2026,"))).Dispose();
        var withdrawn = Csv(Header, $"{prefix}-1,Amelia,,Hughes,Year 2,objected,,,no,01/09/2026,");

        // Act
        using var dry = await admin.PostAsync($"/api/schools/{StMarys}/roster?dryRun=true", withdrawn);
        var afterDry = await StatusAsync(prefix);
        using var real = await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(Header, $"{prefix}-1,Amelia,,Hughes,Year 2,objected,,,no,01/09/2026,"));

        // Assert
        var preview = await ReadAsync<RosterImportReport>(dry);
        preview.Applied.Should().BeFalse();
        preview.ConsentsUpdated.Should().Be(1);
        preview.Changes.Should().ContainSingle().Which.Should().Contain("granted → objected");
        afterDry.Should().Be(ConsentStatus.Granted);
        (await ReadAsync<RosterImportReport>(real)).ConsentsUpdated.Should().Be(1);
        (await StatusAsync(prefix)).Should().Be(ConsentStatus.Objected);
        (await CountsAsync(prefix)).Should().Be((1, 1));
    }

    private async Task<ConsentStatus> StatusAsync(string prefix)
    {
        await using var db = Fixture.Db();
        return await db.Consents.Where(c => db.Pupils.Any(p => p.Id == c.PupilId && p.MisId == $"{prefix}-1")).Select(c => c.Status).SingleAsync();
    }

    [Fact]
    public async Task A_file_with_one_bad_row_applies_nothing_and_the_problem_lists_every_bad_line()
    {
        // Arrange
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");

        // Act
        using var response = await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(
            Header,
            $"{prefix}-1,Amelia,,Hughes,Year 2,granted,,,no,01/09/2026,",
            $"{prefix}-2,Harry,,O'Brien,Year 5,sometimes,,,no,01/09/2026,",
            $"{prefix}-3,Isla,,,Year 1,granted,,,no,01/13/2026,"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).Should().Equal(3, 4);
        (await CountsAsync(prefix)).Should().Be((0, 0));
    }

    [Fact]
    public async Task A_multipart_upload_works_like_a_text_body()
    {
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes($"{Header}\n{prefix}-1,Zoë,,Núñez,Year 3,granted,,,no,01/09/2026,")), "file", "roster.csv" } };
        using var response = await admin.PostAsync($"/api/schools/{StMarys}/roster", form);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = Fixture.Db();
        (await db.Pupils.SingleAsync(p => p.MisId == $"{prefix}-1")).LegalForename.Should().Be("Zoë");
    }

    [Theory]
    [InlineData("webadmin@stmarys.example", "fleming-primary", HttpStatusCode.NotFound)]
    [InlineData("moderator@stmarys.example", "st-marys-ce", HttpStatusCode.Forbidden)]
    [InlineData("head@stmarys.example", "st-marys-ce", HttpStatusCode.Forbidden)]
    public async Task Only_the_schools_own_administrators_may_import(string email, string school, HttpStatusCode expected)
    {
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var client = await Fixture.As(email);
        using var response = await client.PostAsync($"/api/schools/{Fixture.Schools[school]}/roster", Csv(Header, $"{prefix}-1,A,,B,Year 1,granted,,,no,01/09/2026,"));
        response.StatusCode.Should().Be(expected);
        (await CountsAsync(prefix)).Should().Be((0, 0));
    }

    [Fact]
    public async Task A_roster_sent_as_json_is_refused_with_415()
    {
        using var admin = await Fixture.As("webadmin@stmarys.example");
        using var response = await admin.PostAsJsonAsync($"/api/schools/{StMarys}/roster", new { misId = "1" });
        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_administrator_starts_a_reconciliation_watches_it_and_cannot_start_a_second_while_it_is_active()
    {
        // Arrange
        using var admin = await Fixture.As("webadmin@stmarys.example");

        // Act
        using var started = await admin.PostAsync($"/api/schools/{StMarys}/consent/reconciliations", null);
        using var second = await admin.PostAsync($"/api/schools/{StMarys}/consent/reconciliations", null);
        var run = await ReadAsync<Moderation.Api.Consent.ReconciliationRunDto>(started);
        using var watched = await admin.GetAsync($"/api/schools/{StMarys}/consent/reconciliations/{run.Id}");
        using var listed = await admin.GetAsync($"/api/schools/{StMarys}/consent/reconciliations");

        // Assert
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        started.Headers.Location!.ToString().Should().EndWith(run.Id.ToString());
        run.Should().BeEquivalentTo(new { Trigger = "OnDemand", Status = "Queued", Source = "the current consent list" }, o => o.ExcludingMissingMembers());
        second.StatusCode.Should().Be(HttpStatusCode.Conflict);
        watched.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReadAsync<List<Moderation.Api.Consent.ReconciliationRunDto>>(listed)).Should().ContainSingle(r => r.Id == run.Id);
        await using var db = Fixture.Db();
        (await db.Outbox.CountAsync(o => o.Type == typeof(Moderation.Contracts.ConsentReconciliationRequested).FullName)).Should().Be(1);
    }

    [Fact]
    public async Task A_bad_file_pushed_for_reconciliation_is_refused_with_its_row_errors_and_nothing_is_stored()
    {
        // Arrange
        var prefix = $"t{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");

        // Act
        using var response = await admin.PostAsync($"/api/schools/{StMarys}/consent/reconciliations",
            Csv(Header, $"{prefix}-1,Amelia,,Hughes,Year 2,granted,,,no,01/09/2026,", $"{prefix}-2,,,Hughes,Year 2,perhaps,,,no,01/09/2026,"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("errors")[0].GetProperty("line").GetInt32().Should().Be(3);
        (await CountsAsync(prefix)).Should().Be((0, 0));
        await using var db = Fixture.Db();
        (await db.ConsentReconciliationRuns.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task The_takedown_policy_is_hide_or_delete_and_another_schools_runs_are_not_found()
    {
        // Arrange
        using var admin = await Fixture.As("webadmin@stmarys.example");
        var fleming = Fixture.Schools["fleming-primary"];

        // Act
        using var delete = await admin.PutAsJsonAsync($"/api/schools/{StMarys}/consent/takedown-policy", new { action = "delete" });
        using var nonsense = await admin.PutAsJsonAsync($"/api/schools/{StMarys}/consent/takedown-policy", new { action = "shred" });
        using var other = await admin.GetAsync($"/api/schools/{fleming}/consent/reconciliations");

        // Assert
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        nonsense.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        other.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = Fixture.Db();
        (await db.Schools.SingleAsync(s => s.Id == StMarys)).ConsentTakedownAction.Should().Be(Moderation.Domain.Items.PlatformAction.Delete);
        await db.Schools.ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsentTakedownAction, Moderation.Domain.Items.PlatformAction.Hide));
    }
}
