using System.Globalization;

namespace Moderation.Domain.Screening.Names;

/// <summary>
/// Case and diacritic folding for names, done by hand: with invariant globalisation on, string.Normalize and
/// CompareOptions.IgnoreNonSpace silently do nothing, so "Zoë" would not meet "Zoe".
/// </summary>
internal static class PupilNameFolding
{
    // Marks a character whose folded form is longer than one character (ß, æ, œ, þ, ĳ).
    private const char Expands = '\u0001';

    // Marks a character that folds to nothing (a combining mark).
    private const char Drops = '\0';

    private const int TableSize = 0x2000;

    // Precomposed letters grouped by the base letter they fold to. Generated once from Unicode canonical
    // decompositions (NFD, marks removed) for Latin-1, Latin Extended-A/B, Greek, Cyrillic and Latin/Greek Extended
    // Additional, lower-case forms only: upper case is lowered first.
    private static readonly (char Base, string Letters)[] s_decompositions =
    [
        ('a', "àáâãäåāăąǎǟǡǻȁȃȧḁạảấầẩẫậắằẳẵặ"),
        ('b', "ḃḅḇ"),
        ('c', "çćĉċčḉ"),
        ('d', "ďḋḍḏḑḓđð"),
        ('e', "èéêëēĕėęěȅȇȩḕḗḙḛḝẹẻẽếềểễệ"),
        ('f', "ḟƒ"),
        ('g', "ĝğġģǧǵḡ"),
        ('h', "ĥȟḣḥḧḩḫẖħ"),
        ('i', "ìíîïĩīĭįİǐȉȋḭḯỉịı"),
        ('j', "ĵǰ"),
        ('k', "ķǩḱḳḵ"),
        ('l', "ĺļľḷḹḻḽłŀ"),
        ('m', "ḿṁṃ"),
        ('n', "ñńņňǹṅṇṉṋ"),
        ('o', "òóôõöōŏőơǒǫǭȍȏȫȭȯȱṍṏṑṓọỏốồổỗộớờởỡợøǿ"),
        ('p', "ṕṗ"),
        ('r', "ŕŗřȑȓṙṛṝṟ"),
        ('s', "śŝşšșṡṣṥṧṩſẛ"),
        ('t', "ţťțṫṭṯṱẗŧ"),
        ('u', "ùúûüũūŭůűųưǔǖǘǚǜȕȗṳṵṷṹṻụủứừửữự"),
        ('v', "ṽṿ"),
        ('w', "ŵẁẃẅẇẉẘ"),
        ('x', "ẋẍ"),
        ('y', "ýÿŷȳẏẙỳỵỷỹ"),
        ('z', "źżžẑẓẕ"),
        ('α', "άἀἁἂἃἄἅἆἇὰάᾀᾁᾂᾃᾄᾅᾆᾇᾰᾱᾲᾳᾴᾶᾷ"),
        ('ε', "έἐἑἒἓἔἕὲέ"),
        ('η', "ήἠἡἢἣἤἥἦἧὴήᾐᾑᾒᾓᾔᾕᾖᾗῂῃῄῆῇ"),
        ('ι', "ΐίϊἰἱἲἳἴἵἶἷὶίιῐῑῒΐῖῗ"),
        ('ο', "όὀὁὂὃὄὅὸό"),
        ('ρ', "ῤῥ"),
        ('υ', "ΰϋύὐὑὒὓὔὕὖὗὺύῠῡῢΰῦῧ"),
        ('ω', "ώὠὡὢὣὤὥὦὧὼώᾠᾡᾢᾣᾤᾥᾦᾧῲῳῴῶῷ"),
        ('а', "ӑӓ"),
        ('г', "ѓ"),
        ('е', "ѐёӗ"),
        ('ж', "ӂӝ"),
        ('з', "ӟ"),
        ('и', "йѝӣӥ"),
        ('к', "ќ"),
        ('о', "ӧ"),
        ('у', "ўӯӱӳ"),
        ('ч', "ӵ"),
        ('ы', "ӹ"),
        ('э', "ӭ"),
        ('і', "ї"),
    ];

    private static readonly char[] s_table = BuildTable();

    /// <summary>The longest folded form of one character.</summary>
    public const int MaxExpansion = 2;

    /// <summary>Writes the folded form of <paramref name="c"/> and returns how many characters it wrote (0 to 2).</summary>
    public static int Fold(char c, Span<char> destination)
    {
        char folded;
        if (c < TableSize)
        {
            folded = s_table[c];
            if (folded == Drops)
            {
                return 0;
            }

            if (folded == Expands)
            {
                return Expand(char.ToLowerInvariant(c), destination);
            }
        }
        else
        {
            if (IsCombiningMark(c))
            {
                return 0;
            }

            folded = char.ToLowerInvariant(c);
        }

        destination[0] = folded;
        return 1;
    }

    /// <summary>A letter, or a mark that belongs to the letter before it (decomposed "e" + U+0308).</summary>
    public static bool IsCombiningMark(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark
            or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark;

    /// <summary>Invisible characters that can sit inside a name without breaking it (soft hyphen, zero-width space).</summary>
    public static bool IsIgnorable(char c) =>
        c is '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF';

    public static bool IsApostrophe(char c) => c is '\'' or '\u2019' or '\u2018' or '\u02BC' or '`' or '\u00B4';

    public static bool IsHyphen(char c) => c is '-' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2212';

    /// <summary>Splits a roster name into folded tokens: "Núñez-Taylor" gives ["nunez", "taylor"].</summary>
    public static List<string> FoldTokens(string? name)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            return result;
        }

        var tokens = new NameToken[name.Length];
        var folded = new char[name.Length * MaxExpansion];
        var count = NameTokenizer.Tokenize(name, tokens, folded);
        for (var i = 0; i < count; i++)
        {
            result.Add(new string(folded, tokens[i].FoldStart, tokens[i].FoldLength));
        }

        return result;
    }

    /// <summary>The folded tokens of a name joined by single spaces, for comparing whole names.</summary>
    public static string FoldKey(string? name) => string.Join(' ', FoldTokens(name));

    private static int Expand(char lower, Span<char> destination)
    {
        (destination[0], destination[1]) = lower switch
        {
            'ß' => ('s', 's'),
            'æ' or 'ǣ' or 'ǽ' => ('a', 'e'),
            'œ' => ('o', 'e'),
            'þ' => ('t', 'h'),
            'ĳ' => ('i', 'j'),
            _ => (lower, '\0'),
        };
        return destination[1] == '\0' ? 1 : 2;
    }

    private static char[] BuildTable()
    {
        var bases = new Dictionary<char, char>();
        foreach (var (baseLetter, letters) in s_decompositions)
        {
            foreach (var letter in letters)
            {
                bases[letter] = baseLetter;
            }
        }

        var table = new char[TableSize];
        for (var i = 0; i < TableSize; i++)
        {
            var c = (char)i;
            if (IsCombiningMark(c) || IsIgnorable(c))
            {
                table[i] = Drops;
                continue;
            }

            // ToLowerInvariant('ẞ') is 'ß'; with invariant globalisation on, 'İ' stays 'İ' and the table takes it to 'i'.
            var lower = char.ToLowerInvariant(c);
            table[i] = lower is 'ß' or 'æ' or 'ǣ' or 'ǽ' or 'œ' or 'þ' or 'ĳ'
                ? Expands
                : bases.GetValueOrDefault(lower, lower);
        }

        return table;
    }
}
