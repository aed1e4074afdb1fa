using System.Buffers.Binary;

namespace Moderation.Domain.Screening.Photos;

internal enum PhotoFormat
{
    Unknown,
    Jpeg,
    Png,
    WebP,
    Heic,
}

internal static class PhotoFormats
{
    public static PhotoFormat Detect(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        {
            return PhotoFormat.Jpeg;
        }

        if (b.Length >= 8 && b[..8].SequenceEqual(PngContainer.Signature))
        {
            return PhotoFormat.Png;
        }

        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return PhotoFormat.WebP;
        }

        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("mif1"u8) ||
                brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8))
            {
                return PhotoFormat.Heic;
            }
        }

        return PhotoFormat.Unknown;
    }

    public static string? MimeType(PhotoFormat format) => format switch
    {
        PhotoFormat.Jpeg => "image/jpeg",
        PhotoFormat.Png => "image/png",
        PhotoFormat.WebP => "image/webp",
        PhotoFormat.Heic => "image/heic",
        _ => null,
    };

    /// <summary>
    /// Checks the container and returns what the metadata readers should see. MetadataExtractor copies every PNG and
    /// WebP chunk it meets, pixel data included, so for those formats it is handed a copy without the pixel chunks;
    /// JPEG and HEIC readers skip the pixels themselves.
    /// </summary>
    public static (string? Error, byte[] View) ForMetadata(PhotoFormat format, byte[] data)
    {
        switch (format)
        {
            case PhotoFormat.Png:
            {
                var walk = PngContainer.Walk(data);
                return walk.Error is null ? (null, Concatenate(data, walk.Parts, p => p.Role == PartRole.Other)) : (walk.Error, data);
            }

            case PhotoFormat.WebP:
            {
                var walk = WebPContainer.Walk(data);
                return walk.Error is null ? (null, WebPContainer.Rebuild(data, walk.Parts, p => p.Role == PartRole.Other, clearMetadataFlags: false)) : (walk.Error, data);
            }

            default:
                return (CheckContainer(format, data), data);
        }
    }

    public static byte[] Concatenate(byte[] data, IReadOnlyList<ContainerPart> parts, Func<ContainerPart, bool> include)
    {
        var kept = parts.Where(include).ToList();
        var output = new byte[kept.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in kept)
        {
            data.AsSpan(part.Offset, part.Length).CopyTo(output.AsSpan(at));
            at += part.Length;
        }

        return output;
    }

    /// <summary>Checks the container is whole: every segment, chunk or box inside the file and the end marker present.</summary>
    public static string? CheckContainer(PhotoFormat format, ReadOnlySpan<byte> data) => format switch
    {
        PhotoFormat.Jpeg => JpegContainer.Walk(data).Error,
        PhotoFormat.Png => PngContainer.Walk(data).Error,
        PhotoFormat.WebP => WebPContainer.Walk(data).Error,
        PhotoFormat.Heic => HeifContainer.Check(data),
        _ => "not a JPEG, PNG, WebP or HEIC image",
    };
}

internal enum PartRole
{
    Other,

    /// <summary>Coded pixels: large, and of no interest to the metadata readers.</summary>
    ImageData,

    /// <summary>Bytes after the container's end.</summary>
    Trailer,
}

/// <summary>One segment, chunk or trailer of an image file, and whether publishing keeps it.</summary>
internal readonly record struct ContainerPart(int Offset, int Length, bool Keep, string Label, PartRole Role = PartRole.Other);

internal sealed record ContainerWalk(string? Error, IReadOnlyList<ContainerPart> Parts)
{
    public static ContainerWalk Failed(string error) => new(error, []);
}

/// <summary>
/// JPEG segments. Publishing keeps the JFIF header (APP0), the ICC profile (APP2), Adobe's colour transform (APP14) and
/// everything that codes the picture; it drops every other APPn (Exif with GPS and thumbnail, XMP, Photoshop/IPTC, MPF
/// previews), comments, and anything after the end-of-image marker.
/// </summary>
internal static class JpegContainer
{
    public static ContainerWalk Walk(ReadOnlySpan<byte> d)
    {
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8)
        {
            return ContainerWalk.Failed("not a JPEG: no start-of-image marker");
        }

        var parts = new List<ContainerPart> { new(0, 2, true, "SOI") };
        var pos = 2;
        var sawScan = false;
        while (true)
        {
            if (pos >= d.Length)
            {
                return ContainerWalk.Failed("truncated JPEG: the end-of-image marker is missing");
            }

            if (d[pos] != 0xFF)
            {
                return ContainerWalk.Failed($"corrupt JPEG: expected a marker at offset {pos}");
            }

            // Any number of 0xFF fill bytes may precede a marker.
            var start = pos;
            while (pos + 1 < d.Length && d[pos + 1] == 0xFF)
            {
                pos++;
            }

            if (pos + 1 >= d.Length)
            {
                return ContainerWalk.Failed("truncated JPEG: the end-of-image marker is missing");
            }

            var marker = d[pos + 1];
            if (marker == 0xD9)
            {
                if (!sawScan)
                {
                    return ContainerWalk.Failed("corrupt JPEG: no image data before the end-of-image marker");
                }

                parts.Add(new(pos, 2, true, "EOI"));
                var trailer = d.Length - pos - 2;
                if (trailer > 0)
                {
                    parts.Add(new(pos + 2, trailer, false, $"{trailer} bytes after the end of the image", PartRole.Trailer));
                }

                return new(null, parts);
            }

            if (marker is (>= 0xD0 and <= 0xD7) or 0x01)
            {
                parts.Add(new(start, pos + 2 - start, true, "RST"));
                pos += 2;
                continue;
            }

            if (pos + 4 > d.Length)
            {
                return ContainerWalk.Failed("truncated JPEG: a segment header is cut off");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(d[(pos + 2)..]);
            var end = pos + 2 + length;
            if (length < 2 || end > d.Length)
            {
                return ContainerWalk.Failed($"truncated JPEG: segment 0x{marker:X2} at offset {pos} runs past the end of the file");
            }

            if (marker == 0xDA)
            {
                var scanEnd = ScanEnd(d, end);
                if (scanEnd < 0)
                {
                    return ContainerWalk.Failed("truncated JPEG: the image data stops before the end-of-image marker");
                }

                sawScan = true;
                parts.Add(new(start, scanEnd - start, true, "SOS", PartRole.ImageData));
                pos = scanEnd;
                continue;
            }

            var body = d[(pos + 4)..end];
            var (keep, label) = Classify(marker, body);
            parts.Add(new(start, end - start, keep, label));
            pos = end;
        }
    }

    /// <summary>The offset of the first marker after entropy-coded data, or -1 when the file ends first.</summary>
    private static int ScanEnd(ReadOnlySpan<byte> d, int i)
    {
        while (i + 1 < d.Length)
        {
            if (d[i] != 0xFF)
            {
                i++;
                continue;
            }

            var next = d[i + 1];
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
            {
                i += 2;
            }
            else if (next == 0xFF)
            {
                i++;
            }
            else
            {
                return i;
            }
        }

        return -1;
    }

    private static (bool Keep, string Label) Classify(byte marker, ReadOnlySpan<byte> body) => marker switch
    {
        // A JFIF header may carry its own thumbnail, which can show what the published crop leaves out.
        0xE0 when body.StartsWith("JFIF\0"u8) && (body.Length < 14 || (body[12] == 0 && body[13] == 0)) => (true, "APP0 JFIF"),
        0xE0 when body.StartsWith("JFIF\0"u8) => (false, "APP0 JFIF with thumbnail"),
        0xE0 when body.StartsWith("JFXX\0"u8) => (false, "APP0 JFXX thumbnail"),
        0xE1 when body.StartsWith("Exif\0"u8) => (false, "APP1 Exif"),
        0xE1 when body.StartsWith("http://ns.adobe.com/xap/1.0/\0"u8) => (false, "APP1 XMP"),
        0xE1 when body.StartsWith("http://ns.adobe.com/xmp/extension/\0"u8) => (false, "APP1 extended XMP"),
        0xE2 when body.StartsWith("ICC_PROFILE\0"u8) => (true, "APP2 ICC profile"),
        0xE2 when body.StartsWith("MPF\0"u8) => (false, "APP2 MPF"),
        0xED when body.StartsWith("Photoshop 3.0\0"u8) => (false, "APP13 Photoshop/IPTC"),
        0xEE when body.StartsWith("Adobe"u8) => (true, "APP14 Adobe"),
        >= 0xE0 and <= 0xEF => (false, $"APP{marker - 0xE0}"),
        0xFE => (false, "COM comment"),
        _ => (true, $"0x{marker:X2}"),
    };
}

/// <summary>
/// PNG chunks. Publishing keeps the chunks that code or colour the picture (and APNG frames) and drops the rest:
/// eXIf, tEXt, iTXt, zTXt, tIME and any private ancillary chunk.
/// </summary>
internal static class PngContainer
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly HashSet<string> s_keptAncillary =
    [
        "tRNS", "cHRM", "gAMA", "iCCP", "sBIT", "sRGB", "cICP", "mDCv", "cLLi", "bKGD", "hIST", "pHYs", "sPLT",
        "acTL", "fcTL", "fdAT",
    ];

    public static ContainerWalk Walk(ReadOnlySpan<byte> d)
    {
        if (d.Length < 8 || !d[..8].SequenceEqual(Signature))
        {
            return ContainerWalk.Failed("not a PNG: no signature");
        }

        var parts = new List<ContainerPart> { new(0, 8, true, "signature") };
        var pos = 8;
        var first = true;
        while (true)
        {
            if (pos + 12 > d.Length)
            {
                return ContainerWalk.Failed("truncated PNG: the IEND chunk is missing");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(d[pos..]);
            var typeBytes = d.Slice(pos + 4, 4);
            if (!IsChunkType(typeBytes))
            {
                return ContainerWalk.Failed($"corrupt PNG: bad chunk type at offset {pos}");
            }

            var type = System.Text.Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue || pos + 12L + length > d.Length)
            {
                return ContainerWalk.Failed($"truncated PNG: chunk {type} runs past the end of the file");
            }

            var total = 12 + (int)length;
            var crcStored = BinaryPrimitives.ReadUInt32BigEndian(d[(pos + 8 + (int)length)..]);
            if (Crc32.Compute(d.Slice(pos + 4, 4 + (int)length)) != crcStored)
            {
                return ContainerWalk.Failed($"corrupt PNG: chunk {type} fails its CRC");
            }

            if (first && type != "IHDR")
            {
                return ContainerWalk.Failed("corrupt PNG: the first chunk is not IHDR");
            }

            first = false;
            var critical = (typeBytes[0] & 0x20) == 0;
            var keep = critical || s_keptAncillary.Contains(type);
            parts.Add(new(pos, total, keep, type, type is "IDAT" or "fdAT" ? PartRole.ImageData : PartRole.Other));
            pos += total;
            if (type == "IEND")
            {
                if (pos < d.Length)
                {
                    parts.Add(new(pos, d.Length - pos, false, $"{d.Length - pos} bytes after IEND", PartRole.Trailer));
                }

                return new(null, parts);
            }
        }
    }

    private static bool IsChunkType(ReadOnlySpan<byte> t)
    {
        foreach (var b in t)
        {
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// WebP's RIFF chunks. Publishing keeps VP8X, VP8, VP8L, ALPH, ANIM, ANMF and ICCP and drops EXIF, XMP and unknown
/// chunks; the sanitiser then fixes the RIFF size and clears VP8X's Exif and XMP flags.
/// </summary>
internal static class WebPContainer
{
    public const byte XmpFlag = 0x04;
    public const byte ExifFlag = 0x08;

    private static readonly HashSet<string> s_kept = ["VP8X", "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF", "ICCP"];

    /// <summary>A new RIFF container around the chosen chunks, with its size fixed and, if asked, VP8X's Exif and XMP flags cleared.</summary>
    public static byte[] Rebuild(byte[] data, IReadOnlyList<ContainerPart> parts, Func<ContainerPart, bool> include, bool clearMetadataFlags)
    {
        var kept = parts.Where(p => p.Role != PartRole.Trailer && include(p)).ToList();
        var output = new byte[12 + kept.Sum(p => p.Length)];
        "RIFF"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)(output.Length - 8));
        "WEBP"u8.CopyTo(output.AsSpan(8));
        var at = 12;
        foreach (var part in kept)
        {
            var chunk = output.AsSpan(at, part.Length);
            data.AsSpan(part.Offset, part.Length).CopyTo(chunk);
            if (clearMetadataFlags && chunk[..4].SequenceEqual("VP8X"u8))
            {
                chunk[8] &= unchecked((byte)~(ExifFlag | XmpFlag));
            }

            at += part.Length;
        }

        return output;
    }

    public static ContainerWalk Walk(ReadOnlySpan<byte> d)
    {
        if (d.Length < 12 || !d[..4].SequenceEqual("RIFF"u8) || !d[8..12].SequenceEqual("WEBP"u8))
        {
            return ContainerWalk.Failed("not a WebP: no RIFF/WEBP header");
        }

        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(d[4..]);
        if (riffEnd > d.Length)
        {
            return ContainerWalk.Failed("truncated WebP: the file is shorter than its RIFF header says");
        }

        var parts = new List<ContainerPart>();
        var pos = 12;
        var hasImage = false;
        while (pos < riffEnd)
        {
            if (pos + 8 > riffEnd)
            {
                return ContainerWalk.Failed($"corrupt WebP: a chunk header is cut off at offset {pos}");
            }

            var fourCc = System.Text.Encoding.ASCII.GetString(d.Slice(pos, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(d[(pos + 4)..]);
            var padded = 8L + size + (size & 1);
            if (pos + padded > riffEnd)
            {
                return ContainerWalk.Failed($"truncated WebP: chunk {fourCc.TrimEnd()} runs past the end of the file");
            }

            var pixels = fourCc is "VP8 " or "VP8L" or "ANMF" or "ALPH";
            hasImage |= pixels && fourCc != "ALPH";
            parts.Add(new(pos, (int)padded, s_kept.Contains(fourCc), fourCc.TrimEnd(), pixels ? PartRole.ImageData : PartRole.Other));
            pos += (int)padded;
        }

        if (!hasImage)
        {
            return ContainerWalk.Failed("corrupt WebP: no image data");
        }

        if (riffEnd < d.Length)
        {
            parts.Add(new((int)riffEnd, d.Length - (int)riffEnd, false, $"{d.Length - riffEnd} bytes after the RIFF container", PartRole.Trailer));
        }

        return new(null, parts);
    }
}

/// <summary>
/// HEIF/HEIC boxes, checked for completeness only (HEIC is not stripped here): every top-level box inside the file,
/// and every item the <c>iloc</c> box locates (the coded image, Exif, XMP) inside it too.
/// </summary>
internal static class HeifContainer
{
    public static string? Check(ReadOnlySpan<byte> d)
    {
        var meta = -1L;
        var metaEnd = 0L;
        long pos = 0;
        while (pos < d.Length)
        {
            if (!TryBox(d, pos, d.Length, out var type, out var header, out var size))
            {
                return "truncated HEIC: a box runs past the end of the file";
            }

            if (type.SequenceEqual("meta"u8))
            {
                meta = pos + header;
                metaEnd = pos + size;
            }

            pos += size;
        }

        if (meta < 0)
        {
            return "corrupt HEIC: no meta box";
        }

        // meta is a full box: version and flags come before its children.
        for (var child = meta + 4; child < metaEnd;)
        {
            if (!TryBox(d, child, metaEnd, out var type, out var header, out var size))
            {
                return "corrupt HEIC: a box inside meta runs past its end";
            }

            if (type.SequenceEqual("iloc"u8))
            {
                return CheckItemLocations(d, d.Slice((int)(child + header), (int)(size - header)));
            }

            child += size;
        }

        return "corrupt HEIC: no item locations";
    }

    private static bool TryBox(ReadOnlySpan<byte> d, long pos, long end, out ReadOnlySpan<byte> type, out int header, out long size)
    {
        type = default;
        header = 8;
        size = 0;
        if (pos + 8 > end)
        {
            return false;
        }

        size = BinaryPrimitives.ReadUInt32BigEndian(d[(int)pos..]);
        type = d.Slice((int)pos + 4, 4);
        if (size == 1)
        {
            if (pos + 16 > end)
            {
                return false;
            }

            var large = BinaryPrimitives.ReadUInt64BigEndian(d[((int)pos + 8)..]);
            size = large > long.MaxValue ? long.MaxValue : (long)large;
            header = 16;
        }
        else if (size == 0)
        {
            size = end - pos;
        }

        return size >= header && pos + size <= end;
    }

    /// <summary>ISO/IEC 14496-12 §8.11.3: each extent of each item stored in the file must lie inside it.</summary>
    private static string? CheckItemLocations(ReadOnlySpan<byte> d, ReadOnlySpan<byte> iloc)
    {
        var reader = new FieldReader(iloc);
        var version = reader.Read(1);
        reader.Read(3);
        var sizes = reader.Read(2);
        var offsetSize = (int)(sizes >> 12) & 0xF;
        var lengthSize = (int)(sizes >> 8) & 0xF;
        var baseOffsetSize = (int)(sizes >> 4) & 0xF;
        var indexSize = version is 1 or 2 ? (int)sizes & 0xF : 0;
        var items = reader.Read(version < 2 ? 2 : 4);
        for (var i = 0L; i < items && reader.Ok; i++)
        {
            var id = reader.Read(version < 2 ? 2 : 4);
            var construction = version is 1 or 2 ? reader.Read(2) & 0xF : 0;
            reader.Read(2); // data reference index
            var baseOffset = reader.Read(baseOffsetSize);
            var extents = reader.Read(2);
            for (var e = 0L; e < extents && reader.Ok; e++)
            {
                reader.Read(indexSize);
                var offset = reader.Read(offsetSize);
                var length = reader.Read(lengthSize);

                // Construction method 0 points into the file; 1 and 2 point into boxes already checked.
                if (construction == 0 && length > 0 && (ulong)baseOffset + (ulong)offset + (ulong)length > (ulong)d.Length)
                {
                    return $"truncated HEIC: item {id}'s data runs past the end of the file";
                }
            }
        }

        return reader.Ok ? null : "corrupt HEIC: the item locations are cut off";
    }

    private ref struct FieldReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public bool Ok { get; private set; } = true;

        /// <summary>A big-endian unsigned field of 0 to 8 bytes; 0 once the data has run out.</summary>
        public long Read(int bytes)
        {
            if (!Ok || _at + bytes > _data.Length)
            {
                Ok = false;
                return 0;
            }

            ulong value = 0;
            for (var i = 0; i < bytes; i++)
            {
                value = (value << 8) | _data[_at + i];
            }

            _at += bytes;
            return value > long.MaxValue ? long.MaxValue : (long)value;
        }
    }
}

internal static class Crc32
{
    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
