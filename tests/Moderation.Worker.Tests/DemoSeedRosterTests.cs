using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Consent;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;
using Moderation.Domain.Seeding;

namespace Moderation.Worker.Tests;

/// <summary>
/// The seed command upserts a school's roll: seeding again updates pupils and adds consents in place, never twice, and
/// nothing it saved stays tracked to slow every later save.
/// </summary>
public sealed class DemoSeedRosterTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly DateOnly s_from = new(2026, 9, 1);

    [Fact]
    public async Task Seeding_a_roll_again_updates_its_pupils_and_adds_consents_without_doubling_anything()
    {
        var slug = $"seed-roll-{Guid.NewGuid():N}"[..24];
        var first = Data(slug, [Pupil("R1", "Olivia", "Brennan", Consent(ConsentChannel.SocialMedia)), Pupil("R2", "Noah", "Okafor", Consent(ConsentChannel.SocialMedia))]);
        var second = Data(slug,
        [
            Pupil("R1", "Olivia", "Brennan-Hart", Consent(ConsentChannel.SocialMedia)),
            Pupil("R2", "Noah", "Okafor", Consent(ConsentChannel.SocialMedia), Consent(ConsentChannel.Website)),
            Pupil("R3", "Zara", "Khan", Consent(ConsentChannel.Website, ConsentStatus.Objected)),
        ]);
        try
        {
            // Act
            var (firstReport, trackedAfterFirst) = await SeedAsync(first);
            var (secondReport, trackedAfterSecond) = await SeedAsync(second);

            // Assert: nothing stays tracked once a school is saved (every later save would compare it all again).
            trackedAfterFirst.Should().Be(0);
            trackedAfterSecond.Should().Be(0);
            firstReport.Pupils.Should().Be(2);
            secondReport.Pupils.Should().Be(1, "only R3 is new");
            await using var db = Fixture.Db();
            var schoolId = await db.Schools.Where(s => s.Slug == slug).Select(s => s.Id).SingleAsync();
            var roll = await db.Pupils.AsNoTracking().Where(p => p.SchoolId == schoolId).OrderBy(p => p.MisId).ToListAsync();
            roll.Select(p => $"{p.MisId} {p.LegalForename} {p.Surname}").Should().Equal("R1 Olivia Brennan-Hart", "R2 Noah Okafor", "R3 Zara Khan");
            var consents = await db.Consents.AsNoTracking().Where(c => roll.Select(p => p.Id).Contains(c.PupilId)).ToListAsync();
            consents.Select(c => $"{roll.Single(p => p.Id == c.PupilId).MisId} {c.Channel} {c.Status}").Should().BeEquivalentTo(
                ["R1 SocialMedia Granted", "R2 SocialMedia Granted", "R2 Website Granted", "R3 Website Objected"]);
        }
        finally
        {
            await using var db = Fixture.Db();
            var ids = await db.Schools.Where(s => s.Slug == slug).Select(s => s.Id).ToListAsync();
            await db.Consents.Where(c => db.Pupils.Any(p => p.Id == c.PupilId && ids.Contains(p.SchoolId))).ExecuteDeleteAsync();
            await db.Pupils.Where(p => ids.Contains(p.SchoolId)).ExecuteDeleteAsync();
            await db.Schools.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync();
        }
    }

    /// <summary>Seeds, and counts what the seeder's context still tracks afterwards.</summary>
    private async Task<(SeedReport Report, int Tracked)> SeedAsync(SeedData data)
    {
        using var scope = Fixture.Services.CreateScope();
        var report = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(data, CancellationToken.None);
        return (report, scope.ServiceProvider.GetRequiredService<ModerationDbContext>().ChangeTracker.Entries().Count());
    }

    private static SeedData Data(string slug, List<SeedPupil> pupils) =>
        new("Unused-Passw0rd!", [new SeedSchool(slug, "Seed Roll Primary", null, NamePolicy.FirstNameOnly, ConsentModel.OptOut, [], pupils, [])], []);

    private static SeedPupil Pupil(string misId, string forename, string surname, params SeedConsent[] consents) =>
        new(misId, forename, null, surname, "Year 4", [.. consents]);

    private static SeedConsent Consent(ConsentChannel channel, ConsentStatus status = ConsentStatus.Granted) =>
        new(channel, status, null, false, s_from, null, "MIS export");
}
