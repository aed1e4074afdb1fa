using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Caching;
using Moderation.Domain.Consent;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Photos;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Screening;

/// <summary>
/// Everything screening needs to know about one school, compiled once: its name policy and consent model, the roster
/// as the name matcher and the consent rules see it, and the risk context (staff and pupil names, its own words).
/// </summary>
public sealed record SchoolScreeningProfile(
    Guid SchoolId,
    long Version,
    NamePolicy NamePolicy,
    ConsentModel ConsentModel,
    IReadOnlyList<RosterPupil> Roster,
    NameMatcher Names,
    IReadOnlyList<RosterConsent> Consents,
    RiskContext Risk)
{
    /// <summary>Builds a profile from plain data; the name matcher and risk context are compiled here.</summary>
    public static SchoolScreeningProfile Build(
        Guid schoolId,
        long version,
        NamePolicy policy,
        ConsentModel consentModel,
        IReadOnlyList<RosterPupil> roster,
        IReadOnlyList<RosterConsent> consents,
        IEnumerable<string> staffNames,
        IEnumerable<SchoolTerm> schoolTerms)
    {
        ArgumentNullException.ThrowIfNull(roster);
        var pupilNames = roster.SelectMany(p => new[] { $"{p.LegalForename} {p.Surname}", p.PreferredForename is { } preferred ? $"{preferred} {p.Surname}" : null })
            .OfType<string>().Distinct(StringComparer.Ordinal);
        return new SchoolScreeningProfile(
            schoolId, version, policy, consentModel, roster, NameMatcher.Build(roster), consents,
            new RiskContext(StaffNamesWithTitles(staffNames), pupilNames, schoolTerms));
    }

    /// <summary>
    /// A member of staff is written about as "Amina Hussain" or as "Mrs Hussain": allegations name them either way.
    /// A display name such as "Mrs Helen Carter (Headteacher)" stands for "Mrs Helen Carter", "Helen Carter" and
    /// "Mrs Carter"; one without a title for its surname after each of the usual titles.
    /// </summary>
    internal static IEnumerable<string> StaffNamesWithTitles(IEnumerable<string> names)
    {
        string[] titles = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Sir"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var displayName in names.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            var name = displayName.Split('(', 2)[0].Trim();
            var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                continue;
            }

            var title = titles.FirstOrDefault(t => string.Equals(t, words[0].TrimEnd('.'), StringComparison.OrdinalIgnoreCase));
            var variants = new List<string> { name };
            if (title is not null && words.Length >= 2)
            {
                variants.Add($"{title} {words[^1]}");
                if (words.Length >= 3)
                {
                    variants.Add(string.Join(' ', words[1..]));
                }
            }
            else if (title is null && words.Length >= 2)
            {
                variants.AddRange(titles.Select(t => $"{t} {words[^1]}"));
            }

            foreach (var variant in variants.Where(seen.Add))
            {
                yield return variant;
            }
        }
    }
}

/// <summary>
/// Caches each school's <see cref="SchoolScreeningProfile"/> and rebuilds it when the school's
/// <see cref="School.ScreeningVersion"/> moves (a roster import, a consent change, a new screening word) or after
/// <see cref="MaxAge"/> (staff changes). One cheap query per item checks the version.
/// A profile keeps about 1.1 KB a pupil (2.2 MB for 2,000: <c>dotnet run -c Release --project tests/Moderation.Benchmarks
/// -- profiles</c>), so what is kept is bounded two ways. A profile older than <see cref="MaxAge"/> is let go whenever
/// another is built, since it would be built again before use anyway: a host keeps the schools active in the last ten
/// minutes, not every school it ever screened. And the profiles kept hold at most <see cref="PupilBudget"/> pupils
/// between them, the school screened least recently going first. A budget below a burst's working set makes every
/// item rebuild a profile: in the load test, 200 schools of 300 pupils under a budget of 40,000 gave 108 items/s
/// against 146 (docs/benchmarks.md), so the default holds 100,000 pupils, about 120 MB, a large local authority.
/// </summary>
public sealed class SchoolScreeningProfiles(TimeProvider time, long pupilBudget = SchoolScreeningProfiles.DefaultPupilBudget)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    /// <summary>About 120 MB of profiles: fifty 2,000-pupil schools, or 250 of 400. <c>Screening:ProfileCachePupils</c> sets it.</summary>
    public const long DefaultPupilBudget = 100_000;

    private readonly BoundedCache<Guid, (SchoolScreeningProfile Profile, DateTimeOffset LoadedAt)> _cache =
        new(pupilBudget, kept => kept.Profile.Roster.Count);

    public long PupilBudget => _cache.Budget;

    /// <summary>How many profiles are kept, their pupils, and how many were let go to stay within the budget.</summary>
    public (int Count, long Weight, long Evicted) Usage => _cache.Usage;

    /// <summary>What a kept profile must match to be used: the school's screening version and policies.</summary>
    public sealed record Key(long ScreeningVersion, NamePolicy NamePolicy, ConsentModel ConsentModel);

    /// <summary>The school's profile, or null when there is no such school.</summary>
    public async Task<SchoolScreeningProfile?> GetAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var school = await db.Schools.AsNoTracking().Where(s => s.Id == schoolId)
            .Select(s => new Key(s.ScreeningVersion, s.NamePolicy, s.ConsentModel)).FirstOrDefaultAsync(ct);
        return await GetAsync(db, schoolId, school, ct);
    }

    /// <summary>
    /// The school's profile for its <paramref name="school"/> key, read just now by the caller with its own data (screening
    /// reads it with the item, saving a round trip), or null when there is no such school.
    /// </summary>
    public async Task<SchoolScreeningProfile?> GetAsync(ModerationDbContext db, Guid schoolId, Key? school, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (school is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (_cache.TryGet(schoolId, out var cached) && cached.Profile.Version == school.ScreeningVersion
            && cached.Profile.NamePolicy == school.NamePolicy && cached.Profile.ConsentModel == school.ConsentModel
            && now - cached.LoadedAt < MaxAge)
        {
            return cached.Profile;
        }

        var profile = await LoadAsync(db, schoolId, school.ScreeningVersion, school.NamePolicy, school.ConsentModel, ct);
        _cache.RemoveWhere(kept => now - kept.LoadedAt >= MaxAge);
        _cache.Set(schoolId, (profile, now));
        return profile;
    }

    private static async Task<SchoolScreeningProfile> LoadAsync(
        ModerationDbContext db, Guid schoolId, long version, NamePolicy policy, ConsentModel consentModel, CancellationToken ct)
    {
        var pupils = await db.Pupils.AsNoTracking().Where(p => p.SchoolId == schoolId).OrderBy(p => p.MisId).ToListAsync(ct);
        var consents = await db.Consents.AsNoTracking()
            .Where(c => db.Pupils.Any(p => p.Id == c.PupilId && p.SchoolId == schoolId))
            .ToListAsync(ct);
        var staff = await db.Memberships.AsNoTracking().Where(m => m.SchoolId == schoolId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.DisplayName)
            .ToListAsync(ct);
        var terms = await db.SchoolScreeningTerms.AsNoTracking().Where(t => t.SchoolId == schoolId)
            .Select(t => new SchoolTerm(t.Term, t.Mode)).ToListAsync(ct);

        var byPupil = consents.ToLookup(c => c.PupilId);
        var roster = pupils.Select(p => new RosterPupil(p.Id, p.MisId, p.LegalForename, p.PreferredForename, p.Surname)).ToList();
        var rosterConsents = pupils.Select(p => new RosterConsent(
            p.Id,
            p.MisId,
            [.. new[] { $"{p.LegalForename} {p.Surname}", p.PreferredForename is { } preferred ? $"{preferred} {p.Surname}" : null }.OfType<string>().Distinct(StringComparer.Ordinal)],
            [.. byPupil[p.Id].Select(ToEntry)])).ToList();
        return SchoolScreeningProfile.Build(schoolId, version, policy, consentModel, roster, rosterConsents, staff, terms);
    }

    private static ConsentEntry ToEntry(ConsentRecord c) =>
        new(c.Channel.ToString(), c.Status.ToString(), c.Restriction, c.NeverPublish, c.EffectiveFrom, c.ExpiresOn);

    /// <summary>Marks the school's screening profile out of date, inside the caller's transaction.</summary>
    public static Task BumpVersionAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Schools.Where(s => s.Id == schoolId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ScreeningVersion, s => s.ScreeningVersion + 1), ct);
    }
}
