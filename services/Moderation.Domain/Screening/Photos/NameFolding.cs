using System.Globalization;
using System.Text;

namespace Moderation.Domain.Screening.Photos;

/// <summary>
/// Folds a name for comparison: case, diacritics (composed and decomposed), spacing, apostrophes and dashes.
/// <para>
/// With invariant globalisation on, <see cref="string.Normalize(NormalizationForm)"/> silently returns its input and
/// accent-insensitive comparison does nothing (DOMAIN.md "Names in detail"), so Latin letters with diacritics are also
/// folded from a table made from Unicode's decompositions (Latin-1, Latin Extended-A and -B, Latin Extended
/// Additional), plus the letters Unicode does not decompose (Ø, Ł, Đ, ß, Æ, Œ, Þ). Latin names fold the same either way.
/// </para>
/// </summary>
public static class NameFolding
{
    private const string Accented =
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿĀāĂăĄąĆ" +
        "ćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŌ" +
        "ōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƀƒƗƠơƯưƵƶǍǎǏǐǑǒǓ" +
        "ǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫ" +
        "ȬȭȮȯȰȱȲȳɃḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯḰḱḲḳḴḵḶ" +
        "ḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯṰṱṲṳṴṵṶ" +
        "ṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼ" +
        "ẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ";

    private const string Plain =
        "aaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyyaaaaaac" +
        "cccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllllnnnnnno" +
        "ooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzbfioouuzzaaiioou" +
        "uuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeoo" +
        "ooooooyybaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkl" +
        "lllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuu" +
        "uuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyaaaaaaaaaaaaaaaaaaaaaaaaeeeee" +
        "eeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy";

    private static readonly Dictionary<char, string> s_ligatures = new()
    {
        ['ß'] = "ss",
        ['Æ'] = "ae",
        ['æ'] = "ae",
        ['Œ'] = "oe",
        ['œ'] = "oe",
        ['Þ'] = "th",
        ['þ'] = "th",
        ['Ĳ'] = "ij",
        ['ĳ'] = "ij",
    };

    private static readonly Dictionary<char, char> s_letters = BuildLetters();

    public static string Fold(string? text) => Fold(text, unicodeNormalisation: true);

    /// <summary>Tests pass false to fold as an invariant-globalisation process would, where normalisation is a no-op.</summary>
    internal static string Fold(string? text, bool unicodeNormalisation)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var decomposed = unicodeNormalisation ? text.Normalize(NormalizationForm.FormD) : text;
        var sb = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var ch in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            if (s_letters.TryGetValue(ch, out var plain))
            {
                sb.Append(plain);
            }
            else if (s_ligatures.TryGetValue(ch, out var letters))
            {
                sb.Append(letters);
            }
            else
            {
                sb.Append(ch switch
                {
                    '\u2019' or '\u2018' or '\u02BC' or '`' or '\u00B4' => '\'',
                    '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' => '-',
                    _ => char.ToLowerInvariant(ch),
                });
            }
        }

        return sb.ToString();
    }

    private static Dictionary<char, char> BuildLetters()
    {
        var letters = new Dictionary<char, char>(Accented.Length);
        for (var i = 0; i < Accented.Length; i++)
        {
            letters[Accented[i]] = Plain[i];
        }

        return letters;
    }

    /// <summary>
    /// The text folded, with everything but letters, digits, apostrophes and hyphens turned to spaces and a space at
    /// each end, so that <see cref="NamesWhole"/> finds whole names in it.
    /// </summary>
    public static string WordPadded(string? text) =>
        " " + string.Concat(Fold(text).Select(c => char.IsLetterOrDigit(c) || c is '\'' or '-' ? c : ' ')) + " ";

    /// <summary>Whether <paramref name="padded"/> (from <see cref="WordPadded"/>) holds the folded name as whole words, or its possessive.</summary>
    public static bool NamesWhole(string padded, string foldedName) =>
        padded.Contains(" " + foldedName + " ", StringComparison.Ordinal) || padded.Contains(" " + foldedName + "'s ", StringComparison.Ordinal);
}
