using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Moderation.Domain.Screening.Risk;

/// <summary>What one character of the original text is to the matcher.</summary>
internal enum CharacterKind : byte
{
    Separator,
    Letter,
    Digit,
    Symbol,
    Apostrophe,

    /// <summary>Combining marks, zero-width and format characters: dropped without breaking a word.</summary>
    Ignorable,
}

/// <summary>
/// Folds one character to plain lower-case Latin: diacritics, full-width and mathematical letters, small capitals and
/// the Cyrillic and Greek letters that look like Latin ones. The tables are built in rather than taken from
/// <see cref="string.Normalize(NormalizationForm)"/> because with invariant globalisation on, normalisation silently
/// does nothing (DOMAIN.md, "Names in detail"), and screening must not change with the host's settings.
/// </summary>
internal static class CharacterFolding
{
    // Generated from Unicode compatibility decomposition (NFKD) with the combining marks dropped, plus the Latin
    // letters that do not decompose (ø, ł, đ, ħ, ı ...). '-' means "no single Latin letter".
    private const string Latin00C0 =
        "aaaaaa-ceeeeiiiidnooooo-ouuuuy--aaaaaa-ceeeeiiiidnooooo-ouuuuy-y" +
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii--jjkkklllllll" +
        "lllnnnnnnn--oooooo--rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs" +
        "bb-b---ccdd------ffg---ikkl--nnooo--pp-----ttttuu-vyyzz---------" +
        "-------------aaiioouuuuuuuuuu-aaaa--ggggkkoooo--j---gg--nnaa----" +
        "aaaaeeeeiiiioooorrrruuuusstt--hh-d----aaeeooooooooyylntj--acclts" +
        "z--b--eejj--rryy";

    private const string Latin1E00 =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm" +
        "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv" +
        "wwwwwwwwwwxxxxyyzzzzzzhtwyas----aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" +
        "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy------";

    private const string Scripts2070 = "0i--456789-----n0123456789------aeox-hklmnpst---";

    private const string Letterlike2100 =
        "--cc-----fghhhh-iill-n---pqrrr------z---z-kabc-eef-mo----i------" +
        "-----ddeij------";

    private static readonly FrozenDictionary<int, char> s_lookAlikes = new Dictionary<int, char>
    {
        // Cyrillic, lower and upper case.
        ['а'] = 'a', ['А'] = 'a', ['в'] = 'b', ['В'] = 'b', ['ь'] = 'b', ['с'] = 'c', ['С'] = 'c', ['ԁ'] = 'd',
        ['е'] = 'e', ['Е'] = 'e', ['ё'] = 'e', ['Ё'] = 'e', ['һ'] = 'h', ['Һ'] = 'h', ['н'] = 'h', ['Н'] = 'h',
        ['і'] = 'i', ['І'] = 'i', ['ї'] = 'i', ['Ї'] = 'i', ['ј'] = 'j', ['Ј'] = 'j', ['к'] = 'k', ['К'] = 'k',
        ['м'] = 'm', ['М'] = 'm', ['п'] = 'n', ['о'] = 'o', ['О'] = 'o', ['р'] = 'p', ['Р'] = 'p', ['ԛ'] = 'q',
        ['г'] = 'r', ['ѕ'] = 's', ['Ѕ'] = 's', ['т'] = 't', ['Т'] = 't', ['и'] = 'u', ['ѵ'] = 'v', ['Ѵ'] = 'v',
        ['ԝ'] = 'w', ['Ԝ'] = 'w', ['х'] = 'x', ['Х'] = 'x', ['у'] = 'y', ['У'] = 'y', ['ү'] = 'y', ['Ү'] = 'y',
        ['ӏ'] = 'l', ['Ӏ'] = 'l',

        // Greek, lower and upper case.
        ['α'] = 'a', ['Α'] = 'a', ['β'] = 'b', ['Β'] = 'b', ['ε'] = 'e', ['Ε'] = 'e', ['ζ'] = 'z', ['Ζ'] = 'z',
        ['η'] = 'n', ['Η'] = 'h', ['ι'] = 'i', ['Ι'] = 'i', ['κ'] = 'k', ['Κ'] = 'k', ['Μ'] = 'm', ['ν'] = 'v',
        ['Ν'] = 'n', ['ο'] = 'o', ['Ο'] = 'o', ['ρ'] = 'p', ['Ρ'] = 'p', ['τ'] = 't', ['Τ'] = 't', ['υ'] = 'u',
        ['Υ'] = 'y', ['χ'] = 'x', ['Χ'] = 'x', ['γ'] = 'y', ['ω'] = 'w', ['ά'] = 'a', ['έ'] = 'e', ['ί'] = 'i',
        ['ό'] = 'o', ['ύ'] = 'u',

        // Small capitals and other IPA letters used to dodge filters.
        ['ᴀ'] = 'a', ['ʙ'] = 'b', ['ᴄ'] = 'c', ['ᴅ'] = 'd', ['ᴇ'] = 'e', ['ꜰ'] = 'f', ['ɢ'] = 'g', ['ʜ'] = 'h',
        ['ɪ'] = 'i', ['ᴊ'] = 'j', ['ᴋ'] = 'k', ['ʟ'] = 'l', ['ᴍ'] = 'm', ['ɴ'] = 'n', ['ᴏ'] = 'o', ['ᴘ'] = 'p',
        ['ʀ'] = 'r', ['ꜱ'] = 's', ['ᴛ'] = 't', ['ᴜ'] = 'u', ['ᴠ'] = 'v', ['ᴡ'] = 'w', ['ʏ'] = 'y', ['ᴢ'] = 'z',
        ['ɑ'] = 'a', ['ɡ'] = 'g', ['ɩ'] = 'i', ['ɐ'] = 'a', ['ǝ'] = 'e', ['ɔ'] = 'c',
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<int, string> s_multiLetter = new Dictionary<int, string>
    {
        ['ß'] = "ss", ['ẞ'] = "ss", ['æ'] = "ae", ['Æ'] = "ae", ['œ'] = "oe", ['Œ'] = "oe", ['þ'] = "th",
        ['Þ'] = "th", ['ĳ'] = "ij", ['Ĳ'] = "ij", ['ﬀ'] = "ff", ['ﬁ'] = "fi", ['ﬂ'] = "fl", ['ﬃ'] = "ffi",
        ['ﬄ'] = "ffl", ['ﬅ'] = "st", ['ﬆ'] = "st",
    }.ToFrozenDictionary();

    /// <summary>Classifies a printable ASCII character (or a full-width one folded to ASCII).</summary>
    public static CharacterKind ClassifyAscii(char c) => c switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' => CharacterKind.Letter,
        >= '0' and <= '9' => CharacterKind.Digit,
        '@' or '$' or '!' or '|' => CharacterKind.Symbol,
        '\'' or '`' => CharacterKind.Apostrophe,
        _ => CharacterKind.Separator,
    };

    /// <summary>
    /// Folds a character outside ASCII, writing what it stands for to <paramref name="folded"/> (up to three
    /// characters: a letter, a ligature's letters, a symbol or a separator).
    /// </summary>
    public static CharacterKind FoldNonAscii(Rune rune, Span<char> folded, out int written)
    {
        written = 1;
        var cp = rune.Value;
        if (cp is >= 0xFF01 and <= 0xFF5E)
        {
            // Full-width forms are ASCII shifted up.
            var ascii = (char)(cp - 0xFEE0);
            var kind = ClassifyAscii(ascii);
            folded[0] = kind == CharacterKind.Letter ? char.ToLowerInvariant(ascii) : ascii;
            return kind;
        }

        switch (cp)
        {
            case '\u2019' or '\u2018' or '\u02BC' or '\u00B4' or '\u2032':
                folded[0] = '\'';
                return CharacterKind.Apostrophe;
            case '€':
                folded[0] = '€';
                return CharacterKind.Symbol;
            case '\u00A0' or '\u00B7' or '\u2022' or '\u2027' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014':
                folded[0] = cp == '\u00A0' ? ' ' : cp is '\u00B7' or '\u2022' or '\u2027' ? '.' : '-';
                return CharacterKind.Separator;
        }

        if (s_lookAlikes.TryGetValue(cp, out var lookAlike))
        {
            folded[0] = lookAlike;
            return CharacterKind.Letter;
        }

        if (s_multiLetter.TryGetValue(cp, out var several))
        {
            several.CopyTo(folded);
            written = several.Length;
            return CharacterKind.Letter;
        }

        var latin = FromTables(cp);
        if (latin != '\0')
        {
            folded[0] = latin;
            return char.IsAsciiDigit(latin) ? CharacterKind.Digit : CharacterKind.Letter;
        }

        var category = Rune.GetUnicodeCategory(rune);
        switch (category)
        {
            case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
                or UnicodeCategory.Format:
                written = 0;
                return CharacterKind.Ignorable;
            case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter:
                // A letter of another script: kept, so its words stay words, but it never matches a Latin term.
                written = Rune.ToLowerInvariant(rune).EncodeToUtf16(folded);
                return CharacterKind.Letter;
            default:
                written = 0;
                return CharacterKind.Separator;
        }
    }

    private static char FromTables(int cp) => cp switch
    {
        >= 0x00C0 and < 0x0250 => Letter(Latin00C0, cp - 0x00C0),
        >= 0x1E00 and < 0x1F00 => Letter(Latin1E00, cp - 0x1E00),
        >= 0x2070 and < 0x20A0 => Letter(Scripts2070, cp - 0x2070),
        >= 0x2100 and < 0x2150 => Letter(Letterlike2100, cp - 0x2100),
        >= 0x2460 and <= 0x2468 => (char)('1' + (cp - 0x2460)),
        >= 0x24B6 and <= 0x24CF => (char)('a' + (cp - 0x24B6)),
        >= 0x24D0 and <= 0x24E9 => (char)('a' + (cp - 0x24D0)),
        0x24EA => '0',

        // Mathematical alphanumerics: thirteen styles of A–Z a–z, then five styles of 0–9.
        >= 0x1D400 and < 0x1D6A4 => (char)('a' + ((cp - 0x1D400) % 52 % 26)),
        >= 0x1D7CE and <= 0x1D7FF => (char)('0' + ((cp - 0x1D7CE) % 10)),

        // Squared, circled-negative and squared-negative capitals, and regional indicators.
        >= 0x1F130 and <= 0x1F149 => (char)('a' + (cp - 0x1F130)),
        >= 0x1F150 and <= 0x1F169 => (char)('a' + (cp - 0x1F150)),
        >= 0x1F170 and <= 0x1F189 => (char)('a' + (cp - 0x1F170)),
        >= 0x1F1E6 and <= 0x1F1FF => (char)('a' + (cp - 0x1F1E6)),
        _ => '\0',
    };

    private static char Letter(string table, int index) => table[index] == '-' ? '\0' : table[index];
}
