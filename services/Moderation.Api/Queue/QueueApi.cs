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
    public const int MaxPageSize = 100;

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
        items.MapPost("/{id:guid}/escalate", (Guid id, EscalateRequest request, ClaimsPrincipal user, StaffResolver staff, ItemDecisions decisions, CancellationToken ct) =>
            ActAsync(user, staff, ct, s => decisions.EscalateAsync(id, s, request.Reason ?? "", ct), i => i.ToDecision()));
        return app;
    }

    private static async Task<Results<Ok<QueuePage>, ProblemHttpResult>> ListAsync(
        ClaimsPrincipal user,
        StaffResolver staff,
        ModerationDbContext db,
        TimeProvider time,
        CancellationToken ct,
        Guid? school = null,
        ItemState? state = null,
        ItemKind? kind = null,
        Platform? platform = null,
        bool assignedToMe = false,
        int page = 1,
        int pageSize = 25)
    {
        if (page < 1 || pageSize < 1 || pageSize > MaxPageSize)
        {
            return TypedResults.Problem($"page starts at 1; pageSize is 1 to {MaxPageSize}.", statusCode: 400, title: "Invalid request");
        }

        var me = await staff.GetAsync(user, ct);
        if (school is { } s && !me.BelongsTo(s))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var query = db.Items.AsNoTracking().Where(i => me.SchoolIds.Contains(i.SchoolId));
        if (school is { } only)
        {
            query = query.Where(i => i.SchoolId == only);
        }

        if (kind is { } k)
        {
            query = query.Where(i => i.Kind == k);
        }

        if (platform is { } p)
        {
            query = query.Where(i => i.Platform == p);
        }

        if (assignedToMe)
        {
            var now = time.GetUtcNow();
            query = query.Where(i => i.AssignedToId == me.UserId || (i.ClaimedById == me.UserId && i.ClaimExpiresAt > now));
        }

        var counts = await query.GroupBy(i => i.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        if (state is { } st)
        {
            query = query.Where(i => i.State == st);
        }

        var total = await query.CountAsync(ct);
        var rows = await query
            .OrderBy(i => i.ReceivedAt).ThenBy(i => i.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(i => new ItemSummary(
                i.Id, i.SchoolId, i.Kind, i.State, i.Platform, i.AuthorName,
                i.Text.Length > 140 ? i.Text.Substring(0, 140) + "…" : i.Text,
                i.Media.Count, i.ScreeningComplete, i.AssignedToId, i.ClaimedById, i.ReceivedAt, i.Version))
            .ToListAsync(ct);
        return TypedResults.Ok(new QueuePage(rows, total, page, pageSize, counts.ToDictionary(c => c.Key.ToString(), c => c.Count)));
    }

    private static async Task<Results<Ok<ItemDetail>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var item = await db.Items.AsNoTracking().AsSplitQuery()
            .Include(i => i.Media).Include(i => i.Targets)
            .FirstOrDefaultAsync(i => i.Id == id && me.SchoolIds.Contains(i.SchoolId), ct);
        if (item is null)
        {
            return Outcome.NotFound.ToProblem();
        }

        var findings = await db.ScreeningFindings.AsNoTracking().Where(f => f.ItemId == id).OrderBy(f => f.Offset).ToListAsync(ct);
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.ItemId == id).OrderBy(a => a.Seq).ToListAsync(ct);
        return TypedResults.Ok(item.ToDetail(findings, history));
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
