namespace Moderation.Domain.Screening.Photos;

/// <summary>Where a possible person in a photo was found (DOMAIN.md "Consent in detail").</summary>
public enum PersonSource
{
    /// <summary>XMP <c>Iptc4xmpExt:PersonInImage</c>.</summary>
    PersonInImage,

    /// <summary>XMP <c>Iptc4xmpExt:PersonInImageWDetails</c>, whose <c>PersonId</c> can carry the MIS id.</summary>
    PersonInImageWDetails,

    /// <summary>A named MWG region (<c>mwg-rs:RegionList</c>) of type Face, or with no type.</summary>
    MwgFaceRegion,

    /// <summary>A Windows Photo Gallery people tag (<c>MP:RegionInfo</c>).</summary>
    MicrosoftPeopleTag,

    /// <summary>An XMP keyword (<c>dc:subject</c>): a person only if it matches the roster.</summary>
    XmpSubject,

    /// <summary>An IPTC-IIM keyword: a person only if it matches the roster.</summary>
    IptcKeywords,

    /// <summary>The caption the author typed: free text, for the name matcher.</summary>
    Caption,

    /// <summary>The alt text the author typed: free text, for the name matcher.</summary>
    AltText,

    /// <summary>A caption, title, description or comment stored in the file itself: free text, for the name matcher.</summary>
    EmbeddedCaption,
}

/// <summary>
/// A possible person found in a photo. For free-text sources (<see cref="PersonSource.Caption"/>,
/// <see cref="PersonSource.AltText"/>, <see cref="PersonSource.EmbeddedCaption"/>) <see cref="Name"/> holds the whole
/// text, not a name: nothing here guesses names from prose.
/// </summary>
public sealed record TaggedPerson(string? Name, string? PersonId, PersonSource Source)
{
    /// <summary>The MIS id when <see cref="PersonId"/> is a <c>urn:mis:</c> identifier, otherwise null.</summary>
    public string? MisId => MisIdentifiers.FromPersonId(PersonId);

    public bool IsFreeText => Source is PersonSource.Caption or PersonSource.AltText or PersonSource.EmbeddedCaption;

    public bool IsKeyword => Source is PersonSource.XmpSubject or PersonSource.IptcKeywords;
}

/// <summary>What a photo's metadata says about where it was taken and whose camera took it.</summary>
public sealed record PhotoLocation(
    bool HasGps,
    double? Latitude,
    double? Longitude,
    IReadOnlyList<string> LocationNames,
    string? CameraOwner)
{
    public static PhotoLocation None { get; } = new(false, null, null, [], null);

    /// <summary>True when anything here would tell a reader where the photo was taken or who took it.</summary>
    public bool DisclosesAnything => HasGps || LocationNames.Count > 0 || CameraOwner is not null;
}

/// <summary>
/// The people, faces and location a photo's metadata reveals. When <see cref="Readable"/> is false the lists hold
/// whatever could be read before the problem in <see cref="Error"/>, and must not be taken as complete.
/// </summary>
public sealed record PhotoPeople(
    bool Readable,
    string? Error,
    IReadOnlyList<TaggedPerson> People,
    int FaceRegions,
    int NamedFaceRegions,
    string? ModelReleaseStatus,
    PhotoLocation Location,
    string? Format)
{
    public int UnnamedFaceRegions => Math.Max(0, FaceRegions - NamedFaceRegions);

    internal static PhotoPeople Unreadable(string error, string? format, IReadOnlyList<TaggedPerson> people) =>
        new(false, error, people, 0, 0, null, PhotoLocation.None, format);
}

/// <summary>MIS ids travel in <c>PersonId</c> as <c>urn:mis:&lt;id&gt;</c>.</summary>
public static class MisIdentifiers
{
    public const string UrnPrefix = "urn:mis:";

    public static string? FromPersonId(string? personId)
    {
        if (personId is null)
        {
            return null;
        }

        var trimmed = personId.Trim();
        if (!trimmed.StartsWith(UrnPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var id = trimmed[UrnPrefix.Length..].Trim();
        return id.Length == 0 ? null : id;
    }

    public static string ToPersonId(string misId) => UrnPrefix + misId;
}
