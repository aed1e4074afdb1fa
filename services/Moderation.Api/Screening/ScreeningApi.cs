using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Api.Screening;

/// <summary>A photo in a JSON preview request.</summary>
public sealed record PreviewPhotoRequest(string? FileName, string? ContentBase64);

/// <summary>The JSON form of a preview request; multipart/form-data with "text", "channel" and "photos" fields works too.</summary>
public sealed record PreviewRequest(string? Text, IReadOnlyList<string>? Channels, IReadOnlyList<PreviewPhotoRequest>? Photos);

public sealed record ScreeningTermRequest(string? Term, string? Mode);

public sealed record ScreeningTermDto(Guid Id, string Term, string Mode, string AddedBy, DateTimeOffset AddedAt);

public static class ScreeningApi
{
    public static IEndpointRouteBuilder MapScreeningApi(this IEndpointRouteBuilder app)
    {
        var school = app.MapGroup("/api/schools/{schoolId:guid}/screening").WithTags("Screening");

        // Screens a draft's text and photos without storing anything: any member of the school's staff may check a draft.
        school.MapPost("/preview", PreviewAsync).RequireAuthorization().DisableAntiforgery();

        // The school's own screening words: banned words block, suspect words flag (administrators only).
        var terms = school.MapGroup("/terms").RequireAuthorization(AccountsSetup.AdminPolicy);
        terms.MapGet("", ListTermsAsync);
        terms.MapPost("", AddTermAsync);
        terms.MapDelete("/{termId:guid}", RemoveTermAsync);
        return app;
    }

    private static async Task<Results<Ok<PreviewResult>, ProblemHttpResult>> PreviewAsync(
        Guid schoolId, HttpRequest request, ClaimsPrincipal user, StaffResolver staff, ScreeningPreview preview, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        string? text;
        List<string> channels;
        var photos = new List<PhotoInput>();
        var errors = new List<string>();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            text = form["text"].ToString();
            channels = [.. form["channel"].Concat(form["channels"]).OfType<string>()];
            foreach (var file in form.Files.Where(f => f.Name is "photos" or "photo"))
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, ct);
                photos.Add(new PhotoInput(Guid.NewGuid(), file.FileName, buffer.ToArray()));
            }
        }
        else if (request.HasJsonContentType())
        {
            PreviewRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<PreviewRequest>(ct);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return TypedResults.Problem($"The body is not valid JSON: {ex.Message}", statusCode: 400, title: "Invalid request");
            }

            text = body?.Text;
            channels = [.. body?.Channels ?? []];
            foreach (var (photo, index) in (body?.Photos ?? []).Select((p, i) => (p, i)))
            {
                var name = string.IsNullOrWhiteSpace(photo.FileName) ? $"photo {index + 1}" : photo.FileName;
                try
                {
                    photos.Add(new PhotoInput(Guid.NewGuid(), name, Convert.FromBase64String(photo.ContentBase64 ?? "")));
                }
                catch (FormatException)
                {
                    errors.Add($"The photo \"{name}\" is not valid base64.");
                }
            }
        }
        else
        {
            return TypedResults.Problem(
                "Send application/json {\"text\", \"channels\", \"photos\": [{\"fileName\", \"contentBase64\"}]}, or multipart/form-data with \"text\", \"channel\" and \"photos\" fields.",
                statusCode: 415, title: "Unsupported media type");
        }

        errors.AddRange(ScreeningPreview.Validate(text, photos, channels, out var parsed));
        if (errors.Count > 0)
        {
            return TypedResults.Problem(
                string.Join(" ", errors), statusCode: 400, title: "Invalid request",
                extensions: new Dictionary<string, object?> { ["errors"] = errors });
        }

        var result = await preview.RunAsync(db, schoolId, text, photos, parsed, ct);
        return result is null
            ? TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found")
            : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<List<ScreeningTermDto>>, ProblemHttpResult>> ListTermsAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var terms = await db.SchoolScreeningTerms.AsNoTracking().Where(t => t.SchoolId == schoolId).OrderBy(t => t.Term).ToListAsync(ct);
        return TypedResults.Ok(terms.Select(ToDto).ToList());
    }

    private static async Task<Results<Created<ScreeningTermDto>, ProblemHttpResult>> AddTermAsync(
        Guid schoolId, ScreeningTermRequest request, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var term = request.Term?.Trim() ?? "";
        if (term.Length is 0 or > 100)
        {
            return TypedResults.Problem("A screening term is 1 to 100 characters.", statusCode: 400, title: "Invalid request");
        }

        TermMode mode;
        try
        {
            mode = SchoolTerm.ParseMode(request.Mode ?? "");
            _ = new RiskContext(schoolTerms: [new SchoolTerm(term, mode)]); // the screener's own parser judges the term
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(ex.Message.Split(" (Parameter", 2)[0], statusCode: 400, title: "Invalid request");
        }

        if (await db.SchoolScreeningTerms.AnyAsync(t => t.SchoolId == schoolId && t.Term.ToLower() == term.ToLower(), ct))
        {
            return TypedResults.Problem($"\"{term}\" is already one of the school's screening words.", statusCode: 409, title: "Conflict");
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entity = new SchoolScreeningTerm { Id = Guid.CreateVersion7(now), SchoolId = schoolId, Term = term, Mode = mode, AddedBy = me.Name, AddedAt = now };
        db.SchoolScreeningTerms.Add(entity);
        await AuditLog.AppendAsync(db, schoolId, me.AsActor(), "screening-term-added", now, detail: $"{mode}: {term}", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await SchoolScreeningProfiles.BumpVersionAsync(db, schoolId, ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"/api/schools/{schoolId}/screening/terms/{entity.Id}", ToDto(entity));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveTermAsync(
        Guid schoolId, Guid termId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var entity = await db.SchoolScreeningTerms.FirstOrDefaultAsync(t => t.Id == termId && t.SchoolId == schoolId, ct);
        if (!me.BelongsTo(schoolId) || entity is null)
        {
            return TypedResults.Problem("No such screening word.", statusCode: 404, title: "Not found");
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.SchoolScreeningTerms.Remove(entity);
        await AuditLog.AppendAsync(db, schoolId, me.AsActor(), "screening-term-removed", now, detail: $"{entity.Mode}: {entity.Term}", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await SchoolScreeningProfiles.BumpVersionAsync(db, schoolId, ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static ScreeningTermDto ToDto(SchoolScreeningTerm t) => new(t.Id, t.Term, t.Mode.ToString().ToLowerInvariant(), t.AddedBy, t.AddedAt);
}
