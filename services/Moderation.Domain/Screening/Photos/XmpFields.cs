using XmpCore;

namespace Moderation.Domain.Screening.Photos;

/// <summary>
/// Typed reads of the XMP fields screening needs. XmpCore's path lookups throw on a prefix it has not registered, and a
/// file may have registered its own prefix for a namespace first, so every path is composed from the prefix the
/// registry actually holds (FIXTURES.md "Reading with MetadataExtractor").
/// </summary>
internal static class XmpFields
{
    public const string IptcExt = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
    public const string IptcCore = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";
    public const string MwgRegions = "http://www.metadataworkinggroup.com/schemas/regions/";
    public const string StArea = "http://ns.adobe.com/xmp/sType/Area#";
    public const string StDim = "http://ns.adobe.com/xap/1.0/sType/Dimensions#";
    public const string MicrosoftPhoto = "http://ns.microsoft.com/photo/1.2/";
    public const string MicrosoftRegionInfo = "http://ns.microsoft.com/photo/1.2/t/RegionInfo#";
    public const string MicrosoftRegion = "http://ns.microsoft.com/photo/1.2/t/Region#";
    public const string Plus = "http://ns.useplus.org/ldf/xmp/1.0/";
    public const string DublinCore = "http://purl.org/dc/elements/1.1/";
    public const string Photoshop = "http://ns.adobe.com/photoshop/1.0/";
    public const string Aux = "http://ns.adobe.com/exif/1.0/aux/";
    public const string Exif = "http://ns.adobe.com/exif/1.0/";

    private static readonly Dictionary<string, string> s_prefixes = Register();

    /// <summary>Registers the namespaces once; the static initialiser runs before any lookup.</summary>
    private static Dictionary<string, string> Register()
    {
        (string Uri, string Prefix)[] wanted =
        [
            (IptcExt, "Iptc4xmpExt"), (IptcCore, "Iptc4xmpCore"), (MwgRegions, "mwg-rs"), (StArea, "stArea"),
            (StDim, "stDim"), (MicrosoftPhoto, "MP"), (MicrosoftRegionInfo, "MPRI"), (MicrosoftRegion, "MPReg"),
            (Plus, "plus"), (DublinCore, "dc"), (Photoshop, "photoshop"), (Aux, "aux"), (Exif, "exif"),
        ];
        var registry = XmpMetaFactory.SchemaRegistry;
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (uri, prefix) in wanted)
        {
            // Returns the prefix already registered for the namespace, if any, so it is the one paths must use.
            var actual = registry.RegisterNamespace(uri, prefix);
            prefixes[uri] = actual.TrimEnd(':');
        }

        return prefixes;
    }

    /// <summary>A qualified name such as <c>mwg-rs:RegionList</c> with the registered prefix.</summary>
    public static string Name(string ns, string localName) => s_prefixes[ns] + ":" + localName;

    public static string Field(string structPath, string fieldNs, string fieldName) =>
        structPath + XmpPathFactory.ComposeStructFieldPath(fieldNs, fieldName);

    public static string Item(string arrayPath, int index) => XmpPathFactory.ComposeArrayItemPath(arrayPath, index);

    public static int Count(IXmpMeta meta, string ns, string arrayPath)
    {
        var node = meta.GetProperty(ns, arrayPath);
        return node is not null && node.Options.IsArray ? meta.CountArrayItems(ns, arrayPath) : 0;
    }

    /// <summary>A simple value, the default (or first) entry of a language alternative, or the first item of a list.</summary>
    public static string? Text(IXmpMeta meta, string ns, string path)
    {
        var node = meta.GetProperty(ns, path);
        if (node is null)
        {
            return null;
        }

        if (!node.Options.IsArray)
        {
            return node.Options.IsStruct ? null : Clean(node.Value);
        }

        if (node.Options.IsArrayAltText)
        {
            var text = meta.GetLocalizedText(ns, path, null, "x-default");
            if (Clean(text?.Value) is { } localised)
            {
                return localised;
            }
        }

        return meta.CountArrayItems(ns, path) > 0 ? Clean(meta.GetArrayItem(ns, path, 1)?.Value) : null;
    }

    /// <summary>Every item of a bag or sequence of text; a simple value counts as a one-item list.</summary>
    public static IReadOnlyList<string> Texts(IXmpMeta meta, string ns, string path)
    {
        var node = meta.GetProperty(ns, path);
        if (node is null)
        {
            return [];
        }

        if (!node.Options.IsArray || node.Options.IsArrayAltText)
        {
            return Text(meta, ns, path) is { } single ? [single] : [];
        }

        var values = new List<string>();
        var count = meta.CountArrayItems(ns, path);
        for (var i = 1; i <= count; i++)
        {
            if (Clean(meta.GetArrayItem(ns, path, i)?.Value) is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
