using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Tests.Photos;

/// <summary>
/// GPS and other location data are stripped before publishing (000, question 4). exiftool is the oracle that nothing is
/// left; ImageMagick that the picture itself is untouched.
/// </summary>
public sealed partial class PhotoSanitiserTests : IDisposable
{
    private readonly PhotoFixtures _fixtures = new();

    public void Dispose() => _fixtures.Dispose();

    [Theory]
    [InlineData("base.jpg", "image/jpeg")]
    [InlineData("base-progressive.jpg", "image/jpeg")]
    [InlineData("base-icc.jpg", "image/jpeg")]
    [InlineData("base.png", "image/png")]
    [InlineData("base.webp", "image/webp")]
    [InlineData("base-alpha.webp", "image/webp")]
    public void Everything_revealing_is_stripped_and_the_picture_is_unchanged(string baseImage, string format)
    {
        // Arrange
        var tagged = _fixtures.Tag(baseImage, "everything.args", "location-owner.args", "all-schemas.args");
        var before = PhotoFixtures.ExifToolJson(tagged);
        RevealingTags(before).Should().Contain(t => t.Contains("GPS", StringComparison.Ordinal), "the fixture must carry GPS to prove anything");
        RevealingTags(before).Should().Contain(t => t.Contains("PersonInImage", StringComparison.Ordinal));

        // Act
        var result = PhotoSanitiser.StripForPublishing(File.ReadAllBytes(tagged));

        // Assert
        result.Outcome.Should().Be(SanitiseOutcome.Stripped, string.Join("; ", result.Problems));
        result.Format.Should().Be(format);
        result.Removed.Should().NotBeEmpty();
        var stripped = _fixtures.Write("stripped-" + baseImage, result.Image!);
        var after = PhotoFixtures.ExifToolJson(stripped, "-validate", "-warning", "-error");
        RevealingTags(after).Should().BeEmpty();
        after.TryGetProperty("ExifTool:Error", out _).Should().BeFalse();
        after.TryGetProperty("ExifTool:Warning", out _).Should().BeFalse();
        after.GetProperty("ExifTool:Validate").GetString().Should().Be("OK");
        PhotoFixtures.DifferingPixels(tagged, stripped).Should().Be(0);

        var reread = PhotoMetadataReader.Read(result.Image!);
        reread.Readable.Should().BeTrue(reread.Error);
        reread.People.Should().BeEmpty();
        reread.FaceRegions.Should().Be(0);
        reread.Location.DisclosesAnything.Should().BeFalse();
    }

    [Fact]
    public void A_jpeg_keeps_its_jfif_header_and_icc_profile()
    {
        // Arrange
        var tagged = _fixtures.Tag("base-icc.jpg", "everything.args");

        // Act
        var result = PhotoSanitiser.StripForPublishing(File.ReadAllBytes(tagged));

        // Assert
        var after = PhotoFixtures.ExifToolJson(_fixtures.Write("icc.jpg", result.Image!));
        after.GetProperty("ICC_Profile:ProfileDescription").GetString().Should().Contain("sGray");
        after.TryGetProperty("JFIF:JFIFVersion", out _).Should().BeTrue();
        result.Removed.Should().Contain(["APP1 Exif", "APP1 XMP", "APP13 Photoshop/IPTC", "COM comment"]);
    }

    [Fact]
    public void Webp_loses_its_exif_and_xmp_chunks_flags_and_bytes_and_its_riff_size_is_fixed()
    {
        // Arrange
        var tagged = File.ReadAllBytes(_fixtures.Tag("base-alpha.webp", "everything.args"));
        (tagged[20] & (WebPContainer.ExifFlag | WebPContainer.XmpFlag)).Should().NotBe(0, "exiftool sets the flags when it adds metadata");

        // Act
        var result = PhotoSanitiser.StripForPublishing(tagged);

        // Assert
        var image = result.Image!;
        BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(4)).Should().Be((uint)(image.Length - 8));
        image.AsSpan(12, 4).SequenceEqual("VP8X"u8).Should().BeTrue();
        (image[20] & (WebPContainer.ExifFlag | WebPContainer.XmpFlag)).Should().Be(0);
        (image[20] & 0x10).Should().NotBe(0, "the alpha flag stays");
        result.Removed.Should().BeEquivalentTo("EXIF", "XMP");
        image.AsSpan().IndexOf("Olivia"u8).Should().Be(-1);
    }

    [Fact]
    public void Png_loses_its_text_and_exif_chunks()
    {
        // Arrange
        var tagged = File.ReadAllBytes(_fixtures.Tag("base.png", "everything.args", "captions.args"));

        // Act
        var result = PhotoSanitiser.StripForPublishing(tagged);

        // Assert
        result.Removed.Should().Contain(["iTXt", "zTXt", "tEXt", "eXIf"]);
        result.Image!.AsSpan().IndexOf("Olivia"u8).Should().Be(-1);
        result.Image!.AsSpan().IndexOf("Davies"u8).Should().Be(-1);
    }

    [Fact]
    public void The_exif_thumbnail_which_can_show_the_uncropped_photo_goes_with_the_exif()
    {
        // Arrange
        var args = _fixtures.Write("thumbnail.args", System.Text.Encoding.UTF8.GetBytes(
            $"-overwrite_original\n-ThumbnailImage<={PhotoFixtures.BasePath("base-progressive.jpg")}\n"));
        var tagged = _fixtures.Tag("base.jpg", args);
        PhotoFixtures.ExifToolJson(tagged).TryGetProperty("IFD1:ThumbnailImage", out _).Should().BeTrue();

        // Act
        var result = PhotoSanitiser.StripForPublishing(File.ReadAllBytes(tagged));

        // Assert
        var after = PhotoFixtures.ExifToolJson(_fixtures.Write("no-thumbnail.jpg", result.Image!));
        after.TryGetProperty("IFD1:ThumbnailImage", out _).Should().BeFalse();
        result.Image!.Length.Should().Be((int)new FileInfo(PhotoFixtures.BasePath("base.jpg")).Length);
    }

    [Fact]
    public void Bytes_hidden_after_the_end_of_a_jpeg_are_dropped()
    {
        // Arrange: some phones append preview images (and their Exif) after the end marker.
        var photo = File.ReadAllBytes(PhotoFixtures.BasePath("base.jpg")).Concat("Exif GPS 52.68N 2.45W"u8.ToArray()).ToArray();

        // Act
        var result = PhotoSanitiser.StripForPublishing(photo);

        // Assert
        result.Succeeded.Should().BeTrue();
        result.Image![^2..].Should().Equal(0xFF, 0xD9);
        result.Image!.AsSpan().IndexOf("GPS"u8).Should().Be(-1);
    }

    [Fact]
    public void Stripping_twice_changes_nothing_more()
    {
        // Arrange
        var once = PhotoSanitiser.StripForPublishing(File.ReadAllBytes(_fixtures.Tag("base.jpg", "everything.args")));

        // Act
        var twice = PhotoSanitiser.StripForPublishing(once.Image!);

        // Assert
        twice.Image.Should().Equal(once.Image);
        twice.Removed.Should().BeEmpty();
    }

    [Fact]
    public void Heic_cannot_be_stripped_here_and_says_so()
    {
        // Arrange
        var tagged = File.ReadAllBytes(_fixtures.Tag("base.heic", "everything.args"));

        // Act
        var result = PhotoSanitiser.StripForPublishing(tagged);

        // Assert
        result.Outcome.Should().Be(SanitiseOutcome.Unsupported);
        result.Succeeded.Should().BeFalse();
        result.Image.Should().BeNull();
        result.Format.Should().Be("image/heic");
        result.Problems.Single().Should().Contain("HEIC");
    }

    public static TheoryData<string, byte[]> BrokenFiles() => PhotoMetadataReaderTests.BrokenFiles();

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_files_are_refused_not_thrown(string what, byte[] bytes)
    {
        // Act
        var result = PhotoSanitiser.StripForPublishing(bytes);

        // Assert
        result.Succeeded.Should().BeFalse(what);
        result.Image.Should().BeNull();
        result.Outcome.Should().BeOneOf(SanitiseOutcome.Corrupt, SanitiseOutcome.Unsupported);
        result.Problems.Should().NotBeEmpty();
    }

    [Fact]
    public void Verify_reports_what_a_tagged_photo_still_reveals()
    {
        // Arrange
        var tagged = File.ReadAllBytes(_fixtures.Tag("base.jpg", "everything.args"));

        // Act
        var problems = PhotoSanitiser.Verify(tagged);

        // Assert
        problems.Should().Contain("GPS position still present")
            .And.Contain("camera owner still present")
            .And.Contain(p => p.StartsWith("location names still present", StringComparison.Ordinal))
            .And.Contain("people, keywords, captions or face regions still present");
    }

    [Fact]
    public void A_20_megabyte_photo_is_stripped_and_still_decodes()
    {
        // Arrange
        var path = PhotoFixtures.TagFile(_fixtures.Noise("large.jpg", 2600), "everything.args");

        // Act
        var result = PhotoSanitiser.StripForPublishing(File.ReadAllBytes(path));

        // Assert
        result.Succeeded.Should().BeTrue(string.Join("; ", result.Problems));
        var stripped = _fixtures.Write("large-stripped.jpg", result.Image!);
        RevealingTags(PhotoFixtures.ExifToolJson(stripped)).Should().BeEmpty();
        PhotoFixtures.DifferingPixels(path, stripped).Should().Be(0);
    }

    /// <summary>exiftool tags that place, own or name: by group (Exif, GPS, XMP, IPTC, Photoshop) or by tag name.</summary>
    private static List<string> RevealingTags(JsonElement json) =>
        json.EnumerateObject()
            .Select(p => p.Name)
            .Where(name => RevealingGroup().IsMatch(name) || (RevealingName().IsMatch(name) && !name.StartsWith("ICC", StringComparison.Ordinal)))
            .ToList();

    [GeneratedRegex(@"^(IFD\d|ExifIFD|GPS|InteropIFD|XMP[-\w]*|IPTC|Photoshop|MakerNotes|\w*MPF\w*):")]
    private static partial Regex RevealingGroup();

    [GeneratedRegex(@":\w*(GPS|City|Location|Person|Region|Owner|Artist|Keywords|Subject|Comment|Description|Caption|ModelRelease|Creator|Sub-location|State|Country)", RegexOptions.IgnoreCase)]
    private static partial Regex RevealingName();
}
