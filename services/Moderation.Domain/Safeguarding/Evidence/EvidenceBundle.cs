using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Safeguarding.Evidence;

/// <summary>A referral as an export shows it.</summary>
public sealed record BundleReferral(string Agency, DateTimeOffset MadeAt, string MadeBy, string? Reference, string? Outcome);

/// <summary>The manifest.json of an export: what the case is, who exported it, and every part with its hash.</summary>
public sealed record BundleManifest(
    string Format,
    Guid CaseId,
    Guid SchoolId,
    string School,
    string Category,
    string Severity,
    string Source,
    string RaisedBy,
    DateTimeOffset RaisedAt,
    string Status,
    bool LegalHold,
    DateTimeOffset? CapturedAt,
    DateTimeOffset ExportedAt,
    string ExportedBy,
    IReadOnlyList<BundleReferral> Referrals,
    IReadOnlyList<EvidenceManifest.Entry> Parts,
    string BundleSha256);

/// <summary>What checking an exported bundle found.</summary>
public sealed record BundleVerification(bool Valid, Guid? CaseId, string? BundleSha256, int FilesChecked, IReadOnlyList<string> Problems);

/// <summary>
/// The evidence export: a zip of <c>manifest.json</c>, every stored part under <c>evidence/</c>, a PDF summary and
/// <c>SHA256SUMS</c> (the format <c>sha256sum -c</c> reads) over all of them. <see cref="Verify"/> checks a bundle
/// offline: each file against SHA256SUMS, each part against the manifest, and the manifest against its bundle hash.
/// Withheld parts (suspected child sexual abuse material) appear in the manifest by hash only, never as files.
/// </summary>
public static class EvidenceBundle
{
    public const string ManifestName = "manifest.json";
    public const string SumsName = "SHA256SUMS";
    public const string SummaryName = "summary.pdf";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<(byte[] Zip, BundleManifest Manifest)> BuildAsync(
        ModerationDbContext db, SafeguardingCase c, string exportedBy, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(c);
        var parts = await db.EvidenceParts.AsNoTracking().Where(p => p.CaseId == c.Id).OrderBy(p => p.Position).ToListAsync(ct);
        var referrals = await db.CaseReferrals.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.MadeAt).ToListAsync(ct);
        var school = await db.Schools.AsNoTracking().Where(s => s.Id == c.SchoolId).Select(s => s.Name).FirstAsync(ct);
        var entries = parts.Select(EvidenceManifest.Entry.From).ToList();
        var manifest = new BundleManifest(
            EvidenceManifest.Format, c.Id, c.SchoolId, school, c.Category, c.Severity.ToString(), c.Source.ToString(), c.RaisedBy, c.RaisedAt,
            c.Status.ToString(), c.LegalHold, c.EvidenceCapturedAt, now, exportedBy,
            [.. referrals.Select(r => new BundleReferral(r.Agency.ToString(), r.MadeAt, r.MadeBy, r.Reference, r.Outcome))],
            entries, c.EvidenceSha256 ?? EvidenceManifest.BundleHash(entries));

        var files = new List<(string Name, byte[] Content)> { (ManifestName, JsonSerializer.SerializeToUtf8Bytes(manifest, s_json)) };
        files.AddRange(parts.Where(p => !p.Withheld && p.Content is not null).Select(p => (p.Name, p.Content!)));
        files.Add((SummaryName, EvidencePdf.Render(manifest)));
        var sums = string.Concat(files.Select(f => $"{Sha256(f.Content)}  {f.Name}\n"));
        files.Add((SumsName, Encoding.UTF8.GetBytes(sums)));

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = now;
                await using var stream = entry.Open();
                await stream.WriteAsync(content, ct);
            }
        }

        return (buffer.ToArray(), manifest);
    }

    /// <summary>Checks a bundle without the database: it is valid only if there are no problems at all.</summary>
    public static BundleVerification Verify(Stream bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var problems = new List<string>();
        Dictionary<string, byte[]> files;
        try
        {
            using var zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
            files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries.Where(e => !e.FullName.EndsWith('/')))
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                if (!files.TryAdd(entry.FullName, copy.ToArray()))
                {
                    problems.Add($"{entry.FullName} appears twice");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            return new BundleVerification(false, null, null, 0, [$"not a readable zip archive: {ex.Message}"]);
        }

        if (!files.TryGetValue(SumsName, out var sumsBytes))
        {
            problems.Add($"{SumsName} is missing");
        }
        else
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in Encoding.UTF8.GetString(sumsBytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var split = line.IndexOf("  ", StringComparison.Ordinal);
                if (split != 64)
                {
                    problems.Add($"{SumsName} has a line that is not 'sha256  name': {line}");
                    continue;
                }

                var (hash, name) = (line[..64], line[66..]);
                listed.Add(name);
                if (!files.TryGetValue(name, out var content))
                {
                    problems.Add($"{name} is listed in {SumsName} but missing");
                }
                else if (Sha256(content) != hash)
                {
                    problems.Add($"{name} has been changed: its SHA-256 is {Sha256(content)}, not {hash}");
                }
            }

            problems.AddRange(files.Keys.Where(f => f != SumsName && !listed.Contains(f)).Select(f => $"{f} was added: it is not in {SumsName}"));
        }

        BundleManifest? manifest = null;
        if (!files.TryGetValue(ManifestName, out var manifestBytes))
        {
            problems.Add($"{ManifestName} is missing");
        }
        else
        {
            try
            {
                manifest = JsonSerializer.Deserialize<BundleManifest>(manifestBytes, s_json);
            }
            catch (JsonException ex)
            {
                problems.Add($"{ManifestName} is not readable: {ex.Message}");
            }
        }

        if (manifest?.Parts is { } parts)
        {
            if (manifest.Format != EvidenceManifest.Format)
            {
                problems.Add($"unknown format '{manifest.Format}'");
            }

            foreach (var part in parts)
            {
                files.TryGetValue(part.Name, out var content);
                if (part.Withheld)
                {
                    if (content is not null)
                    {
                        problems.Add($"{part.Name} was withheld at capture but the bundle carries a file by that name");
                    }
                }
                else if (content is null)
                {
                    problems.Add($"{part.Name} is in the manifest but missing");
                }
                else if (content.LongLength != part.Length || Sha256(content) != part.Sha256)
                {
                    problems.Add($"{part.Name} does not match the manifest's SHA-256 {part.Sha256}");
                }
            }

            var recomputed = EvidenceManifest.BundleHash(parts);
            if (recomputed != manifest.BundleSha256)
            {
                problems.Add($"the manifest's parts hash to {recomputed}, not the recorded bundle SHA-256 {manifest.BundleSha256}");
            }
        }

        return new BundleVerification(problems.Count == 0, manifest?.CaseId, manifest?.BundleSha256, files.Count, problems);
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    internal static string Describe(EvidenceManifest.Entry p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Name} ({p.ContentType}, {p.Length} bytes){(p.Withheld ? " WITHHELD, never stored" : "")}");
}
