using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Safeguarding.Evidence;

/// <summary>A file handed over with a case: a screenshot, or media a connector fetched from the platform.</summary>
public sealed record EvidenceFile(string FileName, string ContentType, byte[] Content, string? SourceUrl = null);

/// <summary>What the person opening a case adds to the item: a raw platform payload and address (else the item's own, as ingested) and files.</summary>
public sealed record EvidenceInput(string? Payload, string? Url, IReadOnlyList<EvidenceFile> Files)
{
    public static EvidenceInput None { get; } = new(null, null, []);
}

/// <summary>
/// Takes a case's evidence snapshot when it opens: the item's facts (platform ids, address, author, timestamps), its
/// original text, the raw payload and every media file, each with its SHA-256, and the SHA-256 of the whole manifest.
/// For suspected child sexual abuse material the media is hashed in memory and only the hash, length and address are
/// kept: the bytes are never written, and any copy the item already held is wiped (DOMAIN.md "Safeguarding").
/// </summary>
public static class EvidenceCapture
{
    public const int MaxFiles = 10;
    public const long MaxFileBytes = 20L * 1024 * 1024;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task CaptureAsync(
        ModerationDbContext db, SafeguardingCase c, ModerationItem? item, EvidenceInput input, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(input);

        // The platform's own JSON and the comment's address, as the connector stored them on arrival, unless the
        // person opening the case supplied their own.
        input = input with { Payload = input.Payload ?? item?.PlatformPayload, Url = input.Url ?? item?.PlatformUrl };
        var withhold = CaseCategories.WithholdsMedia(c.Category);
        var parts = new List<EvidencePart>();
        void Add(EvidenceKind kind, string name, string contentType, byte[] content, bool withheld = false, string? url = null) =>
            parts.Add(new EvidencePart
            {
                Id = Guid.CreateVersion7(now),
                CaseId = c.Id,
                Position = parts.Count + 1,
                Kind = kind,
                Name = name,
                ContentType = contentType,
                Length = content.LongLength,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                Content = withheld ? null : content,
                Withheld = withheld,
                SourceUrl = url,
                CapturedAt = now,
            });

        var media = new List<(string Name, string ContentType, byte[] Content, string? Url)>();
        if (item is not null)
        {
            var stored = await db.ItemMedia.Where(m => m.ItemId == item.Id).OrderBy(m => m.Id).ToListAsync(ct);
            foreach (var m in stored)
            {
                media.Add((m.FileName, m.ContentType, m.Content, null));
                if (withhold)
                {
                    Wipe(m);
                }
            }
        }

        media.AddRange(input.Files.Select(f => (f.FileName, f.ContentType, f.Content, f.SourceUrl)));
        var account = item?.SocialAccountId is { } accountId
            ? await db.SocialAccounts.AsNoTracking().Where(a => a.Id == accountId)
                .Select(a => new { id = a.Id, platform = a.Platform.ToString(), handle = a.Handle, externalId = a.ExternalId }).FirstOrDefaultAsync(ct)
            : null;
        var facts = new
        {
            caseId = c.Id,
            schoolId = c.SchoolId,
            itemId = item?.Id,
            kind = item?.Kind.ToString(),
            platform = item?.Platform?.ToString(),
            account,
            platformItemId = item?.PlatformItemId,
            url = input.Url,
            author = item is null ? null : new { platformId = item.AuthorPlatformId, displayName = item.AuthorName, staffAuthorId = item.DraftAuthorId },
            timestamps = new { receivedAt = item?.ReceivedAt, updatedAt = item?.UpdatedAt, decidedAt = item?.DecidedAt, capturedAt = now },
            media = media.Select((m, i) => new { name = MediaName(i, m.Name), contentType = m.ContentType, length = m.Content.LongLength, url = m.Url, withheld = withhold }),
        };
        Add(EvidenceKind.Item, "evidence/item.json", "application/json", JsonSerializer.SerializeToUtf8Bytes(facts, s_json), url: input.Url);
        if (item is not null)
        {
            Add(EvidenceKind.Text, "evidence/text.txt", "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(item.Text));
        }

        if (input.Payload is { } payload)
        {
            Add(EvidenceKind.Payload, "evidence/payload.json", "application/json", Encoding.UTF8.GetBytes(payload), url: input.Url);
        }

        for (var i = 0; i < media.Count; i++)
        {
            var m = media[i];
            Add(EvidenceKind.Media, MediaName(i, m.Name), m.ContentType, m.Content, withhold, m.Url);
        }

        db.EvidenceParts.AddRange(parts);
        c.EvidenceCapturedAt = now;
        c.EvidenceSha256 = EvidenceManifest.BundleHash(parts.Select(EvidenceManifest.Entry.From));
    }

    /// <summary>
    /// A case recategorised as suspected child sexual abuse material: every stored media part, and the item's own copy,
    /// loses its bytes and keeps its hash. The bundle hash is recomputed (a part's withheld mark is part of it); the
    /// caller audits both hashes. Returns how many parts were wiped.
    /// </summary>
    public static async Task<int> WithholdMediaAsync(ModerationDbContext db, SafeguardingCase c, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(c);
        var parts = await db.EvidenceParts.Where(p => p.CaseId == c.Id).OrderBy(p => p.Position).ToListAsync(ct);
        var wiped = 0;
        foreach (var p in parts.Where(p => p.Kind == EvidenceKind.Media && !p.Withheld))
        {
            p.Content = null;
            p.Withheld = true;
            wiped++;
        }

        if (c.ItemId is { } itemId)
        {
            foreach (var m in await db.ItemMedia.Where(m => m.ItemId == itemId).ToListAsync(ct))
            {
                Wipe(m);
            }
        }

        c.EvidenceSha256 = EvidenceManifest.BundleHash(parts.Select(EvidenceManifest.Entry.From));
        return wiped;
    }

    /// <summary>The copy a staff draft brought in is wiped: only its hash (already on the row) stays.</summary>
    private static void Wipe(ItemMedia m)
    {
        m.Content = [];
        m.PublishableContent = null;
        m.Verdict = "Withheld";
    }

    private static string MediaName(int index, string fileName)
    {
        var safe = new string([.. Path.GetFileName(fileName).Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_' ? ch : '_')]);
        return string.Create(CultureInfo.InvariantCulture, $"evidence/media/{index + 1:00}-{(safe.Length == 0 ? "file" : safe)}");
    }
}
