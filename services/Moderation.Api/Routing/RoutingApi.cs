using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Http;
using Moderation.Api.Queue;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;

namespace Moderation.Api.Routing;

public sealed record PersonDto(Guid Id, string Name);

/// <summary>The settings as saved (or the defaults), and the people they resolve to today.</summary>
public sealed record RoutingSettingsResponse(
    Guid SchoolId,
    bool Saved,
    DateTimeOffset? UpdatedAt,
    RoutingSettings Settings,
    IReadOnlyList<IReadOnlyList<PersonDto>> EffectiveEscalationLevels,
    IReadOnlyList<PersonDto> EffectiveDsls,
    IReadOnlyList<PersonDto> EffectiveDeputyDsls,
    IReadOnlyList<PersonDto> AlertRecipients);

public sealed record AssignmentDto(
    Guid ItemId,
    Guid SchoolId,
    ItemKind Kind,
    ItemState State,
    Domain.Schools.Platform? Platform,
    string Excerpt,
    DateTimeOffset? AssignedAt,
    DateTimeOffset? DueAt,
    bool Overdue,
    int EscalationLevel,
    bool Safeguarding,
    bool NeedsAcknowledgement,
    uint Version);

public sealed record ReassignRequest(Guid? UserId, string? Reason);

public sealed record AssignmentResponse(Guid ItemId, ItemState State, Guid? AssignedToId, DateTimeOffset? DueAt, int EscalationLevel, DateTimeOffset? AcknowledgedAt, uint Version);

/// <param name="ItemId">The item it was raised for; with a count above one, the first of those folded into it.</param>
/// <param name="ItemCount">How many routings it stands for: a school-wide cause (nobody on duty, everyone at their cap) is one open alert with a count while it lasts.</param>
/// <param name="LastRaisedAt">When the last of them was folded into it, if any was.</param>
public sealed record AlertDto(
    Guid Id, Guid SchoolId, Guid? ItemId, string Reasons, string Message, DateTimeOffset RaisedAt, int ItemCount, DateTimeOffset? LastRaisedAt,
    DateTimeOffset? ResolvedAt, Guid? ResolvedById, string? Resolution);

public sealed record ResolveAlertRequest(string? Resolution);

/// <summary>
/// Assignment and time limits: a school's routing settings, my assignments, reassigning (administrators),
/// acknowledging safeguarding items (DSL and headteacher), and routing alerts (administrators and the headteacher).
/// </summary>
public static class RoutingApi
{
    public static IEndpointRouteBuilder MapRoutingApi(this IEndpointRouteBuilder app)
    {
        var school = app.MapGroup("/api/schools/{schoolId:guid}").WithTags("Routing").RequireAuthorization(AccountsSetup.AdminPolicy);
        school.MapGet("/routing", GetSettingsAsync);
        school.MapPut("/routing", PutSettingsAsync);
        // Alerts go to the school's administrators and its headteacher (SchoolRouting.AlertRecipients), who deal with them.
        var alerts = app.MapGroup("/api/schools/{schoolId:guid}/alerts").WithTags("Routing").RequireAuthorization(AccountsSetup.AlertsPolicy);
        alerts.MapGet("", ListAlertsAsync);
        alerts.MapPost("/{alertId:guid}/resolve", ResolveAlertAsync);

        app.MapGet("/api/me/assignments", MyAssignmentsAsync).WithTags("Routing").RequireAuthorization(AccountsSetup.QueuePolicy);

        var items = app.MapGroup("/api/items/{id:guid}").WithTags("Routing");
        items.MapPost("/reassign", ReassignAsync).RequireAuthorization(AccountsSetup.AdminPolicy);
        items.MapPost("/acknowledge", (Guid id, ClaimsPrincipal user, StaffResolver staff, AssignmentCommands commands, CancellationToken ct) =>
            QueueApi.ActAsync(user, staff, ct, s => commands.AcknowledgeAsync(id, s, ct), ToResponse))
            .RequireAuthorization(AccountsSetup.QueuePolicy);
        return app;
    }

    private static async Task<Results<Ok<RoutingSettingsResponse>, ProblemHttpResult>> GetSettingsAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return me.BelongsTo(schoolId) ? TypedResults.Ok(await DescribeAsync(db, schoolId, ct)) : NoSchool();
    }

    private static async Task<Results<Ok<RoutingSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutSettingsAsync(
        Guid schoolId, RoutingSettings? settings, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NoSchool();
        }

        if (settings is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Send the routing settings as JSON."] });
        }

        var people = await SchoolRouting.StaffAsync(db, schoolId, ct);
        var errors = settings.Validate(people.ToDictionary(p => p.Key, p => p.Value.Roles));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The routing settings have problems");
        }

        await SchoolSettingsRows.SaveAsync(db, schoolId, settings.ToJson(), me, "routing-settings-changed", time.GetUtcNow(),
            () => new SchoolRoutingSettings { Settings = "{}" }, ct);
        return TypedResults.Ok(await DescribeAsync(db, schoolId, ct));
    }

    private static async Task<RoutingSettingsResponse> DescribeAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        var row = await db.RoutingSettings.AsNoTracking().FirstOrDefaultAsync(s => s.SchoolId == schoolId, ct);
        var routing = SchoolRouting.Build(
            schoolId, row is null ? RoutingSettings.Defaults : RoutingSettings.FromJson(row.Settings), await SchoolRouting.StaffAsync(db, schoolId, ct));
        List<PersonDto> People(IEnumerable<Guid> ids) => [.. ids.Select(id => new PersonDto(id, routing.NameOf(id)))];
        return new RoutingSettingsResponse(
            schoolId, row is not null, row?.UpdatedAt, routing.Settings,
            [.. routing.Escalation.Levels.Select(People)], People(routing.Leads.Dsls), People(routing.Leads.Deputies), People(routing.AlertRecipients));
    }

    private static async Task<Ok<List<AssignmentDto>>> MyAssignmentsAsync(
        ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var now = time.GetUtcNow();
        var items = await db.Items.AsNoTracking()
            .Where(i => i.AssignedToId == me.UserId && me.SchoolIds.Contains(i.SchoolId))
            .Where(i => i.State == ItemState.AwaitingReview || i.State == ItemState.Escalated)
            .OrderBy(i => i.DueAt).ThenBy(i => i.ReceivedAt)
            .Take(500)
            .ToListAsync(ct);
        return TypedResults.Ok(items.Select(i =>
        {
            var text = i.ReviewerText();
            var needsAck = i.Safeguarding && i.AcknowledgedAt is null;
            return new AssignmentDto(
                i.Id, i.SchoolId, i.Kind, i.State, i.Platform, text.Length > 140 ? text[..140] + "…" : text, i.AssignedAt, i.DueAt,
                // An acknowledged safeguarding item is the DSL's case now: its deadline has been met.
                i.DueAt <= now && !(i.Safeguarding && i.AcknowledgedAt is not null), i.EscalationLevel, i.Safeguarding, needsAck, i.Version);
        }).ToList());
    }

    private static async Task<Results<Ok<AssignmentResponse>, ValidationProblem, ProblemHttpResult>> ReassignAsync(
        Guid id, ReassignRequest? request, ClaimsPrincipal user, StaffResolver staff, AssignmentCommands commands, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request?.UserId is not { } userId || userId == Guid.Empty)
        {
            errors["userId"] = ["Say whom to give the item to (userId)."];
        }

        if (string.IsNullOrWhiteSpace(request?.Reason))
        {
            errors["reason"] = ["Say why the item is reassigned; the reason is recorded and sent to the new owner."];
        }
        else if (request.Reason.Length > AssignmentCommands.MaxReasonLength)
        {
            errors["reason"] = [$"A reason is at most {AssignmentCommands.MaxReasonLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var outcome = await commands.ReassignAsync(id, await staff.GetAsync(user, ct), request!.UserId!.Value, request.Reason!, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.Ok(ToResponse(outcome.Item!)),
            OutcomeKind.Invalid when outcome.Detail?.StartsWith("userId: ", StringComparison.Ordinal) == true =>
                TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [outcome.Detail["userId: ".Length..]] }),
            _ => outcome.ToProblem(),
        };
    }

    private static async Task<Results<Ok<List<AlertDto>>, ProblemHttpResult>> ListAlertsAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct, bool open = true)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NoSchool();
        }

        var alerts = await RoutingAlerts.ListAsync(db, [schoolId], open, 500, ct);
        return TypedResults.Ok(alerts.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<AlertDto>, ValidationProblem, ProblemHttpResult>> ResolveAlertAsync(
        Guid schoolId, Guid alertId, ResolveAlertRequest? request, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var outcome = await RoutingAlerts.ResolveAsync(db, await staff.GetAsync(user, ct), schoolId, alertId, request?.Resolution, time.GetUtcNow(), ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.Ok(ToDto(outcome.Alert!)),
            OutcomeKind.Invalid => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["resolution"] = [outcome.Detail!] }),
            OutcomeKind.Conflict => TypedResults.Problem(outcome.Detail, statusCode: 409, title: "Conflict"),
            _ => TypedResults.Problem(outcome.Detail, statusCode: 404, title: "Not found"),
        };
    }

    private static AssignmentResponse ToResponse(ModerationItem i) =>
        new(i.Id, i.State, i.AssignedToId, i.DueAt, i.EscalationLevel, i.AcknowledgedAt, i.Version);

    private static AlertDto ToDto(RoutingAlert a) =>
        new(a.Id, a.SchoolId, a.ItemId, a.Reasons, a.Message, a.RaisedAt, a.ItemCount, a.LastRaisedAt, a.ResolvedAt, a.ResolvedById, a.Resolution);

    private static ProblemHttpResult NoSchool() =>
        TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
}
