using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Api.Safeguarding;

public sealed record EvidencePartDto(
    Guid Id, int Position, EvidenceKind Kind, string Name, string ContentType, long Length, string Sha256, bool Withheld, string? SourceUrl, DateTimeOffset CapturedAt);

/// <summary>A case's evidence snapshot: its parts and hashes, and whether what is stored still matches them.</summary>
public sealed record EvidenceDto(Guid CaseId, DateTimeOffset? CapturedAt, string? BundleSha256, bool Intact, IReadOnlyList<EvidencePartDto> Parts);

/// <summary>The check of an exported bundle; <see cref="MatchesRecord"/> is null when the caller may not see its case.</summary>
public sealed record BundleCheckResponse(bool Valid, Guid? CaseId, string? BundleSha256, int FilesChecked, bool? MatchesRecord, IReadOnlyList<string> Problems);

public static partial class SafeguardingApi
{
    public const long MaxBundleBytes = 256L * 1024 * 1024;

    private static void MapEvidence(IEndpointRouteBuilder app, RouteGroupBuilder cases)
    {
        cases.MapGet("/evidence", GetEvidenceAsync);
        cases.MapGet("/evidence/parts/{partId:guid}", GetEvidencePartAsync);
        cases.MapGet("/evidence/export", ExportAsync);
        app.MapPost("/api/safeguarding/evidence/verify", VerifyAsync).WithTags("Safeguarding").RequireAuthorization().DisableAntiforgery();
    }

    /// <summary>The zip of JSON, original files and PDF summary, with SHA256SUMS; the export is audited with its hashes.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var c = await commands.FindVisibleAsync(caseId, me, ct);
        if (c is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        var (zip, manifest) = await EvidenceBundle.BuildAsync(db, c, me.Name, time.GetUtcNow(), ct);
        await commands.AuditEvidenceAccessAsync(c, me, "evidence-exported",
            $"bundle sha256 {manifest.BundleSha256}, {manifest.Parts.Count} part(s), zip sha256 {Convert.ToHexStringLower(SHA256.HashData(zip))}", ct);
        return TypedResults.File(zip, "application/zip", $"safeguarding-case-{c.Id}.zip");
    }

    /// <summary>
    /// Checks an exported bundle sent as the request body. When the caller may see the case it names, the bundle
    /// hash is also compared with the one recorded at capture, which catches a bundle rebuilt consistently after an
    /// edit; otherwise that comparison is not made (null), so the answer reveals nothing about cases.
    /// </summary>
    private static async Task<Results<Ok<BundleCheckResponse>, ProblemHttpResult>> VerifyAsync(
        HttpRequest request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, CancellationToken ct)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        if (body.Length == 0 || body.Length > MaxBundleBytes)
        {
            return TypedResults.Problem("Send the exported zip as the request body (application/zip).", statusCode: 400, title: "Invalid request");
        }

        body.Position = 0;
        var result = EvidenceBundle.Verify(body);
        var recorded = result.CaseId is { } id && await commands.FindVisibleAsync(id, await staff.GetAsync(user, ct), ct) is { } c ? c.EvidenceSha256 : null;
        bool? matches = recorded is null ? null : recorded == result.BundleSha256;
        IReadOnlyList<string> problems = matches == false
            ? [.. result.Problems, $"the bundle SHA-256 differs from the one recorded when the evidence was captured ({recorded})"]
            : result.Problems;
        return TypedResults.Ok(new BundleCheckResponse(result.Valid && matches != false, result.CaseId, result.BundleSha256, result.FilesChecked, matches, problems));
    }

    private static async Task<Results<Ok<EvidenceDto>, ProblemHttpResult>> GetEvidenceAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var c = await commands.FindVisibleAsync(caseId, me, ct);
        if (c is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        var parts = await db.EvidenceParts.AsNoTracking().Where(p => p.CaseId == c.Id).OrderBy(p => p.Position).ToListAsync(ct);
        await commands.AuditEvidenceAccessAsync(c, me, "evidence-viewed", $"the list of {parts.Count} evidence part(s)", ct);
        return TypedResults.Ok(new EvidenceDto(c.Id, c.EvidenceCapturedAt, c.EvidenceSha256, IsIntact(c, parts),
            [.. parts.Select(p => new EvidencePartDto(p.Id, p.Position, p.Kind, p.Name, p.ContentType, p.Length, p.Sha256, p.Withheld, p.SourceUrl, p.CapturedAt))]));
    }

    /// <summary>
    /// One part's content, audited. A withheld part (suspected child sexual abuse material) has no content to give:
    /// the answer is 410 with its hash, and the attempt is audited too.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetEvidencePartAsync(
        Guid caseId, Guid partId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var c = await commands.FindVisibleAsync(caseId, me, ct);
        var part = c is null ? null : await db.EvidenceParts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == partId && p.CaseId == c.Id, ct);
        if (c is null || part is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        if (part.Withheld || part.Content is null)
        {
            await commands.AuditEvidenceAccessAsync(c, me, "evidence-withheld-requested", $"{part.Name} (sha256 {part.Sha256}) asked for; it was never stored", ct);
            return TypedResults.Problem(
                $"{part.Name} is suspected child sexual abuse material: it was never stored and is never shown. Its SHA-256 is {part.Sha256}; report its address to the IWF or CEOP.",
                statusCode: StatusCodes.Status410Gone, title: "Withheld");
        }

        await commands.AuditEvidenceAccessAsync(c, me, "evidence-part-viewed", $"{part.Name} (sha256 {part.Sha256})", ct);
        return TypedResults.File(part.Content, part.ContentType, Path.GetFileName(part.Name));
    }

    /// <summary>Whether every stored part still has the hash it was captured with, and the parts still make the case's bundle hash.</summary>
    internal static bool IsIntact(SafeguardingCase c, IReadOnlyList<EvidencePart> parts) =>
        parts.All(p => p.Withheld || (p.Content is not null && Convert.ToHexStringLower(SHA256.HashData(p.Content)) == p.Sha256)) &&
        EvidenceManifest.BundleHash(parts.Select(EvidenceManifest.Entry.From)) == c.EvidenceSha256;
}
