using System.Text.Json;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Tests.Photos;

/// <summary>The people exiftool itself reads from a photo (<c>exiftool -j -struct -G1</c>), to check the product against.</summary>
public sealed record ExifToolPeople(IReadOnlyList<(PersonSource Source, string? Name)> People, int FaceRegions, int NamedFaceRegions)
{
    public static ExifToolPeople From(JsonElement json)
    {
        var people = new List<(PersonSource, string?)>();
        people.AddRange(Strings(json, "XMP-iptcExt:PersonInImage").Select(n => (PersonSource.PersonInImage, (string?)n)));
        foreach (var details in Items(json, "XMP-iptcExt:PersonInImageWDetails"))
        {
            people.Add((PersonSource.PersonInImageWDetails, Strings(details, "PersonName").FirstOrDefault()));
        }

        int mwgFaces = 0, mwgNamed = 0;
        if (json.TryGetProperty("XMP-mwg-rs:RegionInfo", out var mwg))
        {
            foreach (var region in Items(mwg, "RegionList"))
            {
                var name = Strings(region, "Name").FirstOrDefault();
                var isFace = Strings(region, "Type").FirstOrDefault() == "Face";
                mwgFaces += isFace ? 1 : 0;
                mwgNamed += isFace && name is not null ? 1 : 0;
                if (isFace && name is not null)
                {
                    people.Add((PersonSource.MwgFaceRegion, name));
                }
            }
        }

        int mpFaces = 0, mpNamed = 0;
        if (json.TryGetProperty("XMP-MP:RegionInfoMP", out var mp))
        {
            foreach (var region in Items(mp, "Regions"))
            {
                var name = Strings(region, "PersonDisplayName").FirstOrDefault();
                var hasRectangle = region.TryGetProperty("Rectangle", out _);
                mpFaces += hasRectangle ? 1 : 0;
                mpNamed += hasRectangle && name is not null ? 1 : 0;
                if (name is not null)
                {
                    people.Add((PersonSource.MicrosoftPeopleTag, name));
                }
            }
        }

        people.AddRange(Strings(json, "XMP-dc:Subject").Select(n => (PersonSource.XmpSubject, (string?)n)));
        people.AddRange(Strings(json, "IPTC:Keywords").Select(n => (PersonSource.IptcKeywords, (string?)n)));

        var (faces, named) = mwgFaces >= mpFaces ? (mwgFaces, mwgNamed) : (mpFaces, mpNamed);
        return new(people, faces, named);
    }

    private static IEnumerable<JsonElement> Items(JsonElement parent, string name) =>
        !parent.TryGetProperty(name, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList()
        : [value];

    private static IEnumerable<string> Strings(JsonElement parent, string name) =>
        Items(parent, name).Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
}
