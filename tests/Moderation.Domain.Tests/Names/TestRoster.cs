using Moderation.Domain.Screening.Names;

namespace Moderation.Domain.Tests.Names;

/// <summary>A class list shaped like a real UK primary roster: preferred names, diacritics, double-barrelled
/// surnames, twins, and forenames that are also everyday words.</summary>
internal static class TestRoster
{
    public static readonly RosterPupil OliviaSmith = Pupil(1, "Olivia", null, "Smith");
    public static readonly RosterPupil OscarSmith = Pupil(2, "Oscar", null, "Smith");
    public static readonly RosterPupil LibbyJones = Pupil(3, "Elizabeth", "Libby", "Jones");
    public static readonly RosterPupil ZoeNunezTaylor = Pupil(4, "Zoë", null, "Núñez-Taylor");
    public static readonly RosterPupil GraceKowalczyk = Pupil(5, "Grace", null, "Kowalczyk");
    public static readonly RosterPupil WillOkafor = Pupil(6, "William", "Will", "Okafor");
    public static readonly RosterPupil HopeAchterberg = Pupil(7, "Hope", null, "Achterberg");
    public static readonly RosterPupil MayFairweather = Pupil(8, "May", null, "Fairweather");
    public static readonly RosterPupil SummerLindqvist = Pupil(9, "Summer", null, "Lindqvist");
    public static readonly RosterPupil RoseHill = Pupil(10, "Rose", null, "Hill");
    public static readonly RosterPupil JackOBrien = Pupil(11, "Jack", null, "O'Brien");
    public static readonly RosterPupil MohammedAlHassan = Pupil(12, "Mohammed", null, "Al-Hassan");
    public static readonly RosterPupil LukaszWisniewski = Pupil(13, "Łukasz", null, "Wiśniewski");
    public static readonly RosterPupil SorenOstergaard = Pupil(14, "Søren", null, "Østergaard");
    public static readonly RosterPupil AnneMarieSmithJones = Pupil(15, "Anne-Marie", null, "Smith Jones");
    public static readonly RosterPupil AmeliaVanDerBerg = Pupil(16, "Amelia", null, "van der Berg");
    public static readonly RosterPupil AmberPrice = Pupil(17, "Amber", null, "Price");
    public static readonly RosterPupil KitAshdown = Pupil(18, "Christopher", "Kit", "Ashdown");
    public static readonly RosterPupil ChloeDubois = Pupil(19, "Chloé", null, "Dubois");
    public static readonly RosterPupil ThomasNg = Pupil(20, "Thomas", null, "Ng");
    public static readonly RosterPupil AvaLi = Pupil(21, "Ava", null, "Li");
    public static readonly RosterPupil MaryEvans = Pupil(22, "Mary", null, "Evans");
    public static readonly RosterPupil JoPemberton = Pupil(23, "Jo", null, "Pemberton");
    public static readonly RosterPupil MarkWhitfield = Pupil(24, "Mark", null, "Whitfield");
    public static readonly RosterPupil FaithAdeyemi = Pupil(25, "Faith", null, "Adeyemi");
    public static readonly RosterPupil MaxThornbury = Pupil(26, "Max", null, "Thornbury");
    public static readonly RosterPupil AmirKhan = Pupil(27, "Amir", null, "Khan");

    public static IReadOnlyList<RosterPupil> All { get; } =
    [
        OliviaSmith, OscarSmith, LibbyJones, ZoeNunezTaylor, GraceKowalczyk, WillOkafor, HopeAchterberg, MayFairweather,
        SummerLindqvist, RoseHill, JackOBrien, MohammedAlHassan, LukaszWisniewski, SorenOstergaard, AnneMarieSmithJones,
        AmeliaVanDerBerg, AmberPrice, KitAshdown, ChloeDubois, ThomasNg, AvaLi, MaryEvans, JoPemberton, MarkWhitfield,
        FaithAdeyemi, MaxThornbury, AmirKhan,
    ];

    public static NameMatcher Matcher { get; } = NameMatcher.Build(All);

    public static RosterPupil Pupil(int number, string legal, string? preferred, string surname) =>
        new(new Guid($"00000000-0000-0000-0000-{number:D12}"), $"MIS{number:D5}", legal, preferred, surname);
}
