using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Domain.Consent;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Screening;

namespace Moderation.Api.Consent;

public sealed record ReconciliationRunDto(
    Guid Id, string Trigger, string Status, string Phase, string Source, string RequestedBy, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, int ProgressDone, int Added, int Withdrawn, int Restricted, int Expired, int Rescreened, int TakenDown, int NeedsHuman,
    IReadOnlyList<RosterError>? Errors, ReconciliationReport? Report, string? Failure);

public sealed record TakedownPolicyRequest(string? Action);

public sealed record TakedownPolicyDto(string Action);

public static class ConsentApi
{
    public const long MaxRosterBytes = 10 * 1024 * 1024;

    public static IEndpointRouteBuilder MapConsentApi(this IEndpointRouteBuilder app)
    {
        var consent = app.MapGroup("/api/schools/{schoolId:guid}").WithTags("Roster and consent").RequireAuthorization(AccountsSetup.AdminPolicy);

        // The roster and consent CSV as the MIS exports it: the body as text/csv, or a multipart "file" field.
        // dryRun=true lists the changes without applying them. A file with any bad row applies nothing.
        consent.MapPost("/roster", ImportAsync).DisableAntiforgery();

        // Consent reconciliation (ADR 0401): start a run (with the latest export as text/csv or a multipart "file",
        // or with no body against the current consent list), list runs, and watch one's progress and report.
        consent.MapPost("/consent/reconciliations", StartReconciliationAsync).DisableAntiforgery();
        consent.MapGet("/consent/reconciliations", ListReconciliationsAsync);
        consent.MapGet("/consent/reconciliations/{runId:guid}", GetReconciliationAsync);
        consent.MapPut("/consent/takedown-policy", SetTakedownPolicyAsync);
        return app;
    }

    private static async Task<Results<Ok<RosterImportReport>, ProblemHttpResult>> ImportAsync(
        Guid schoolId, HttpRequest request, ClaimsPrincipal user, StaffResolver staff, RosterImport import, CancellationToken ct, bool dryRun = false)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFound();
        }

        var (text, problem) = await ReadCsvAsync(request, required: true, ct);
        if (problem is not null)
        {
            return problem;
        }

        var report = await import.ImportAsync(schoolId, me.AsActor(), new StringReader(text!), dryRun, ct);
        return report.Errors.Count > 0 ? RowErrors(report.Errors) : TypedResults.Ok(report);
    }

    private static async Task<Results<Accepted<ReconciliationRunDto>, ProblemHttpResult>> StartReconciliationAsync(
        Guid schoolId, HttpRequest request, ClaimsPrincipal user, StaffResolver staff, ConsentReconciler reconciler, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFound();
        }

        var (text, problem) = await ReadCsvAsync(request, required: false, ct);
        if (problem is not null)
        {
            return problem;
        }

        if (text is not null && RosterCsv.Parse(new StringReader(text)) is { Valid: false } parsed)
        {
            return RowErrors(parsed.Errors);
        }

        var source = text is null ? "the current consent list" : request.HasFormContentType ? $"upload: {request.Form.Files["file"]?.FileName}" : "pushed to the API";
        var (outcome, run) = await reconciler.StartAsync(schoolId, ReconciliationTrigger.OnDemand, source, me.AsActor().Name, text, ct, publish: true);
        if (outcome == StartOutcome.AlreadyActive)
        {
            return TypedResults.Problem($"Run {run.Id} is already {run.Status.ToString().ToLowerInvariant()} for this school; watch it, then start another.",
                statusCode: 409, title: "A reconciliation is already running", extensions: new Dictionary<string, object?> { ["runId"] = run.Id });
        }

        return TypedResults.Accepted($"/api/schools/{schoolId}/consent/reconciliations/{run.Id}", run.ToDto());
    }

    private static async Task<Results<Ok<List<ReconciliationRunDto>>, ProblemHttpResult>> ListReconciliationsAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFound();
        }

        var runs = await db.ConsentReconciliationRuns.AsNoTracking().Where(r => r.SchoolId == schoolId)
            .OrderByDescending(r => r.CreatedAt).Take(100).ToListAsync(ct);
        return TypedResults.Ok(runs.Select(r => r.ToDto(withReport: false)).ToList());
    }

    private static async Task<Results<Ok<ReconciliationRunDto>, ProblemHttpResult>> GetReconciliationAsync(
        Guid schoolId, Guid runId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var run = me.BelongsTo(schoolId)
            ? await db.ConsentReconciliationRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId && r.SchoolId == schoolId, ct)
            : null;
        return run is null ? NotFound() : TypedResults.Ok(run.ToDto());
    }

    private static async Task<Results<Ok<TakedownPolicyDto>, ProblemHttpResult>> SetTakedownPolicyAsync(
        Guid schoolId, TakedownPolicyRequest body, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFound();
        }

        if (body.Action is not { } value || !Enum.TryParse<PlatformAction>(value, ignoreCase: true, out var action) || action is not (PlatformAction.Hide or PlatformAction.Delete))
        {
            return TypedResults.Problem("action must be \"Hide\" or \"Delete\".", statusCode: 400, title: "Invalid request");
        }

        await db.Schools.Where(s => s.Id == schoolId).ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsentTakedownAction, action), ct);
        return TypedResults.Ok(new TakedownPolicyDto(action.ToString()));
    }

    /// <summary>The CSV from the body (text/*) or a multipart "file" field; null when there is no body and none is required.</summary>
    private static async Task<(string? Text, ProblemHttpResult? Problem)> ReadCsvAsync(HttpRequest request, bool required, CancellationToken ct)
    {
        if (request.ContentLength > MaxRosterBytes)
        {
            return (null, TypedResults.Problem($"A roster file may be at most {MaxRosterBytes / (1024 * 1024)} MB.", statusCode: 413, title: "Request too large"));
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files["file"] is not { } file)
            {
                return (null, TypedResults.Problem("Attach the CSV as the form field \"file\".", statusCode: 400, title: "Invalid request"));
            }

            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            return (await reader.ReadToEndAsync(ct), null);
        }

        if (request.ContentType?.StartsWith("text/", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            return (await reader.ReadToEndAsync(ct), null);
        }

        if (!required && request.ContentLength is null or 0 && string.IsNullOrEmpty(request.ContentType))
        {
            return (null, null);
        }

        return (null, TypedResults.Problem("Send the roster as text/csv, or as multipart/form-data with a \"file\" field.", statusCode: 415, title: "Unsupported media type"));
    }

    private static ProblemHttpResult RowErrors(IReadOnlyList<RosterError> errors) =>
        TypedResults.Problem(
            $"{errors.Count} row(s) are wrong; nothing was imported.",
            statusCode: 400,
            title: "The roster file has errors",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    private static ProblemHttpResult NotFound() => TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");

    internal static ReconciliationRunDto ToDto(this ConsentReconciliationRun r, bool withReport = true) => new(
        r.Id, r.Trigger.ToString(), r.Status.ToString(), r.Phase.ToString(), r.Source, r.RequestedBy, r.CreatedAt, r.StartedAt, r.FinishedAt, r.ProgressDone,
        r.Added, r.Withdrawn, r.Restricted, r.Expired, r.Rescreened, r.TakenDown, r.NeedsHuman,
        r.Errors is { } e ? JsonSerializer.Deserialize<List<RosterError>>(e, ScreeningJson.Options) : null,
        withReport && r.Report is { } report ? JsonSerializer.Deserialize<ReconciliationReport>(report, ScreeningJson.Options) : null,
        r.Failure);
}
