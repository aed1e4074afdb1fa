using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Moderation.Domain.Safeguarding.Evidence;

/// <summary>The list of a snapshot's parts and the one hash over all of them.</summary>
public static class EvidenceManifest
{
    public const string Format = "moderation-evidence/1";

    public sealed record Entry(string Name, string Kind, string ContentType, long Length, string Sha256, bool Withheld, string? SourceUrl)
    {
        public static Entry From(EvidencePart p)
        {
            ArgumentNullException.ThrowIfNull(p);
            return new(p.Name, p.Kind.ToString(), p.ContentType, p.Length, p.Sha256, p.Withheld, p.SourceUrl);
        }
    }

    /// <summary>
    /// SHA-256 over one line per part, in order: name, length, SHA-256 and whether it was withheld. It changes if a part
    /// is added, removed, renamed or altered.
    /// </summary>
    public static string BundleHash(IEnumerable<Entry> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var text = new StringBuilder();
        foreach (var p in parts)
        {
            text.Append(CultureInfo.InvariantCulture, $"{p.Name}\t{p.Length}\t{p.Sha256}\t{(p.Withheld ? "withheld" : "stored")}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
