using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Http;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Queue;

public static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items").WithTags("Queue").RequireAuthorization(AccountsSetup.QueuePolicy);
        items.MapGet("/", ListAsync);
        items.MapGet("/{id:guid}", GetAsync);
        items.MapGet("/{id:guid}/media/{mediaId:guid}", GetMediaAsync);
        items.MapPost("/{id:guid}/claim", (Guid id, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.ClaimAsync(id, s, ct), i => i.ToClaim()));
        items.MapPost("/{id:guid}/release", (Guid id, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.ReleaseAsync(id, s, ct), i => i.ToClaim()));
        items.MapPost("/{id:guid}/approve", (Guid id, ApproveRequest? request, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.ApproveAsync(id, s, request?.Text, request?.Version, ct), i => i.ToDecision()));
        items.MapPost("/{id:guid}/reject", (Guid id, RejectRequest request, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            request.Reason is not { } reason
                ? Task.FromResult<Results<Ok<DecisionResponse>, ProblemHttpResult>>(TypedResults.Problem(
                    $"A reason is required: one of {string.Join(", ", Enum.GetNames<RejectionReason>())}.", statusCode: 400, title: "Invalid request"))
                : ActAsync(user, staff, ct, s => decisions.RejectAsync(id, s, reason, request.Note, request.Version, ct), i => i.ToDecision()));
        items.MapPost("/{id:guid}/original", (Guid id, RevealRequest request, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.RevealOriginalAsync(id, s, request.Reason ?? "", ct), i => new OriginalText(i.Id, i.Text)));
        items.MapPost("/{id:guid}/escalate", (Guid id, EscalateRequest request, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.EscalateAsync(id, s, request.Reason ?? "", ct), i => i.ToDecision()));
        return app;
    }

    private static async Task<Results<Ok<QueuePage>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user,
        StaffResolver staff,
        QueueQueries queries,
        CancellationToken ct,
        Guid? school = null,
        ItemState? state = null,
        ItemKind? kind = null,
        Platform? platform = null,
        bool assignedToMe = false,
        int page = 1,
        int pageSize = 25,
        Guid? account = null,
        ScreeningFilter? screening = null,
        bool overdue = false)
    {
        if (page < 1 || pageSize < 1 || pageSize > QueueQueries.MaxPageSize)
        {
            return TypedResults.Problem($"page starts at 1; pageSize is 1 to {QueueQueries.MaxPageSize}.", statusCode: 400, title: "Invalid request");
        }

        var result = await queries.ListAsync(await staff.GetAsync(user, ct), new QueueFilter(school, state, kind, platform, assignedToMe, page, pageSize) { Account = account, Screening = screening, Overdue = overdue }, ct);
        return result is null
            ? TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found")
            : TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<ItemDetail>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, StaffResolver staff, QueueQueries queries, CancellationToken ct)
    {
        var detail = await queries.GetAsync(await staff.GetAsync(user, ct), id, ct);
        return detail is null ? Outcome.NotFound.ToProblem() : TypedResults.Ok(detail);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetMediaAsync(
        Guid id, Guid mediaId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var media = await db.ItemMedia.AsNoTracking()
            .Where(m => m.Id == mediaId && m.ItemId == id && db.Items.Any(i => i.Id == id && me.SchoolIds.Contains(i.SchoolId)))
            .FirstOrDefaultAsync(ct);
        return media is null
            ? Outcome.NotFound.ToProblem()
            : TypedResults.File(media.Content, media.ContentType, media.FileName);
    }

    internal static async Task<Results<Ok<T>, ProblemHttpResult>> ActAsync<T>(
        ClaimsPrincipal user, StaffResolver staff, CancellationToken ct, Func<Domain.Accounts.StaffMember, Task<Outcome>> act, Func<ModerationItem, T> map)
    {
        var outcome = await act(await staff.GetAsync(user, ct));
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(map(outcome.Item!)) : outcome.ToProblem();
    }
}
