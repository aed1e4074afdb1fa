using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Moderation.Api.Accounts;
using Moderation.Api.Http;
using Moderation.Domain.Items;
using Moderation.Domain.Presence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Queue;

/// <summary>What a queue page polls for: whether its rows or counts changed, and who is viewing its rows.</summary>
/// <param name="Fingerprint">Changes whenever an item of the page arrives, leaves or changes, or a count changes.</param>
public sealed record QueueLiveState(string Fingerprint, int Total, IReadOnlyDictionary<string, int> CountsByState, IReadOnlyDictionary<Guid, IReadOnlyList<string>> Viewing);

public sealed record PresenceState(Guid ItemId, IReadOnlyList<string> Viewing, int HeartbeatSeconds);

public sealed record BulkRequest(BulkVerb? Verb, IReadOnlyList<Guid>? Ids, RejectionReason? Reason, string? Note);

/// <summary>
/// Live updates by polling (ADR 0503): every instance answers from PostgreSQL, so it works the same behind two API
/// instances. Presence ("N viewing") is a heartbeat per open item page. Bulk decisions for items that screened clear.
/// </summary>
public static class QueueLiveApi
{
    public static IServiceCollection AddQueueLive(this IServiceCollection services) =>
        services.AddScoped<ItemPresence>().AddScoped<BulkDecisions>();

    public static IEndpointRouteBuilder MapQueueLiveApi(this IEndpointRouteBuilder app)
    {
        var items = app.MapGroup("/api/items").WithTags("Queue").RequireAuthorization(AccountsSetup.QueuePolicy);
        items.MapGet("/live", LiveAsync);
        items.MapPost("/{id:guid}/presence", HeartbeatAsync);
        items.MapPost("/{id:guid}/presence/leave", async (Guid id, ClaimsPrincipal user, StaffResolver staff, ItemPresence presence, CancellationToken ct) =>
        {
            await presence.LeaveAsync(id, await staff.GetAsync(user, ct), ct);
            return TypedResults.NoContent();
        });
        items.MapPost("/bulk", BulkAsync);
        return app;
    }

    private static async Task<Results<Ok<QueueLiveState>, ProblemHttpResult>> LiveAsync(
        ClaimsPrincipal user,
        StaffResolver staff,
        QueueQueries queries,
        ItemPresence presence,
        CancellationToken ct,
        Guid? school = null,
        ItemState? state = null,
        ItemKind? kind = null,
        Platform? platform = null,
        Guid? account = null,
        ScreeningFilter? screening = null,
        bool overdue = false,
        bool assignedToMe = false,
        int page = 1,
        int pageSize = 25)
    {
        if (page < 1 || pageSize < 1 || pageSize > QueueQueries.MaxPageSize)
        {
            return TypedResults.Problem($"page starts at 1; pageSize is 1 to {QueueQueries.MaxPageSize}.", statusCode: 400, title: "Invalid request");
        }

        var me = await staff.GetAsync(user, ct);
        var filter = new QueueFilter(school, state, kind, platform, assignedToMe, page, pageSize) { Account = account, Screening = screening, Overdue = overdue };
        var result = await queries.ListAsync(me, filter, ct);
        if (result is null)
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var viewing = await presence.OthersViewingAsync([.. result.Items.Select(i => i.Id)], me, ct);
        return TypedResults.Ok(new QueueLiveState(
            Fingerprint(result), result.Total, result.CountsByState,
            viewing.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value.Select(v => v.Name)])));
    }

    /// <summary>A short hash of what the page shows: its rows with their versions, the total and the counts.</summary>
    public static string Fingerprint(QueuePage page)
    {
        var text = new StringBuilder();
        foreach (var i in page.Items)
        {
            text.Append(i.Id).Append(':').Append(i.Version).Append(':').Append(i.State).Append(';');
        }

        text.Append(page.Total);
        foreach (var (key, count) in page.CountsByState.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append(';').Append(key).Append('=').Append(count);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static async Task<Results<Ok<PresenceState>, ProblemHttpResult>> HeartbeatAsync(
        Guid id, ClaimsPrincipal user, StaffResolver staff, ItemPresence presence, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!await presence.HeartbeatAsync(id, me, ct))
        {
            return Outcome.NotFound.ToProblem();
        }

        var others = await presence.OthersViewingAsync([id], me, ct);
        return TypedResults.Ok(new PresenceState(
            id, others.TryGetValue(id, out var list) ? [.. list.Select(v => v.Name)] : [], (int)ItemPresence.HeartbeatInterval.TotalSeconds));
    }

    private static async Task<Results<Ok<BulkResult>, ProblemHttpResult>> BulkAsync(
        BulkRequest request, ClaimsPrincipal user, StaffResolver staff, BulkDecisions bulk, CancellationToken ct)
    {
        if (request.Verb is not { } verb)
        {
            return TypedResults.Problem("verb is required: Approve or Reject.", statusCode: 400, title: "Invalid request");
        }

        var ids = request.Ids ?? [];
        if (BulkDecisions.Validate(verb, ids, request.Reason, request.Note) is { } problem)
        {
            return TypedResults.Problem(problem, statusCode: 400, title: "Invalid request");
        }

        return TypedResults.Ok(await bulk.DecideAsync(await staff.GetAsync(user, ct), verb, ids, request.Reason, request.Note, ct));
    }
}
