using System.Globalization;
using System.Text.Json;
using Moderation.Domain.Consent;
using Moderation.Domain.Schools;
using Moderation.Domain.Seeding;
using Moderation.Testing;

namespace Moderation.LoadTest;

/// <summary>One school of the load trust: its slug, its Facebook Page and Instagram ids, and its pupils' names.</summary>
public sealed record LoadSchool(int Index, string Slug, string FacebookPageId, string InstagramUserId, string AuthorEmail, IReadOnlyList<string> PupilNames);

/// <summary>
/// A trust of N schools on top of the demo data: each a copy of Fleming Primary's roster and consent (so screening
/// finds names and photo consent as it would there), with its own Facebook Page and Instagram account, a head, a DSL,
/// two moderators on a round-the-clock rota, an administrator and an author. Written as a seed file next to a copy of
/// seeds/demo.json, and loaded by the worker's own <c>seed</c> command.
/// </summary>
public static class LoadTrust
{
    public const string Password = "Demo-Passw0rd!";

    /// <summary>Fleming Primary's roll in seeds/demo.json: the fewest pupils a load school has.</summary>
    public const int FlemingPupilCount = 4;

    private static readonly string[] s_forenames =
    [
        "Amelia", "Noah", "Isla", "Leo", "Freya", "Arthur", "Ava", "Oscar", "Mia", "Theo", "Ivy", "Jacob", "Ruby", "Harry",
        "Aisha", "Mohammed", "Zara", "Yusuf", "Priya", "Arjun", "Chloe", "Ethan", "Maya", "Finley", "Layla", "Kai",
    ];

    private static readonly string[] s_surnames =
    [
        "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Khan", "Patel",
        "Ahmed", "Begum", "Nowak", "Kowalski", "Murphy", "Kelly", "Campbell", "Stewart", "Okafor", "Adeyemi", "Hughes", "Price",
    ];

    public static IReadOnlyList<LoadSchool> Schools(int count) =>
        [.. Enumerable.Range(1, count).Select(i => new LoadSchool(
            i,
            $"load-school-{i:D3}",
            FacebookPageId: (700000000000000L + i).ToString(CultureInfo.InvariantCulture),
            InstagramUserId: (17841490000000000L + i).ToString(CultureInfo.InvariantCulture),
            AuthorEmail: $"author@load-school-{i:D3}.example",
            PupilNames: FlemingPupils().Select(p => $"{p.PreferredForename ?? p.LegalForename} {p.Surname}").ToList()))];

    /// <summary>Writes demo.json and load-trust.json into <paramref name="folder"/>, each school with <paramref name="pupilsPerSchool"/> pupils.</summary>
    public static void WriteSeeds(string folder, IReadOnlyList<LoadSchool> schools, int pupilsPerSchool = FlemingPupilCount)
    {
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(RepoPaths.Seeds, "demo.json"), Path.Combine(folder, "demo.json"), overwrite: true);
        var pupils = Roll(pupilsPerSchool);
        var seedSchools = new List<SeedSchool>();
        var users = new List<SeedUser>();
        var rotas = new List<SeedRota>();
        foreach (var s in schools)
        {
            seedSchools.Add(new SeedSchool(
                s.Slug, $"Load School {s.Index:D3}", "Load Test Trust", NamePolicy.FirstNameOnly, ConsentModel.OptOut,
                [new SeedAccount(Platform.Facebook, $"@LoadSchool{s.Index:D3}", s.FacebookPageId),
                 new SeedAccount(Platform.Instagram, $"@loadschool{s.Index:D3}", s.InstagramUserId)],
                [.. pupils.Select(p => p with { MisId = $"{s.Index:D3}-{p.MisId}" })],
                []));
            var domain = $"{s.Slug}.example";
            users.Add(new SeedUser($"head@{domain}", $"Head of Load School {s.Index:D3}", ["Headteacher"], [s.Slug]));
            users.Add(new SeedUser($"dsl@{domain}", $"DSL of Load School {s.Index:D3}", ["DSL"], [s.Slug]));
            users.Add(new SeedUser($"admin@{domain}", $"Administrator of Load School {s.Index:D3}", ["Administrator"], [s.Slug]));
            users.Add(new SeedUser($"moderator@{domain}", $"Moderator A, Load School {s.Index:D3}", ["Moderator"], [s.Slug]));
            users.Add(new SeedUser($"moderator2@{domain}", $"Moderator B, Load School {s.Index:D3}", ["Moderator"], [s.Slug]));
            users.Add(new SeedUser(s.AuthorEmail, $"Author, Load School {s.Index:D3}", ["Author"], [s.Slug]));
            rotas.Add(new SeedRota(
                $"Load School {s.Index:D3} rota", [s.Slug],
                [new SeedRotation("Moderators", 1, new DateOnly(2026, 9, 7), new TimeOnly(8, 0), 24, true, [$"moderator@{domain}", $"moderator2@{domain}"])]));
        }

        var json = JsonSerializer.Serialize(new SeedData(Password, seedSchools, users, rotas, Totp.DemoKey), DemoSeeder.Json);
        File.WriteAllText(Path.Combine(folder, "load-trust.json"), json);
    }

    /// <summary>Fleming Primary's pupils, then generated ones (the same on every run), each with social media and website consent.</summary>
    private static List<SeedPupil> Roll(int count)
    {
        var roll = FlemingPupils();
        var consents = roll[0].Consents.Where(c => c.Status == ConsentStatus.Granted).ToList();
        var random = new Random(2026);
        for (var i = roll.Count; i < count; i++)
        {
            roll.Add(new SeedPupil(
                $"G{i:D4}", s_forenames[random.Next(s_forenames.Length)], null, s_surnames[random.Next(s_surnames.Length)],
                $"Year {1 + (i % 6)}", consents));
        }

        return roll;
    }

    private static List<SeedPupil> FlemingPupils() =>
        DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json")).Schools.Single(s => s.Slug == "fleming-primary").Pupils;
}
