using System.Runtime.CompilerServices;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// What one school's screening profile keeps in memory: a host keeps a profile for each school it screened lately
/// (<see cref="SchoolScreeningProfiles"/>), so this decides how many schools fit in the 300 MB a host may use. Builds
/// profiles of the 2,000-pupil benchmark school, each from its own copy of the roll as a database read would give it,
/// and measures the managed heap they keep after a full collection; then the same for the profile's parts. Not a
/// timing: no BenchmarkDotNet.
/// </summary>
public static class ProfileMemory
{
    public const int Profiles = 20;

    public static (double PerProfileMb, int Pupils) Run(TextWriter output)
    {
        // Built once before measuring, so that the first build's one-off costs (rules, JIT) are not counted.
        var pupils = Build().Roster.Count;
        var perProfileMb = PerCopyMb(Build);
        output.WriteLine($"{Profiles} profiles of {pupils:N0} pupils: {perProfileMb:0.00} MB each. Its parts, beyond the roll they are built from:");
        var roll = PerCopyMb(Roll);
        output.WriteLine($"  the roll itself: {roll:0.00} MB");
        output.WriteLine($"  the name index: {PerCopyMb(() => NameMatcher.Build(Roll())) - roll:0.00} MB");
        output.WriteLine($"  the consent lists: {PerCopyMb(() => { var r = Roll(); return (r, BenchmarkSchool.ConsentsFor(r)); }) - roll:0.00} MB");
        output.WriteLine($"  the risk context (pupil and staff names): {PerCopyMb(() => { var r = Roll(); return (r, Risk(r)); }) - roll:0.00} MB");
        return (perProfileMb, pupils);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double PerCopyMb(Func<object> make)
    {
        var before = Settled();
        var kept = Enumerable.Range(0, Profiles).Select(_ => make()).ToList();
        var after = Settled();
        GC.KeepAlive(kept);
        return (after - before) / (double)Profiles / (1024 * 1024);
    }

    private static SchoolScreeningProfile Build()
    {
        var roll = Roll();
        return SchoolScreeningProfile.Build(Guid.NewGuid(), 1, NamePolicy.FirstNameOnly, ConsentModel.OptOut, roll, BenchmarkSchool.ConsentsFor(roll), BenchmarkSchool.BuildStaff(), []);
    }

    /// <summary>Fresh objects each time, as a read from the database gives: the same names, no shared strings.</summary>
    private static List<RosterPupil> Roll() => BenchmarkSchool.BuildRoster()
        .Select(p => new RosterPupil(p.PupilId, new string(p.MisId), new string(p.LegalForename), p.PreferredForename is { } pf ? new string(pf) : null, new string(p.Surname)))
        .ToList();

    private static RiskContext Risk(List<RosterPupil> roll) =>
        new(SchoolScreeningProfile.StaffNamesWithTitles(BenchmarkSchool.BuildStaff()), roll.Select(p => $"{p.LegalForename} {p.Surname}").ToList(), []);

    private static long Settled()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
