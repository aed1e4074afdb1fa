using Moderation.Domain.Consent;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Classifier;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Photos;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// A large UK school as the screening pipeline sees it (issue 3's text benchmark): 2,000 pupils with varied forenames,
/// everyday-word names (Grace, Hope, Will, May, Summer), preferred names, diacritics and double-barrelled surnames;
/// about 90 staff; a few of the school's own words; the full rule files from seeds/screening; and the engine with the
/// personal-data screener and no classifier, as <see cref="ScreeningSetup"/> composes it.
/// </summary>
internal sealed class BenchmarkSchool
{
    public const int PupilCount = 2000;

    /// <summary>Three 280-character comments: ordinary school news, news naming pupils, and a grooming message with personal data.</summary>
    public static readonly IReadOnlyDictionary<string, string> Comments = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["clean"] =
            "What a fantastic sports day! Year 4 ran brilliantly in the relay and the parents' race was a real highlight. " +
            "Thank you to everyone who came along to cheer, and to the PTA for the delicious cakes. Photos will be on the " +
            "website next week. Don't forget: non-uniform day is on Friday!",
        ["names"] =
            "Huge congratulations to Grace Kowalczyk and Will Okafor for their chess results! Zoë Núñez-Taylor won the " +
            "Year 5 poetry prize and Olivia Smith's painting is now in the library. Well done to Hope and Libby for " +
            "helping out at the cake sale, and to O. Brennan for running our raffle.",
        ["risky"] =
            "hey ur so mature for ur age. dont tell ur mum about this, its our little secret ok? meet me after school by " +
            "the park gates & i'll buy you a new phone. whats ur snap? or text me on 07700 900123 / jay.b99@mailbox.co.uk. " +
            "im at 14 Elm Rd, SW1A 1AA. delete these messages after, ok? xx",
    };

    public static readonly IReadOnlyCollection<ConsentChannel> Channels = [ConsentChannel.SocialMedia];

    public static readonly DateOnly Today = new(2026, 12, 1);

    // Forenames of a UK primary roll: the most common, everyday-word names, and names from the families schools serve.
    private static readonly string[] s_forenames =
    [
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
        "Florence", "Willow", "Evie", "Poppy", "Ella", "Daisy", "Sienna", "Elsie", "Hope", "Faith", "May", "Summer",
        "Rose", "Amber", "Holly", "Ruby", "Hazel", "Iris", "Violet", "Jade", "Joy", "Autumn", "Harmony", "Robin",
        "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry", "Theodore",
        "Freddie", "Jack", "Charlie", "Thomas", "Jacob", "Alfie", "Finley", "Lucas", "Isaac", "Max", "Mark", "Frank",
        "Dean", "Drew", "Ray", "Rowan", "Ash", "Hunter", "Mohammed", "Yusuf", "Ibrahim", "Aarav", "Arjun", "Priya",
        "Fatima", "Aisha", "Zainab", "Maryam", "Amir", "Hamza", "Kofi", "Ama", "Chidi", "Ngozi", "Tomasz", "Zofia",
        "Łukasz", "Søren", "Zoë", "Chloé", "Aoife", "Niamh", "Siobhan", "Mei", "Wei", "Minh", "Linh", "An",
        "Anne-Marie", "Jean-Luc", "William", "Elizabeth", "Christopher", "Alexander", "Benjamin", "Samuel",
        "Katherine", "Margaret", "Edward", "Jessica", "Abigail", "Matthew", "Nathaniel", "Rebecca",
    ];

    // Legal forenames and the name the school uses, as an MIS holds them.
    private static readonly Dictionary<string, string> s_preferred = new(StringComparer.Ordinal)
    {
        ["William"] = "Will", ["Elizabeth"] = "Libby", ["Christopher"] = "Kit", ["Alexander"] = "Alex",
        ["Benjamin"] = "Ben", ["Samuel"] = "Sam", ["Katherine"] = "Kate", ["Margaret"] = "Maggie",
        ["Edward"] = "Ted", ["Jessica"] = "Jess", ["Abigail"] = "Abbie", ["Matthew"] = "Matt",
        ["Nathaniel"] = "Nate", ["Rebecca"] = "Becky", ["Theodore"] = "Theo",
    };

    private static readonly string[] s_surnames =
    [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
        "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
        "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward",
        "Moore", "King", "Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "James",
        "Anderson", "Phillips", "Lee", "Bell", "Parker", "Davis", "Khan", "Singh", "Begum", "Ahmed", "Hussain", "Ali",
        "Kaur", "Shah", "Rahman", "Nguyen", "Tran", "Chen", "Wang", "Li", "Ng", "Okafor", "Adeyemi", "Mensah",
        "Okonkwo", "Boateng", "Kowalczyk", "Nowak", "Wiśniewski", "Kamińska", "Østergaard", "Lindqvist", "O'Brien",
        "O'Connor", "McDonald", "MacLeod", "Núñez-Taylor", "Smith Jones", "van der Berg", "Al-Hassan", "Achterberg",
        "Fairweather", "Ashdown", "Dubois", "Pemberton", "Whitfield", "Thornbury", "Brennan", "Fox", "Stone", "Brook",
        "Bird", "Rivers", "Lamb", "Hunter", "Cook", "Price", "Day", "Love", "Bright", "Wilde", "Fletcher-Hughes",
        "Ó Súilleabháin", "Kelly", "Murphy", "Byrne", "Campbell", "Stewart", "Reid", "Jenkins", "Lloyd", "Llewellyn",
    ];

    private static readonly string[] s_staffForenames =
        ["Helen", "David", "Amina", "Sarah", "Paul", "Claire", "James", "Rachel", "Mark", "Joanne", "Gareth", "Priya", "Tom", "Nicola", "Femi"];

    private static readonly string[] s_titles = ["Mrs", "Mr", "Ms", "Miss", "Dr", "Mx"];

    public BenchmarkSchool(NamePolicy policy = NamePolicy.FirstNameOnly)
    {
        var rules = RiskRules.LoadFromDirectory(RepoRoot.ScreeningRules);
        Rules = rules;
        Risk = new RiskScreener(rules);
        PersonalData = new PersonalDataScreener();
        Engine = new ScreeningEngine(Risk, [PersonalData], new NoRiskClassifier());

        Roster = BuildRoster();
        var consents = ConsentsFor(Roster);
        Profile = SchoolScreeningProfile.Build(
            new Guid("5c4b0e4e-0000-4000-8000-000000002026"), 1, policy, ConsentModel.OptOut, Roster, consents, BuildStaff(),
            [new SchoolTerm("riverside rec", TermMode.Flag), new SchoolTerm("tuck shop dealer", TermMode.Block), new SchoolTerm("cock of the walk", TermMode.Allow)]);
    }

    public RiskRules Rules { get; }

    public RiskScreener Risk { get; }

    public PersonalDataScreener PersonalData { get; }

    public ScreeningEngine Engine { get; }

    public IReadOnlyList<RosterPupil> Roster { get; }

    public SchoolScreeningProfile Profile { get; }

    /// <summary>The text path of <see cref="ScreeningEngine.ScreenAsync"/>: no photos, and no classifier, so it completes synchronously.</summary>
    public ScreeningResult Screen(string text)
    {
        var task = Engine.ScreenAsync(Profile, text, [], Channels, Today, CancellationToken.None);
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("The text path went asynchronous: a classifier must be configured.");
        }

        return task.Result;
    }

    internal static List<RosterPupil> BuildRoster()
    {
        // The pupils the "names" comment mentions, then a seeded random roll: the same school on every run.
        List<(string Legal, string? Preferred, string Surname)> named =
        [
            ("Grace", null, "Kowalczyk"), ("William", "Will", "Okafor"), ("Zoë", null, "Núñez-Taylor"),
            ("Olivia", null, "Smith"), ("Hope", null, "Achterberg"), ("Elizabeth", "Libby", "Jones"), ("Oscar", null, "Brennan"),
        ];
        var random = new Random(20261201);
        var seen = new HashSet<string>(named.Select(n => n.Legal + " " + n.Surname), StringComparer.Ordinal);
        while (named.Count < PupilCount)
        {
            var legal = s_forenames[random.Next(s_forenames.Length)];
            var surname = s_surnames[random.Next(s_surnames.Length)];
            if (!seen.Add(legal + " " + surname) && random.Next(4) != 0)
            {
                // Some repeats are real (cousins, twins' namesakes); most rolls have few.
                continue;
            }

            var preferred = s_preferred.TryGetValue(legal, out var nickname) && random.Next(10) < 7 ? nickname : null;
            named.Add((legal, preferred, surname));
        }

        return [.. named.Select((n, i) => new RosterPupil(
            new Guid($"00000000-0000-4000-8000-{i + 1:D12}"), $"MIS{i + 1:D5}", n.Legal, n.Preferred, n.Surname))];
    }

    /// <summary>Every pupil with social media consent for the school year, under each of their names.</summary>
    internal static List<RosterConsent> ConsentsFor(IReadOnlyList<RosterPupil> roster) => roster.Select(p => new RosterConsent(
            p.PupilId, p.MisId,
            [.. new[] { $"{p.LegalForename} {p.Surname}", p.PreferredForename is { } preferred ? $"{preferred} {p.Surname}" : null }.OfType<string>().Distinct(StringComparer.Ordinal)],
            [new ConsentEntry(nameof(ConsentChannel.SocialMedia), nameof(ConsentStatus.Granted), null, false, new DateOnly(2026, 9, 1), new DateOnly(2027, 8, 31))]))
        .ToList();

    internal static List<string> BuildStaff()
    {
        var random = new Random(1201);
        var staff = new List<string> { "Mrs Helen Carter (Headteacher)", "Mr David Okoro (Deputy Head)", "Ms Amina Hussain (SENCo)" };
        while (staff.Count < 90)
        {
            var forename = s_staffForenames[random.Next(s_staffForenames.Length)];
            var surname = s_surnames[random.Next(s_surnames.Length)];
            staff.Add(random.Next(3) == 0 ? $"{forename} {surname}" : $"{s_titles[random.Next(s_titles.Length)]} {forename} {surname}");
        }

        return staff;
    }
}
