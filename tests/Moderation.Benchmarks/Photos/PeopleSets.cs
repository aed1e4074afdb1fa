using System.Text;
using System.Text.Json;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Benchmarks.Photos;

/// <summary>
/// The people of one photo as a sorted list of "Source: name" entries, built the same way from our reader's
/// <see cref="PhotoPeople"/> and from exiftool's <c>-j -struct</c> JSON, so the two can be compared exactly. Free text
/// (captions, descriptions) is not a person and is left out on both sides. The only normalisation, on both sides, is
/// what <see cref="PhotoMetadataReader"/> itself does to a value: surrounding white space trimmed, empty values dropped;
/// and Unicode NFC, so that a composed and a decomposed "ë" are the same name.
/// </summary>
internal static class PeopleSets
{
    public static IReadOnlyList<string> FromReader(PhotoPeople people) =>
        Sorted(people.People.Where(p => !p.IsFreeText).Select(p => Entry(p.Source, p.Name)));

    /// <summary>
    /// From one element of <c>exiftool -j -struct</c> output (no group names: "PersonInImage", "RegionInfo", ...),
    /// with the product's rules: a named MWG region is a person when its type is Face or missing; every named Windows
    /// people tag is a person; XMP subjects and IPTC keywords are kept as keywords.
    /// </summary>
    public static IReadOnlyList<string> FromExifTool(JsonElement photo)
    {
        var entries = new List<string>();
        entries.AddRange(Strings(photo, "PersonInImage").Select(n => Entry(PersonSource.PersonInImage, n)));
        foreach (var details in Items(photo, "PersonInImageWDetails"))
        {
            var name = Strings(details, "PersonName").FirstOrDefault();
            var id = Strings(details, "PersonId").FirstOrDefault();
            if (Clean(name) is not null || Clean(id) is not null)
            {
                entries.Add(Entry(PersonSource.PersonInImageWDetails, name));
            }
        }

        if (photo.TryGetProperty("RegionInfo", out var mwg))
        {
            foreach (var region in Items(mwg, "RegionList"))
            {
                var name = Clean(Strings(region, "Name").FirstOrDefault());
                var type = Clean(Strings(region, "Type").FirstOrDefault());
                if (name is not null && (type is null || string.Equals(type, "Face", StringComparison.OrdinalIgnoreCase)))
                {
                    entries.Add(Entry(PersonSource.MwgFaceRegion, name));
                }
            }
        }

        if (photo.TryGetProperty("RegionInfoMP", out var mp))
        {
            foreach (var region in Items(mp, "Regions"))
            {
                if (Clean(Strings(region, "PersonDisplayName").FirstOrDefault()) is { } name)
                {
                    entries.Add(Entry(PersonSource.MicrosoftPeopleTag, name));
                }
            }
        }

        entries.AddRange(Strings(photo, "Subject").Where(s => Clean(s) is not null).Select(n => Entry(PersonSource.XmpSubject, n)));
        entries.AddRange(Strings(photo, "Keywords").Where(s => Clean(s) is not null).Select(n => Entry(PersonSource.IptcKeywords, n)));
        return Sorted(entries);
    }

    private static string Entry(PersonSource source, string? name) =>
        $"{source}: {(Clean(name) is { } clean ? clean.Normalize(NormalizationForm.FormC) : "(no name)")}";

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static List<string> Sorted(IEnumerable<string> entries)
    {
        var list = entries.ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static IEnumerable<JsonElement> Items(JsonElement parent, string name) =>
        !parent.TryGetProperty(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList()
        : [value];

    // exiftool writes a value that looks like a number as a JSON number: the text is what was tagged.
    private static IEnumerable<string> Strings(JsonElement parent, string name) =>
        Items(parent, name).Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
}
