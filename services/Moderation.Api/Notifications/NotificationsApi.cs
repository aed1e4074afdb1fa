using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Api.Accounts;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Notifications;

public sealed record NotificationDto(
    Guid Id, Guid SchoolId, Guid? ItemId, string Kind, string Title, string Body, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, string? Link);

public sealed record DeliveryDto(
    Guid Id, Guid NotificationId, string Kind, string Title, Guid RecipientId, string Recipient, string Channel, string Target,
    string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt);

public sealed record WebhookRequest(string? Url);

public sealed record WebhookDto(bool Configured, string? Host);

public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        // Everyone's own notifications: assignments, escalations and safeguarding concerns.
        var mine = app.MapGroup("/api/me/notifications").WithTags("Notifications").RequireAuthorization();
        mine.MapGet("", ListMineAsync);
        mine.MapPost("/{notificationId:guid}/read", ReadOneAsync);

        // A school's deliveries outside the app, and its webhook (administrators only).
        var school = app.MapGroup("/api/schools/{schoolId:guid}/notifications").WithTags("Notifications")
            .RequireAuthorization(AccountsSetup.AdminPolicy);
        school.MapGet("/deliveries", ListDeliveriesAsync);
        school.MapPost("/deliveries/{deliveryId:guid}/retry", RetryAsync);
        school.MapGet("/webhook", GetWebhookAsync);
        school.MapPut("/webhook", SetWebhookAsync);
        school.MapDelete("/webhook", RemoveWebhookAsync);
        return app;
    }

    private static async Task<Results<Ok<List<NotificationDto>>, ProblemHttpResult>> ListMineAsync(
        ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, IOptions<NotificationOptions> options,
        bool? unread, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 200)
        {
            return TypedResults.Problem("limit is between 1 and 200.", statusCode: 400, title: "Invalid request");
        }

        var me = await staff.GetAsync(user, ct);
        return TypedResults.Ok(await ListForAsync(db, me, unread == true, limit ?? 50, ct));
    }

    /// <summary>A person's newest notifications from the schools they still belong to; the web page shows the same list.</summary>
    public static async Task<List<NotificationDto>> ListForAsync(ModerationDbContext db, StaffMember me, bool unreadOnly, int limit, CancellationToken ct)
    {
        var query = db.Notifications.AsNoTracking().Where(n => n.RecipientId == me.UserId && me.SchoolIds.Contains(n.SchoolId));
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        var rows = await query.OrderByDescending(n => n.CreatedAt).Take(limit).ToListAsync(ct);
        return rows.Select(n => new NotificationDto(
            n.Id, n.SchoolId, n.ItemId, Kebab(n.Kind.ToString()), n.Title, n.Body, n.CreatedAt, n.ReadAt,
            n.ItemId is { } id ? $"/items/{id}" : null)).ToList();
    }

    /// <summary>Marks one of the person's notifications read, or all of them when <paramref name="notificationId"/> is null; false if it is not theirs.</summary>
    public static async Task<bool> MarkReadAsync(ModerationDbContext db, Guid userId, Guid? notificationId, DateTimeOffset now, CancellationToken ct)
    {
        var unread = db.Notifications.Where(n => n.RecipientId == userId && n.ReadAt == null);
        if (notificationId is { } id)
        {
            if (!await db.Notifications.AnyAsync(n => n.Id == id && n.RecipientId == userId, ct))
            {
                return false;
            }

            unread = unread.Where(n => n.Id == id);
        }

        await unread.ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, now), ct);
        return true;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReadOneAsync(
        Guid notificationId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return await MarkReadAsync(db, me.UserId, notificationId, time.GetUtcNow(), ct)
            ? TypedResults.NoContent()
            : TypedResults.Problem("No such notification of yours.", statusCode: 404, title: "Not found");
    }

    private static async Task<Results<Ok<List<DeliveryDto>>, ProblemHttpResult>> ListDeliveriesAsync(
        Guid schoolId, string? status, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var query = db.NotificationDeliveries.AsNoTracking().Where(d => d.Notification.SchoolId == schoolId);
        if (status is not null)
        {
            if (!Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
            {
                return TypedResults.Problem(
                    $"status is one of {string.Join(", ", Enum.GetNames<DeliveryStatus>().Select(Kebab))}.", statusCode: 400, title: "Invalid request");
            }

            query = query.Where(d => d.Status == parsed);
        }

        var rows = await query
            .Join(db.Users, d => d.Notification.RecipientId, u => u.Id, (d, u) => new { d, d.Notification, u.DisplayName })
            .OrderByDescending(x => x.Notification.CreatedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(x => new DeliveryDto(
            x.d.Id, x.Notification.Id, Kebab(x.Notification.Kind.ToString()), x.Notification.Title, x.Notification.RecipientId, x.DisplayName,
            Kebab(x.d.Channel.ToString()), x.d.Target, Kebab(x.d.Status.ToString()), x.d.Attempts, x.d.LastError,
            x.Notification.CreatedAt, x.d.LastAttemptAt, x.d.SentAt)).ToList());
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RetryAsync(
        Guid schoolId, Guid deliveryId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var delivery = await db.NotificationDeliveries.Include(d => d.Notification)
            .FirstOrDefaultAsync(d => d.Id == deliveryId && d.Notification.SchoolId == schoolId, ct);
        if (!me.BelongsTo(schoolId) || delivery is null)
        {
            return TypedResults.Problem("No such delivery.", statusCode: 404, title: "Not found");
        }

        if (delivery.Status != DeliveryStatus.Failed)
        {
            return TypedResults.Problem(
                $"Only a failed delivery can be sent again; this one is {Kebab(delivery.Status.ToString())}.", statusCode: 409, title: "Conflict");
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        delivery.Status = DeliveryStatus.Pending;
        Outbox.Enqueue(db, new NotificationDeliveryRequested(delivery.Id, delivery.NotificationId, delivery.Channel.ToString()), now);
        await AuditLog.AppendAsync(db, schoolId, me.AsActor(), "notification-delivery-retried", now, delivery.Notification.ItemId,
            detail: $"{delivery.Channel} to {delivery.Target} after {delivery.Attempts} attempt(s): {delivery.LastError}", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Accepted($"/api/schools/{schoolId}/notifications/deliveries?status=pending");
    }

    private static async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> GetWebhookAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        var url = await db.Schools.Where(s => s.Id == schoolId).Select(s => s.NotificationWebhookUrl).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new WebhookDto(url is not null, Notifier.WebhookTarget(url)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SetWebhookAsync(
        Guid schoolId, WebhookRequest request, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        if (Notifier.ValidateWebhookUrl(request.Url?.Trim()) is { } problem)
        {
            return TypedResults.Problem(problem, statusCode: 400, title: "Invalid request");
        }

        return await ChangeWebhookAsync(db, schoolId, request.Url!.Trim(), me.AsActor(), time.GetUtcNow(), ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveWebhookAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return me.BelongsTo(schoolId)
            ? await ChangeWebhookAsync(db, schoolId, null, me.AsActor(), time.GetUtcNow(), ct)
            : TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeWebhookAsync(
        ModerationDbContext db, Guid schoolId, string? url, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var school = await db.Schools.FirstAsync(s => s.Id == schoolId, ct);
        school.NotificationWebhookUrl = url;
        // The URL is a secret: the audit names only its host.
        await AuditLog.AppendAsync(db, schoolId, actor, url is null ? "notification-webhook-removed" : "notification-webhook-set", now,
            detail: url is null ? null : $"webhook at {Notifier.WebhookTarget(url)}", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static string Kebab(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
