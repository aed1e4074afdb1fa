using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using MetadataExtractor.Formats.Iptc;
using MetadataExtractor.Formats.Jpeg;
using MetadataExtractor.Formats.Png;
using MetadataExtractor.Formats.Xmp;
using XmpCore;
using MetadataDirectory = MetadataExtractor.Directory;

namespace Moderation.Domain.Screening.Photos;

/// <summary>
/// Reads who is in a photo, how many faces are marked, the model release, and where it was taken, from every place
/// DOMAIN.md "Consent in detail" lists. Nothing here decides: <see cref="PhotoConsent"/> does.
/// </summary>
public static class PhotoMetadataReader
{
    // Exif 0xFDE8 "OwnerName", written by Photoshop-era software; 0xA430 is the standard CameraOwnerName.
    private const int ExifOwnerNameTag = 0xFDE8;

    /// <summary>
    /// Reads the photo. Never throws for bad bytes: corrupt, truncated or non-image input comes back with
    /// <see cref="PhotoPeople.Readable"/> false and the reason in <see cref="PhotoPeople.Error"/>. The caption and alt
    /// text the author typed come back as free-text entries for the roster name matcher.
    /// </summary>
    public static PhotoPeople Read(byte[] image, string? caption = null, string? altText = null)
    {
        ArgumentNullException.ThrowIfNull(image);

        var supplied = new List<TaggedPerson>();
        if (XmpFields.Clean(caption) is { } captionText)
        {
            supplied.Add(new(captionText, null, PersonSource.Caption));
        }

        if (XmpFields.Clean(altText) is { } alt)
        {
            supplied.Add(new(alt, null, PersonSource.AltText));
        }

        var format = PhotoFormats.Detect(image);
        var mime = PhotoFormats.MimeType(format);
        if (format == PhotoFormat.Unknown)
        {
            return PhotoPeople.Unreadable(
                image.Length == 0 ? "the file is empty" : "not a JPEG, PNG, WebP or HEIC image", null, supplied);
        }

        var (containerProblem, view) = PhotoFormats.ForMetadata(format, image);
        IReadOnlyList<MetadataDirectory> directories;
        try
        {
            // A read-only MemoryStream over the array: no copy beyond the pixel-free view ForMetadata made.
            using var stream = new MemoryStream(view, writable: false);
            directories = ImageMetadataReader.ReadMetadata(stream);
        }
        catch (Exception e)
        {
            // Hostile or broken files make the readers throw a wide range of exception types; none may escape.
            return PhotoPeople.Unreadable(containerProblem ?? "metadata could not be read: " + e.Message, mime, supplied);
        }

        var problems = new List<string>();
        if (containerProblem is not null)
        {
            problems.Add(containerProblem);
        }

        foreach (var directory in directories.Where(d => d.HasError && CanHoldWhatScreeningReads(d)))
        {
            problems.Add($"{directory.Name}: {string.Join("; ", directory.Errors)}");
        }

        var collector = new Collector();
        foreach (var xmp in directories.OfType<XmpDirectory>())
        {
            if (xmp.XmpMeta is not { } meta)
            {
                continue;
            }

            try
            {
                collector.ReadXmp(meta);
            }
            catch (Exception e)
            {
                problems.Add("XMP could not be read: " + e.Message);
            }
        }

        try
        {
            collector.ReadIptc(directories.OfType<IptcDirectory>());
            collector.ReadExif(directories);
        }
        catch (Exception e)
        {
            problems.Add("IPTC or Exif could not be read: " + e.Message);
        }
        collector.People.AddRange(supplied);

        var (faces, named) = collector.Faces();
        return new PhotoPeople(
            problems.Count == 0,
            problems.Count == 0 ? null : string.Join(" | ", problems),
            collector.People,
            faces,
            named,
            collector.ModelReleaseStatus,
            collector.Location(),
            mime);
    }

    /// <summary>
    /// An error in a directory that cannot hold people, captions or places (an ICC profile with a zero date, a maker
    /// note from an odd camera, a JPEG header quirk) says nothing about who is in the photo, so it does not make the
    /// photo unreadable. Errors anywhere else, including directories not listed here, do.
    /// </summary>
    private static bool CanHoldWhatScreeningReads(MetadataDirectory directory)
    {
        var type = directory.GetType();
        if (type.Namespace is { } ns && ns.StartsWith("MetadataExtractor.Formats.Exif.Makernotes", StringComparison.Ordinal))
        {
            return false;
        }

        return type.Name is not ("IccDirectory" or "JfifDirectory" or "JfxxDirectory" or "HuffmanTablesDirectory"
            or "JpegDirectory" or "JpegDnlDirectory" or "AdobeJpegDirectory" or "FileTypeDirectory"
            or "PngChromaticitiesDirectory" or "WebPDirectory" or "QuickTimeFileTypeDirectory"
            or "HeicImagePropertiesDirectory" or "HeicThumbnailDirectory" or "PrintIMDirectory");
    }

    private sealed class Collector
    {
        private readonly List<string> _locationNames = [];
        private readonly List<string> _owners = [];
        private readonly List<string> _creators = [];
        private readonly List<string> _embeddedCaptions = [];
        private int _mwgFaces;
        private int _mwgNamedFaces;
        private int _mpFaces;
        private int _mpNamedFaces;
        private bool _hasGps;
        private double? _latitude;
        private double? _longitude;

        public List<TaggedPerson> People { get; } = [];

        public string? ModelReleaseStatus { get; private set; }

        public void ReadXmp(IXmpMeta meta)
        {
            ReadPersonInImage(meta);
            ReadMwgRegions(meta);
            ReadMicrosoftRegions(meta);

            foreach (var keyword in XmpFields.Texts(meta, XmpFields.DublinCore, XmpFields.Name(XmpFields.DublinCore, "subject")))
            {
                People.Add(new(keyword, null, PersonSource.XmpSubject));
            }

            ModelReleaseStatus ??= XmpFields.Text(meta, XmpFields.Plus, XmpFields.Name(XmpFields.Plus, "ModelReleaseStatus"));

            foreach (var field in new[] { "description", "title" })
            {
                AddCaption(XmpFields.Text(meta, XmpFields.DublinCore, XmpFields.Name(XmpFields.DublinCore, field)));
            }

            AddCaption(XmpFields.Text(meta, XmpFields.Photoshop, XmpFields.Name(XmpFields.Photoshop, "Headline")));
            _creators.AddRange(XmpFields.Texts(meta, XmpFields.DublinCore, XmpFields.Name(XmpFields.DublinCore, "creator")));
            AddIfPresent(_owners, XmpFields.Text(meta, XmpFields.Aux, XmpFields.Name(XmpFields.Aux, "OwnerName")));

            ReadXmpLocation(meta);
        }

        private void ReadPersonInImage(IXmpMeta meta)
        {
            var ns = XmpFields.IptcExt;
            foreach (var name in XmpFields.Texts(meta, ns, XmpFields.Name(ns, "PersonInImage")))
            {
                People.Add(new(name, null, PersonSource.PersonInImage));
            }

            var details = XmpFields.Name(ns, "PersonInImageWDetails");
            var count = XmpFields.Count(meta, ns, details);
            for (var i = 1; i <= count; i++)
            {
                var item = XmpFields.Item(details, i);
                var name = XmpFields.Text(meta, ns, XmpFields.Field(item, ns, "PersonName"));
                var ids = XmpFields.Texts(meta, ns, XmpFields.Field(item, ns, "PersonId"));

                // A person can carry several ids (a Wikidata URI, a school's own); the MIS id is the one that matters.
                var id = ids.FirstOrDefault(x => MisIdentifiers.FromPersonId(x) is not null) ?? ids.FirstOrDefault();
                if (name is not null || id is not null)
                {
                    People.Add(new(name, id, PersonSource.PersonInImageWDetails));
                }
            }
        }

        private void ReadMwgRegions(IXmpMeta meta)
        {
            var ns = XmpFields.MwgRegions;
            var list = XmpFields.Field(XmpFields.Name(ns, "Regions"), ns, "RegionList");
            if (meta.GetProperty(ns, XmpFields.Name(ns, "Regions")) is null)
            {
                return;
            }

            var count = XmpFields.Count(meta, ns, list);
            for (var i = 1; i <= count; i++)
            {
                var item = XmpFields.Item(list, i);
                var name = XmpFields.Text(meta, ns, XmpFields.Field(item, ns, "Name"));
                var type = XmpFields.Text(meta, ns, XmpFields.Field(item, ns, "Type"));
                var isFace = string.Equals(type, "Face", StringComparison.OrdinalIgnoreCase);
                if (isFace)
                {
                    _mwgFaces++;
                    if (name is not null)
                    {
                        _mwgNamedFaces++;
                    }
                }

                // A named region with no type is taken as a person; named pets, barcodes and focus areas are not.
                if (name is not null && (isFace || type is null))
                {
                    People.Add(new(name, null, PersonSource.MwgFaceRegion));
                }
            }
        }

        private void ReadMicrosoftRegions(IXmpMeta meta)
        {
            var info = XmpFields.Name(XmpFields.MicrosoftPhoto, "RegionInfo");
            if (meta.GetProperty(XmpFields.MicrosoftPhoto, info) is null)
            {
                return;
            }

            var list = XmpFields.Field(info, XmpFields.MicrosoftRegionInfo, "Regions");
            var count = XmpFields.Count(meta, XmpFields.MicrosoftPhoto, list);
            for (var i = 1; i <= count; i++)
            {
                var item = XmpFields.Item(list, i);
                var name = XmpFields.Text(meta, XmpFields.MicrosoftPhoto, XmpFields.Field(item, XmpFields.MicrosoftRegion, "PersonDisplayName"));
                var rectangle = XmpFields.Text(meta, XmpFields.MicrosoftPhoto, XmpFields.Field(item, XmpFields.MicrosoftRegion, "Rectangle"));

                // Windows people tags can be attached to the whole photo (no rectangle): a person, not a marked face.
                if (rectangle is not null)
                {
                    _mpFaces++;
                    if (name is not null)
                    {
                        _mpNamedFaces++;
                    }
                }

                if (name is not null)
                {
                    People.Add(new(name, null, PersonSource.MicrosoftPeopleTag));
                }
            }
        }

        private void ReadXmpLocation(IXmpMeta meta)
        {
            foreach (var field in new[] { "City", "State", "Country" })
            {
                AddIfPresent(_locationNames, XmpFields.Text(meta, XmpFields.Photoshop, XmpFields.Name(XmpFields.Photoshop, field)));
            }

            AddIfPresent(_locationNames, XmpFields.Text(meta, XmpFields.IptcCore, XmpFields.Name(XmpFields.IptcCore, "Location")));

            var ns = XmpFields.IptcExt;
            foreach (var list in new[] { "LocationShown", "LocationCreated" })
            {
                var path = XmpFields.Name(ns, list);
                var count = XmpFields.Count(meta, ns, path);
                for (var i = 1; i <= count; i++)
                {
                    var item = XmpFields.Item(path, i);
                    foreach (var field in new[] { "LocationName", "Sublocation", "City", "ProvinceState", "CountryName", "WorldRegion" })
                    {
                        AddIfPresent(_locationNames, XmpFields.Text(meta, ns, XmpFields.Field(item, ns, field)));
                    }
                }
            }

            var latitude = XmpFields.Text(meta, XmpFields.Exif, XmpFields.Name(XmpFields.Exif, "GPSLatitude"));
            var longitude = XmpFields.Text(meta, XmpFields.Exif, XmpFields.Name(XmpFields.Exif, "GPSLongitude"));
            if (latitude is not null || longitude is not null)
            {
                _hasGps = true;
                _latitude ??= XmpCoordinate(latitude);
                _longitude ??= XmpCoordinate(longitude);
            }

            AddIfPresent(_locationNames, XmpFields.Text(meta, XmpFields.Exif, XmpFields.Name(XmpFields.Exif, "GPSAreaInformation")));
        }

        public void ReadIptc(IEnumerable<IptcDirectory> directories)
        {
            foreach (var iptc in directories)
            {
                foreach (var keyword in iptc.GetStringArray(IptcDirectory.TagKeywords) ?? [])
                {
                    if (XmpFields.Clean(keyword) is { } k)
                    {
                        People.Add(new(k, null, PersonSource.IptcKeywords));
                    }
                }

                foreach (var tag in new[]
                         {
                             IptcDirectory.TagSubLocation, IptcDirectory.TagCity, IptcDirectory.TagProvinceOrState,
                             IptcDirectory.TagCountryOrPrimaryLocationName,
                         })
                {
                    AddIfPresent(_locationNames, iptc.GetString(tag));
                }

                AddCaption(iptc.GetString(IptcDirectory.TagCaption));
                AddCaption(iptc.GetString(IptcDirectory.TagHeadline));
                AddCaption(iptc.GetString(IptcDirectory.TagObjectName));
                _creators.AddRange((iptc.GetStringArray(IptcDirectory.TagByLine) ?? []).Where(s => !string.IsNullOrWhiteSpace(s)));
            }
        }

        public void ReadExif(IEnumerable<MetadataDirectory> directories)
        {
            foreach (var directory in directories)
            {
                switch (directory)
                {
                    case GpsDirectory gps:
                        ReadGps(gps);
                        break;
                    case ExifIfd0Directory or ExifSubIfdDirectory:
                        AddIfPresent(_owners, directory.GetString(ExifDirectoryBase.TagCameraOwnerName));
                        AddIfPresent(_owners, directory.GetString(ExifOwnerNameTag));
                        AddIfPresent(_creators, directory.GetString(ExifDirectoryBase.TagArtist));
                        AddCaption(directory.GetString(ExifDirectoryBase.TagImageDescription));

                        // Windows' XP tags are UCS-2 bytes; the description decodes them.
                        foreach (var tag in new[] { ExifDirectoryBase.TagWinTitle, ExifDirectoryBase.TagWinComment, ExifDirectoryBase.TagWinSubject, ExifDirectoryBase.TagWinKeywords })
                        {
                            if (directory.ContainsTag(tag))
                            {
                                AddCaption(directory.GetDescription(tag));
                            }
                        }

                        if (directory.ContainsTag(ExifDirectoryBase.TagUserComment))
                        {
                            AddCaption(directory.GetDescription(ExifDirectoryBase.TagUserComment));
                        }

                        break;
                    case JpegCommentDirectory comment:
                        AddCaption(comment.GetString(JpegCommentDirectory.TagComment));
                        break;
                    case PngDirectory png when png.GetObject(PngDirectory.TagTextualData) is IEnumerable<MetadataExtractor.KeyValuePair> texts:
                        // Only the keywords people write; encoders add their own (dates, software, raw profiles).
                        foreach (var text in texts)
                        {
                            if (text.Key is "Title" or "Description" or "Comment")
                            {
                                AddCaption(text.Value.ToString());
                            }
                            else if (text.Key == "Author")
                            {
                                AddIfPresent(_creators, text.Value.ToString());
                            }
                        }

                        break;
                }
            }
        }

        private void ReadGps(GpsDirectory gps)
        {
            if (gps.ContainsTag(GpsDirectory.TagLatitude) || gps.ContainsTag(GpsDirectory.TagLongitude) ||
                gps.ContainsTag(GpsDirectory.TagDestLatitude) || gps.ContainsTag(GpsDirectory.TagDestLongitude))
            {
                _hasGps = true;
            }

            if (gps.GetGeoLocation() is { } location && !double.IsNaN(location.Latitude))
            {
                _hasGps = true;
                _latitude = location.Latitude;
                _longitude = location.Longitude;
            }

            if (gps.ContainsTag(GpsDirectory.TagAreaInformation))
            {
                AddIfPresent(_locationNames, gps.GetDescription(GpsDirectory.TagAreaInformation));
            }
        }

        /// <summary>
        /// The face count from the richer of the two region schemas: writers such as Windows store the same faces in
        /// both, so adding them would double count. On a tie the schema with more unnamed faces wins.
        /// </summary>
        public (int Faces, int Named) Faces()
        {
            if (_mwgFaces > _mpFaces || (_mwgFaces == _mpFaces && _mwgNamedFaces <= _mpNamedFaces))
            {
                return (_mwgFaces, _mwgNamedFaces);
            }

            return (_mpFaces, _mpNamedFaces);
        }

        public PhotoLocation Location()
        {
            // Owner names first; the photographer (Artist, creator, by-line) only when no owner is recorded.
            var owner = _owners.FirstOrDefault() ?? _creators.Select(XmpFields.Clean).FirstOrDefault(c => c is not null);
            return new(_hasGps, _latitude, _longitude, _locationNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), owner);
        }

        private void AddCaption(string? text)
        {
            if (XmpFields.Clean(text) is not { } caption || _embeddedCaptions.Contains(caption, StringComparer.Ordinal))
            {
                return;
            }

            _embeddedCaptions.Add(caption);
            People.Add(new(caption, null, PersonSource.EmbeddedCaption));
        }

        private static void AddIfPresent(List<string> list, string? value)
        {
            if (XmpFields.Clean(value) is { } v)
            {
                list.Add(v);
            }
        }

        /// <summary>XMP writes GPS as "DDD,MM.mmk" or "DDD,MM,SSk", with k one of N, S, E, W.</summary>
        private static double? XmpCoordinate(string? value)
        {
            if (value is null || value.Length < 2)
            {
                return null;
            }

            var hemisphere = char.ToUpperInvariant(value[^1]);
            var parts = value[..^1].Split(',');
            double total = 0;
            double scale = 1;
            foreach (var part in parts)
            {
                if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return null;
                }

                total += number / scale;
                scale *= 60;
            }

            return hemisphere is 'S' or 'W' ? -total : total;
        }
    }
}
