using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Tests.Photos;

/// <summary>Photos tagged by exiftool in every schema DOMAIN.md "Consent in detail" lists, read back by the product.</summary>
public sealed class PhotoMetadataReaderTests : IDisposable
{
    private const string Olivia = "Olivia Smith";
    private const string Zoe = "Zoë Núñez";

    private readonly PhotoFixtures _fixtures = new();

    public void Dispose() => _fixtures.Dispose();

    [Theory]
    [InlineData("base.jpg", "image/jpeg")]
    [InlineData("base.webp", "image/webp")]
    [InlineData("base.heic", "image/heic")]
    public void People_tagged_in_every_xmp_schema_are_read_from_each_format(string baseImage, string format)
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag(baseImage, "all-schemas.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.Format.Should().Be(format);
        read.People.Where(p => p.Source != PersonSource.IptcKeywords).Should().BeEquivalentTo(
            new TaggedPerson[]
            {
                new(Olivia, null, PersonSource.PersonInImage),
                new(Zoe, null, PersonSource.PersonInImage),
                new(Olivia, "urn:mis:1001", PersonSource.PersonInImageWDetails),
                new(Olivia, null, PersonSource.MwgFaceRegion),
                new(Olivia, null, PersonSource.MicrosoftPeopleTag),
                new("Sports Day", null, PersonSource.XmpSubject),
            });
        read.People.Single(p => p.Source == PersonSource.PersonInImageWDetails).MisId.Should().Be("1001");
        read.FaceRegions.Should().Be(2);
        read.NamedFaceRegions.Should().Be(1);
        read.ModelReleaseStatus.Should().Be("http://ns.useplus.org/ldf/vocab/MR-LMR");
        read.Location.HasGps.Should().BeTrue();
        read.Location.Latitude.Should().BeApproximately(52.6833, 0.0001);
        read.Location.Longitude.Should().BeApproximately(-2.45, 0.0001);
    }

    [Fact]
    public void Iptc_keywords_written_as_utf8_keep_their_diacritics()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "keywords.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.People.Should().BeEquivalentTo(
            new TaggedPerson[]
            {
                new("Sports Day", null, PersonSource.XmpSubject),
                new(Olivia, null, PersonSource.XmpSubject),
                new(Zoe, null, PersonSource.IptcKeywords),
                new("Year 4", null, PersonSource.IptcKeywords),
            });
    }

    [Fact]
    public void Person_in_image_with_details_prefers_the_mis_id_among_several_person_ids()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "details-mis-id.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        var details = read.People.Where(p => p.Source == PersonSource.PersonInImageWDetails).ToList();
        details.Select(p => (p.Name, p.PersonId, p.MisId)).Should().BeEquivalentTo(new[]
        {
            ("Zoe Nunez-Garcia", "urn:mis:1002", "1002"),
            ("Liv Smyth", "urn:mis:1001", "1001"),
        });
    }

    [Fact]
    public void Mwg_regions_count_faces_with_and_without_names_and_ignore_named_pets()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "mwg-faces.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.FaceRegions.Should().Be(3);
        read.NamedFaceRegions.Should().Be(2);
        read.UnnamedFaceRegions.Should().Be(1);
        read.People.Should().BeEquivalentTo(new TaggedPerson[]
        {
            new(Olivia, null, PersonSource.MwgFaceRegion),
            new(Zoe, null, PersonSource.MwgFaceRegion),
        });
    }

    [Fact]
    public void Faces_without_names_are_counted_but_name_nobody()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.png", "faces-no-names.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.FaceRegions.Should().Be(2);
        read.NamedFaceRegions.Should().Be(0);
        read.People.Should().BeEmpty();
    }

    [Fact]
    public void Microsoft_people_tags_are_people_and_their_rectangles_are_faces()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.png", "microsoft-people.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.Format.Should().Be("image/png");
        read.People.Should().BeEquivalentTo(new TaggedPerson[]
        {
            new(Olivia, null, PersonSource.MicrosoftPeopleTag),
            new(Zoe, null, PersonSource.MicrosoftPeopleTag),
        });
        read.FaceRegions.Should().Be(2);
        read.NamedFaceRegions.Should().Be(2);
    }

    [Fact]
    public void Gps_place_names_and_the_camera_owner_are_flagged()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "location-owner.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.Location.HasGps.Should().BeTrue();
        read.Location.Latitude.Should().BeApproximately(52.6833, 0.0001);
        read.Location.Longitude.Should().BeApproximately(-2.45, 0.0001);
        read.Location.LocationNames.Should().BeEquivalentTo(
            "Telford", "Oakwood Primary playing field", "Shropshire", "United Kingdom", "Oakwood Primary School",
            "Ironbridge", "Blists Hill Victorian Town");
        read.Location.CameraOwner.Should().Be("Mrs K Davies");
        read.Location.DisclosesAnything.Should().BeTrue();
        read.People.Should().BeEmpty();
    }

    [Fact]
    public void Gps_written_only_in_xmp_is_found_and_the_artist_stands_in_for_a_missing_owner()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.webp", "xmp-gps-artist.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Location.HasGps.Should().BeTrue();
        read.Location.Latitude.Should().BeApproximately(51.5007, 0.0001);
        read.Location.Longitude.Should().BeApproximately(-0.1246, 0.0001);
        read.Location.CameraOwner.Should().Be("K Davies");
    }

    [Fact]
    public void A_photo_with_no_people_has_only_its_keyword_and_description()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "no-people.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.FaceRegions.Should().Be(0);
        read.People.Should().BeEquivalentTo(new TaggedPerson[]
        {
            new("Library", null, PersonSource.XmpSubject),
            new("Our new library shelves", null, PersonSource.EmbeddedCaption),
        });
        read.ModelReleaseStatus.Should().Be("http://ns.useplus.org/ldf/vocab/MR-NAP");
        read.Location.Should().BeEquivalentTo(PhotoLocation.None);
    }

    [Fact]
    public void Captions_in_the_file_and_from_the_author_come_back_as_free_text()
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "captions.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo, caption: "Well done Olivia!", altText: "Two children painting");

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.People.Should().OnlyContain(p => p.IsFreeText);
        read.People.Should().BeEquivalentTo(new TaggedPerson[]
        {
            new("Olivia Smith's painting of the school pond", null, PersonSource.EmbeddedCaption),
            new("Zoë Núñez at the pond", null, PersonSource.EmbeddedCaption),
            new("Pond painting", null, PersonSource.EmbeddedCaption),
            new("Painted by Class 4", null, PersonSource.EmbeddedCaption),
            new("Shared by the Year 4 team", null, PersonSource.EmbeddedCaption),
            new("Well done Olivia!", null, PersonSource.Caption),
            new("Two children painting", null, PersonSource.AltText),
        });
    }

    [Fact]
    public void Png_iptc_that_exiftool_wraps_in_photoshop_blocks_is_reported_unreadable_but_the_xmp_people_still_come_back()
    {
        // Arrange: exiftool warns "Creating non-standard IPTC in PNG"; MetadataExtractor 2.4.3 cannot parse it.
        var photo = File.ReadAllBytes(_fixtures.Tag("base.png", "all-schemas.args"));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeFalse();
        read.Error.Should().Contain("IPTC");
        read.People.Should().Contain(new TaggedPerson(Zoe, null, PersonSource.PersonInImage));
        read.FaceRegions.Should().Be(2);
    }

    [Theory]
    [InlineData("all-schemas.args", "base.jpg")]
    [InlineData("all-schemas.args", "base.webp")]
    [InlineData("all-schemas.args", "base.heic")]
    [InlineData("mwg-faces.args", "base.jpg")]
    [InlineData("microsoft-people.args", "base.webp")]
    [InlineData("keywords.args", "base.jpg")]
    [InlineData("details-mis-id.args", "base.heic")]
    public void The_people_read_agree_with_exiftools_own_reading(string args, string baseImage)
    {
        // Arrange
        var path = _fixtures.Tag(baseImage, args);
        var oracle = ExifToolPeople.From(PhotoFixtures.ExifToolJson(path));

        // Act
        var read = PhotoMetadataReader.Read(File.ReadAllBytes(path));

        // Assert
        oracle.People.Should().NotBeEmpty("the fixture tags somebody");
        read.People.Where(p => !p.IsFreeText).Select(p => (p.Source, p.Name)).Should().BeEquivalentTo(oracle.People);
        read.FaceRegions.Should().Be(oracle.FaceRegions);
        read.NamedFaceRegions.Should().Be(oracle.NamedFaceRegions);
    }

    [Fact]
    public void A_class_list_too_long_for_one_jpeg_segment_is_read_from_the_extended_xmp()
    {
        // Arrange: over 64 KB of XMP makes exiftool split it into extended XMP segments.
        var names = Enumerable.Range(1, 1500).Select(i => $"Pupil {i:0000} Double-Barrelled-Surname").Append(Zoe).ToList();
        var args = _fixtures.Write("class-list.args", System.Text.Encoding.UTF8.GetBytes(
            "-overwrite_original\n" + string.Concat(names.Select(n => $"-XMP-iptcExt:PersonInImage+={n}\n"))));
        var path = _fixtures.Tag("base.jpg", args);
        PhotoFixtures.ExifToolJson(path).TryGetProperty("XMP-xmpNote:HasExtendedXMP", out _).Should().BeTrue();

        // Act
        var read = PhotoMetadataReader.Read(File.ReadAllBytes(path));

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.People.Select(p => p.Name).Should().Equal(names);
    }

    [Fact]
    public void A_photo_whose_xmp_is_broken_is_unreadable()
    {
        // Arrange: break the XML without changing the segment's length.
        var photo = File.ReadAllBytes(_fixtures.Tag("base.jpg", "all-schemas.args"));
        var at = photo.AsSpan().IndexOf("<rdf:Bag>"u8);
        at.Should().BePositive();
        "<rdf:Ba>>"u8.CopyTo(photo.AsSpan(at));

        // Act
        var read = PhotoMetadataReader.Read(photo);

        // Assert
        read.Readable.Should().BeFalse();
        read.Error.Should().Contain("XMP");
    }

    public static TheoryData<string, byte[]> BrokenFiles()
    {
        var jpeg = File.ReadAllBytes(PhotoFixtures.BasePath("base.jpg"));
        var png = File.ReadAllBytes(PhotoFixtures.BasePath("base.png"));
        var webp = File.ReadAllBytes(PhotoFixtures.BasePath("base.webp"));
        var heic = File.ReadAllBytes(PhotoFixtures.BasePath("base.heic"));
        var flippedPng = (byte[])png.Clone();
        flippedPng[png.Length / 2] ^= 0x55;
        return new()
        {
            { "empty", [] },
            { "a PDF", "%PDF-1.7\n%âãÏÓ\n1 0 obj"u8.ToArray() },
            { "text", "Sports day is on Friday"u8.ToArray() },
            { "just a JPEG start marker", [0xFF, 0xD8, 0xFF] },
            { "JPEG cut in half", jpeg[..(jpeg.Length / 2)] },
            { "JPEG without its end marker", jpeg[..^2] },
            { "JPEG with junk after the start marker", [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00, 0x01, 0x02] },
            { "PNG cut in half", png[..(png.Length / 2)] },
            { "PNG with a corrupted byte", flippedPng },
            { "WebP cut short", webp[..(webp.Length - 40)] },
            { "HEIC cut short", heic[..(heic.Length - 100)] },
            { "HEIC header only", heic[..24] },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Corrupt_truncated_and_non_image_bytes_are_unreadable_not_exceptions(string what, byte[] bytes)
    {
        // Act
        var read = PhotoMetadataReader.Read(bytes, caption: "Olivia Smith");

        // Assert
        read.Readable.Should().BeFalse(what);
        read.Error.Should().NotBeNullOrWhiteSpace();
        read.People.Should().ContainSingle(p => p.Source == PersonSource.Caption, "the author's caption is still screened");
    }

    [Theory]
    [InlineData("base.jpg", "all-schemas.args")]
    [InlineData("base.png", "mwg-faces.args")]
    [InlineData("base.webp", "all-schemas.args")]
    [InlineData("base.heic", "all-schemas.args")]
    public void A_tagged_photo_cut_at_any_point_is_unreadable_and_cannot_be_published(string baseImage, string args)
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag(baseImage, args));

        // Act
        var results = Enumerable.Range(1, photo.Length - 1)
            .Select(n => (n, read: PhotoMetadataReader.Read(photo[..n]), strip: PhotoSanitiser.StripForPublishing(photo[..n])))
            .ToList();

        // Assert
        results.Where(r => r.read.Readable).Select(r => r.n).Should().BeEmpty();
        results.Where(r => r.strip.Succeeded).Select(r => r.n).Should().BeEmpty();
    }

    [Theory]
    [InlineData("base.jpg", "all-schemas.args")]
    [InlineData("base.png", "mwg-faces.args")]
    [InlineData("base.webp", "all-schemas.args")]
    [InlineData("base.heic", "all-schemas.args")]
    public void Flipped_bytes_anywhere_never_throw_and_never_publish_the_tags(string baseImage, string args)
    {
        // Arrange
        var photo = File.ReadAllBytes(_fixtures.Tag(baseImage, args));
        var random = new Random(42);

        // Act
        var outcomes = Enumerable.Range(0, 300).Select(_ =>
        {
            var copy = (byte[])photo.Clone();
            copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
            return (read: PhotoMetadataReader.Read(copy), strip: PhotoSanitiser.StripForPublishing(copy));
        }).ToList();

        // Assert
        outcomes.Should().OnlyContain(o => o.read.Readable || o.read.Error != null);
        outcomes.Where(o => o.strip.Succeeded).Select(o => PhotoMetadataReader.Read(o.strip.Image!))
            .Where(r => r.People.Count > 0 || r.FaceRegions > 0 || r.Location.DisclosesAnything)
            .Should().BeEmpty();
    }

    [Theory]
    [InlineData("large.jpg")]
    [InlineData("large.png")]
    [InlineData("large.webp")]
    public void A_20_megabyte_photo_is_read_without_copying_its_pixels(string name)
    {
        // Arrange
        var path = PhotoFixtures.TagFile(_fixtures.Noise(name, 2600), "person-in-image.args");
        var photo = File.ReadAllBytes(path);
        photo.Length.Should().BeGreaterThan(19_000_000);

        // Act
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = PhotoMetadataReader.Read(photo);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Assert
        read.Readable.Should().BeTrue(read.Error);
        read.People.Select(p => p.Name).Should().Equal(Olivia, Zoe);
        allocated.Should().BeLessThan(2_000_000, "the pixel data is skipped, not copied");
    }
}
