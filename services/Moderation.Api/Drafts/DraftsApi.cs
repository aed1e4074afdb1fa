using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Http;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Drafts;

public sealed record DraftCreated(Guid Id, Guid SchoolId, ItemState State, int PhotoCount);

public sealed record MyDraft(Guid Id, Guid SchoolId, ItemState State, string Excerpt, DateTimeOffset SubmittedAt, DateTimeOffset? DecidedAt, RejectionReason? RejectionReason, string? DecisionNote);

public static class DraftsApi
{
    public static IEndpointRouteBuilder MapDraftsApi(this IEndpointRouteBuilder app)
    {
        var drafts = app.MapGroup("/api").WithTags("Drafts").RequireAuthorization(AccountsSetup.DraftPolicy);

        // multipart/form-data: "text", one "accounts" value per target account id, and up to ten "photos".
        drafts.MapPost("/schools/{schoolId:guid}/drafts", SubmitAsync).DisableAntiforgery();
        drafts.MapGet("/drafts/mine", async (ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct) =>
        {
            var me = await staff.GetAsync(user, ct);
            var mine = await db.Items.AsNoTracking()
                .Where(i => i.Kind == ItemKind.OutboundDraft && i.DraftAuthorId == me.UserId && me.SchoolIds.Contains(i.SchoolId))
                .OrderByDescending(i => i.ReceivedAt)
                .Select(i => new MyDraft(i.Id, i.SchoolId, i.State, i.Text.Length > 140 ? i.Text.Substring(0, 140) + "…" : i.Text, i.ReceivedAt, i.DecidedAt, i.RejectionReason, i.DecisionNote))
                .ToListAsync(ct);
            return TypedResults.Ok(mine);
        });
        return app;
    }

    private static async Task<Results<Created<DraftCreated>, ProblemHttpResult>> SubmitAsync(
        Guid schoolId, HttpRequest request, ClaimsPrincipal user, StaffResolver staff, ItemIntake intake, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            return TypedResults.Problem("Send the draft as multipart/form-data.", statusCode: 415, title: "Unsupported media type");
        }

        var form = await request.ReadFormAsync(ct);
        var accountIds = new List<Guid>();
        foreach (var value in form["accounts"])
        {
            if (!Guid.TryParse(value, out var accountId))
            {
                return TypedResults.Problem($"'{value}' is not an account id.", statusCode: 400, title: "Invalid request");
            }

            accountIds.Add(accountId);
        }

        var photos = new List<PhotoUpload>();
        foreach (var file in form.Files)
        {
            if (file.Length > ImageFormats.MaxPhotoBytes)
            {
                return TypedResults.Problem(
                    $"'{file.FileName}' is {file.Length / (1024 * 1024)} MB; a photo may be at most {ImageFormats.MaxPhotoBytes / (1024 * 1024)} MB.",
                    statusCode: 413, title: "Request too large");
            }

            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            photos.Add(new PhotoUpload(file.FileName, buffer.ToArray()));
        }

        var me = await staff.GetAsync(user, ct);
        var outcome = await intake.SubmitDraftAsync(me, schoolId, form["text"].ToString(), accountIds, photos, ct);
        if (outcome.Kind != OutcomeKind.Ok)
        {
            return outcome.ToProblem();
        }

        var item = outcome.Item!;
        return TypedResults.Created($"/api/items/{item.Id}", new DraftCreated(item.Id, item.SchoolId, item.State, item.Media.Count));
    }
}
