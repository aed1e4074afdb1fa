using Moderation.Domain.Consent;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// What one school's screening profile keeps in memory: the worker keeps a profile for each school it screens for
/// (<see cref="SchoolScreeningProfiles"/>), so this decides how many schools it can keep within the 300 MB a host may
/// use. Builds profiles of the 2,000-pupil benchmark school, each from its own copy of the roster as a database read
/// would give it, and measures the managed heap they keep after a full collection. Not a timing: no BenchmarkDotNet.
/// </summary>
public static class ProfileMemory
{
    public const int Profiles = 20;

    public static (double PerProfileMb, int Pupils) Run(TextWriter output)
    {
        // Built once before measuring, so that the first build's one-off costs (rules, JIT) are not counted.
        _ = Build(Guid.NewGuid());
        var before = Settled();
        var kept = new List<SchoolScreeningProfile>(Profiles);
        for (var i = 0; i < Profiles; i++)
        {
            kept.Add(Build(Guid.NewGuid()));
        }

        var after = Settled();
        GC.KeepAlive(kept);
        var perProfileMb = (after - before) / (double)Profiles / (1024 * 1024);
        output.WriteLine($"{Profiles} profiles of {kept[0].Roster.Count:N0} pupils keep {(after - before) / (1024.0 * 1024):0.0} MB: {perProfileMb:0.00} MB each.");
        return (perProfileMb, kept[0].Roster.Count);
    }

    private static SchoolScreeningProfile Build(Guid schoolId)
    {
        // Fresh objects each time, as a read from the database gives: the same names, no shared strings.
        var roster = BenchmarkSchool.BuildRoster()
            .Select(p => new RosterPupil(p.PupilId, new string(p.MisId), new string(p.LegalForename), p.PreferredForename is { } pf ? new string(pf) : null, new string(p.Surname)))
            .ToList();
        var consents = roster.Select(p => new RosterConsent(
            p.PupilId, p.MisId,
            [.. new[] { $"{p.LegalForename} {p.Surname}", p.PreferredForename is { } preferred ? $"{preferred} {p.Surname}" : null }.OfType<string>().Distinct(StringComparer.Ordinal)],
            [new ConsentEntry(nameof(ConsentChannel.SocialMedia), nameof(ConsentStatus.Granted), null, false, new DateOnly(2026, 9, 1), new DateOnly(2027, 8, 31))]))
            .ToList();
        return SchoolScreeningProfile.Build(schoolId, 1, NamePolicy.FirstNameOnly, ConsentModel.OptOut, roster, consents, BenchmarkSchool.BuildStaff(), []);
    }

    private static long Settled()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
