using MetadataExtractor;
using MetadataExtractor.Formats.Png;

namespace Moderation.Domain.Screening.Photos;

public enum SanitiseOutcome
{
    /// <summary>Metadata removed and the result checked by reading it back.</summary>
    Stripped,

    /// <summary>A format this code cannot rewrite safely (HEIC): a person must export it as JPEG.</summary>
    Unsupported,

    /// <summary>The file is truncated, corrupt or not an image.</summary>
    Corrupt,

    /// <summary>The rewritten file still revealed something when read back; it must not be published.</summary>
    VerificationFailed,
}

/// <param name="Image">The cleaned bytes; null unless <paramref name="Outcome"/> is <see cref="SanitiseOutcome.Stripped"/>.</param>
/// <param name="Removed">What was taken out, for the audit trail ("APP1 Exif", "iTXt", "XMP").</param>
/// <param name="Problems">Why the photo could not be cleaned, or what the read-back still found.</param>
public sealed record SanitisedPhoto(
    SanitiseOutcome Outcome,
    byte[]? Image,
    string? Format,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Problems)
{
    public bool Succeeded => Outcome == SanitiseOutcome.Stripped && Image is not null;
}

/// <summary>
/// Removes what would tell people where a photo was taken, whose camera took it and who is in it, before it is
/// published (000, question 4: "would a post tell people that a house is empty or that a class is away on a trip?").
/// Metadata segments are dropped whole; the picture's own bytes are copied, never re-encoded. The result is read back
/// with MetadataExtractor and refused if anything is left.
/// </summary>
public static class PhotoSanitiser
{
    private static readonly HashSet<string> s_revealingDirectories = new(StringComparer.Ordinal)
    {
        "ExifIfd0Directory", "ExifSubIfdDirectory", "ExifInteropDirectory", "ExifThumbnailDirectory", "ExifImageDirectory",
        "GpsDirectory", "XmpDirectory", "IptcDirectory", "PhotoshopDirectory", "JpegCommentDirectory", "DuckyDirectory",
        "JfxxDirectory",
    };

    public static SanitisedPhoto StripForPublishing(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);

        var format = PhotoFormats.Detect(image);
        var mime = PhotoFormats.MimeType(format);
        ContainerWalk walk;
        switch (format)
        {
            case PhotoFormat.Jpeg:
                walk = JpegContainer.Walk(image);
                break;
            case PhotoFormat.Png:
                walk = PngContainer.Walk(image);
                break;
            case PhotoFormat.WebP:
                walk = WebPContainer.Walk(image);
                break;
            case PhotoFormat.Heic:
                return new(SanitiseOutcome.Unsupported, null, mime, [],
                    ["HEIC metadata cannot be removed here: export the photo as JPEG, or have a person check it"]);
            default:
                return new(SanitiseOutcome.Corrupt, null, null, [], ["not a JPEG, PNG or WebP image"]);
        }

        if (walk.Error is not null)
        {
            return new(SanitiseOutcome.Corrupt, null, mime, [], [walk.Error]);
        }

        var output = format == PhotoFormat.WebP
            ? WebPContainer.Rebuild(image, walk.Parts, p => p.Keep, clearMetadataFlags: true)
            : PhotoFormats.Concatenate(image, walk.Parts, p => p.Keep);
        var removed = walk.Parts.Where(p => !p.Keep).Select(p => p.Label).ToList();
        var problems = Verify(output);
        return problems.Count == 0
            ? new(SanitiseOutcome.Stripped, output, mime, removed, [])
            : new(SanitiseOutcome.VerificationFailed, null, mime, removed, problems);
    }

    /// <summary>What a read-back of <paramref name="image"/> still reveals; empty when it is clean.</summary>
    public static IReadOnlyList<string> Verify(byte[] image)
    {
        ArgumentNullException.ThrowIfNull(image);

        var problems = new List<string>();
        var read = PhotoMetadataReader.Read(image);
        if (!read.Readable)
        {
            problems.Add("the cleaned file does not read back: " + read.Error);
        }

        if (read.Location.HasGps)
        {
            problems.Add("GPS position still present");
        }

        if (read.Location.LocationNames.Count > 0)
        {
            problems.Add("location names still present: " + string.Join(", ", read.Location.LocationNames));
        }

        if (read.Location.CameraOwner is not null)
        {
            problems.Add("camera owner still present");
        }

        if (read.People.Count > 0 || read.FaceRegions > 0)
        {
            problems.Add("people, keywords, captions or face regions still present");
        }

        if (read.ModelReleaseStatus is not null)
        {
            problems.Add("model release status still present");
        }

        try
        {
            using var stream = new MemoryStream(image, writable: false);
            foreach (var directory in ImageMetadataReader.ReadMetadata(stream))
            {
                var textual = directory is PngDirectory && directory.ContainsTag(PngDirectory.TagTextualData);
                if (s_revealingDirectories.Contains(directory.GetType().Name) || textual)
                {
                    problems.Add($"{directory.Name} metadata still present");
                }
            }
        }
        catch (Exception e)
        {
            // Already reported through the reader's own error; this keeps the check from throwing.
            problems.Add("the cleaned file does not read back: " + e.Message);
        }

        return problems.Distinct().ToList();
    }
}
