using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Consent;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Tests;

/// <summary>
/// What the consent page shows before an import is applied: each change of a dry run by kind (withdrawn, restricted,
/// granted, new pupil, other details), and a dry run leaves nothing behind for a later save on the same context.
/// </summary>
public sealed class RosterPreviewTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Header = "MIS id,Legal forename,Preferred forename,Surname,Year group,Website,Social media,Press,Restriction,Never publish,Effective from,Expires on";

    private static StringContent Csv(params string[] lines) => new(string.Join("\r\n", lines), Encoding.UTF8, "text/csv");

    private Guid StMarys => Fixture.Schools["st-marys-ce"];

    [Fact]
    public async Task A_dry_run_names_each_change_by_what_it_means_for_publishing()
    {
        // Arrange
        var prefix = $"p{Guid.NewGuid():N}"[..10];
        using var admin = await Fixture.As("webadmin@stmarys.example");
        using var first = await admin.PostAsync($"/api/schools/{StMarys}/roster", Csv(
            Header,
            $"{prefix}-1,Amelia,,Hughes,Year 2,granted,granted,granted,,no,01/09/2026,",
            $"{prefix}-2,Harry,,O'Brien,Year 5,objected,objected,granted,,no,01/09/2026,"));
        first.StatusCode.Should().Be(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());

        // Act: Amelia's social media consent is withdrawn and her press consent restricted; Harry's website consent is
        // granted and he moves up a year; a new pupil is never to be published
        using var dry = await admin.PostAsync($"/api/schools/{StMarys}/roster?dryRun=true", Csv(
            Header,
            $"{prefix}-1,Amelia,,Hughes,Year 2,granted,objected,restricted,group photos only,no,01/09/2026,",
            $"{prefix}-2,Harry,,O'Brien,Year 6,granted,objected,granted,,no,01/09/2026,",
            $"{prefix}-3,Isla,,Reid,Year 1,,,,,yes,01/09/2026,"));

        // Assert
        dry.StatusCode.Should().Be(HttpStatusCode.OK, await dry.Content.ReadAsStringAsync());
        var report = await ReadAsync<RosterImportReport>(dry);
        report.Applied.Should().BeFalse();
        report.Details.Should().BeEquivalentTo(
            new[]
            {
                new RosterChange(2, $"{prefix}-1", "Year 2", RosterChangeKind.ConsentWithdrawn, false, "SocialMedia", "granted", "objected"),
                new RosterChange(2, $"{prefix}-1", "Year 2", RosterChangeKind.ConsentRestricted, false, "Press", "granted", "restricted (group photos only)"),
                new RosterChange(3, $"{prefix}-2", "Year 6", RosterChangeKind.PupilDetailsChanged, false, null, null, null),
                new RosterChange(3, $"{prefix}-2", "Year 6", RosterChangeKind.ConsentGranted, false, "Website", "objected", "granted"),
                new RosterChange(4, $"{prefix}-3", "Year 1", RosterChangeKind.PupilAdded, true, null, null, null),
                new RosterChange(4, $"{prefix}-3", "Year 1", RosterChangeKind.ConsentWithdrawn, true, "Website", null, "objected, never publish"),
                new RosterChange(4, $"{prefix}-3", "Year 1", RosterChangeKind.ConsentWithdrawn, true, "SocialMedia", null, "objected, never publish"),
                new RosterChange(4, $"{prefix}-3", "Year 1", RosterChangeKind.ConsentWithdrawn, true, "Press", null, "objected, never publish"),
                new RosterChange(4, $"{prefix}-3", "Year 1", RosterChangeKind.ConsentWithdrawn, true, "InternalDisplays", null, "objected, never publish"),
            },
            o => o.WithoutStrictOrdering());
        report.Changes.Should().HaveCount(report.Details!.Count, "the words and the kinds describe the same changes");
        await using var db = Fixture.Db();
        (await db.Pupils.CountAsync(p => p.MisId.StartsWith(prefix))).Should().Be(2, "a dry run applies nothing");
    }

    [Fact]
    public async Task A_dry_run_leaves_nothing_for_a_later_save_on_the_same_context()
    {
        // Arrange
        var prefix = $"p{Guid.NewGuid():N}"[..10];
        using var scope = Fixture.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        var import = scope.ServiceProvider.GetRequiredService<RosterImport>();
        var csv = $"{Header}\n{prefix}-1,Amelia,,Hughes,Year 2,granted,granted,granted,,no,01/09/2026,\n";

        // Act: a dry run, then something else saved through the same context (as a reconciliation run saves itself)
        var report = await import.ImportAsync(StMarys, Actor.System("test"), new StringReader(csv), dryRun: true, CancellationToken.None);
        await db.SaveChangesAsync();

        // Assert
        report.PupilsAdded.Should().Be(1);
        await using var check = Fixture.Db();
        (await check.Pupils.CountAsync(p => p.MisId.StartsWith(prefix))).Should().Be(0);
    }
}
