using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Screening;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Screening;

/// <summary>
/// The screening profiles a host keeps stay within their pupil budget: the school screened least recently is let go
/// and read again, whole and current, when its next item comes.
/// </summary>
public sealed class SchoolScreeningProfilesTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task Past_the_pupil_budget_the_school_screened_least_recently_is_read_again_when_it_is_next_needed()
    {
        // Arrange: the two demo schools with pupils, and a budget that holds either but not both.
        await using var db = Fixture.Db();
        var schools = await db.Schools.AsNoTracking()
            .Select(s => new { s.Id, Pupils = db.Pupils.Count(p => p.SchoolId == s.Id) })
            .Where(s => s.Pupils > 0).OrderBy(s => s.Id).ToListAsync();
        schools.Should().HaveCountGreaterThanOrEqualTo(2);
        var (first, second) = (schools[0], schools[1]);
        var profiles = new SchoolScreeningProfiles(TimeProvider.System, pupilBudget: Math.Max(first.Pupils, second.Pupils));
        var ct = CancellationToken.None;

        // Act
        var firstRead = await profiles.GetAsync(db, first.Id, ct);
        var firstKept = await profiles.GetAsync(db, first.Id, ct);
        var secondRead = await profiles.GetAsync(db, second.Id, ct);
        var firstAgain = await profiles.GetAsync(db, first.Id, ct);

        // Assert
        firstKept.Should().BeSameAs(firstRead, "within the budget a profile is built once");
        secondRead!.Roster.Should().HaveCount(second.Pupils);
        firstAgain.Should().NotBeSameAs(firstRead, "the second school's profile pushed the first out");
        firstAgain!.Roster.Should().BeEquivalentTo(firstRead!.Roster);
        firstAgain.Version.Should().Be(firstRead.Version);
        profiles.Usage.Should().Be((1, (long)first.Pupils, 2L));
    }

    [Fact]
    public async Task A_profile_too_old_to_be_used_again_is_let_go_when_another_is_built()
    {
        // Arrange: two schools, the second screened eleven minutes after the first.
        await using var db = Fixture.Db();
        var ids = await db.Schools.AsNoTracking().OrderBy(s => s.Id).Select(s => s.Id).Take(2).ToListAsync();
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var profiles = new SchoolScreeningProfiles(clock);
        var first = await profiles.GetAsync(db, ids[0], CancellationToken.None);

        // Act
        clock.Advance(SchoolScreeningProfiles.MaxAge + TimeSpan.FromMinutes(1));
        await profiles.GetAsync(db, ids[1], CancellationToken.None);

        // Assert: only the second is kept, and the first is built afresh when its next item comes.
        profiles.Usage.Count.Should().Be(1);
        (await profiles.GetAsync(db, ids[0], CancellationToken.None)).Should().NotBeSameAs(first);
        profiles.Usage.Count.Should().Be(2);
    }

    [Fact]
    public async Task Within_the_budget_every_school_screened_stays_kept()
    {
        await using var db = Fixture.Db();
        var ids = await db.Schools.AsNoTracking().Select(s => s.Id).ToListAsync();
        var profiles = new SchoolScreeningProfiles(TimeProvider.System);

        var firstPass = new List<SchoolScreeningProfile?>();
        foreach (var id in ids)
        {
            firstPass.Add(await profiles.GetAsync(db, id, CancellationToken.None));
        }

        for (var i = 0; i < ids.Count; i++)
        {
            (await profiles.GetAsync(db, ids[i], CancellationToken.None)).Should().BeSameAs(firstPass[i]);
        }

        profiles.Usage.Count.Should().Be(ids.Count);
        profiles.Usage.Evicted.Should().Be(0);
    }
}
