using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Accounts;
using Moderation.Api.Http;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;
using Moderation.Domain.Schools;

namespace Moderation.Api.Safeguarding;

/// <summary>
/// Safeguarding cases (ADR 0301): a school's cases and settings, and each case's acknowledgement, confidential notes,
/// referrals, legal hold and two-person closure. A case's endpoints answer 404 to anyone who may not see it, whatever
/// their role, so nobody learns that a case (or a note) exists; school-wide lists answer 403 to roles without access.
/// </summary>
public static partial class SafeguardingApi
{
    public const int MaxReferenceLength = 100;

    public static IEndpointRouteBuilder MapSafeguardingApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/safeguarding/referral-guidance", () => TypedResults.Ok(ReferralGuidance.All)).WithTags("Safeguarding").RequireAuthorization();

        var school = app.MapGroup("/api/schools/{schoolId:guid}/safeguarding").WithTags("Safeguarding").RequireAuthorization();
        school.MapGet("/cases", ListCasesAsync);
        school.MapPost("/cases", RaiseAsync);
        school.MapGet("/settings", GetSettingsAsync);
        school.MapPut("/settings", PutSettingsAsync);
        MapReports(school);

        var cases = app.MapGroup("/api/safeguarding/cases/{caseId:guid}").WithTags("Safeguarding").RequireAuthorization();
        cases.MapGet("", GetCaseAsync);
        cases.MapGet("/history", HistoryAsync);
        cases.MapPost("/acknowledge", (Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            ActAsync(user, staff, db, time, ct, me => commands.AcknowledgeAsync(caseId, me, ct)));
        cases.MapPut("/classification", ClassifyAsync);
        cases.MapGet("/notes", ListNotesAsync);
        cases.MapPost("/notes", AddNoteAsync);
        cases.MapGet("/referrals", ListReferralsAsync);
        cases.MapPost("/referrals", AddReferralAsync);
        cases.MapPut("/referrals/{referralId:guid}", UpdateReferralAsync);
        cases.MapPost("/legal-hold", (Guid caseId, ReasonRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            WithReasonAsync(request?.Reason, "reason", "Say why the case is put under legal hold (for example a police request).", CaseCommands.MaxReasonLength,
                () => ActAsync(user, staff, db, time, ct, me => commands.SetLegalHoldAsync(caseId, me, true, request!.Reason!, ct))));
        cases.MapPost("/legal-hold/release", (Guid caseId, ReasonRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            WithReasonAsync(request?.Reason, "reason", "Say why the legal hold ends (for example the police confirmed it is no longer needed).", CaseCommands.MaxReasonLength,
                () => ActAsync(user, staff, db, time, ct, me => commands.SetLegalHoldAsync(caseId, me, false, request!.Reason!, ct))));
        cases.MapPost("/closure", (Guid caseId, ClosureRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            WithReasonAsync(request?.Outcome, "outcome", "Say how the case ended and what was done; a second person signs it off.", CaseCommands.MaxSummaryLength,
                () => ActAsync(user, staff, db, time, ct, me => commands.RequestClosureAsync(caseId, me, request!.Outcome!, ct))));
        cases.MapPost("/closure/sign-off", (Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            ActAsync(user, staff, db, time, ct, me => commands.SignOffClosureAsync(caseId, me, ct)));
        cases.MapPost("/closure/withdraw", (Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct) =>
            ActAsync(user, staff, db, time, ct, me => commands.WithdrawClosureAsync(caseId, me, ct)));
        MapEvidence(app, cases);
        return app;
    }

    /// <summary>The caller, if they belong to the school and hold one of <paramref name="roles"/>; otherwise 404 (not their school) or 403.</summary>
    internal static async Task<(StaffMember Me, ProblemHttpResult? Refusal)> SchoolAccessAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return (me, TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found"));
        }

        return me.IsInAny(roles)
            ? (me, null)
            : (me, TypedResults.Problem($"Only {string.Join(", ", roles)} may do this.", statusCode: 403, title: "Not allowed"));
    }

    private static async Task<Results<Ok<List<CaseDto>>, ProblemHttpResult>> ListCasesAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct,
        CaseStatus? status = null, bool overdue = false)
    {
        var (me, refusal) = await SchoolAccessAsync(schoolId, user, staff, Roles.SafeguardingReaders, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        return TypedResults.Ok(await ListVisibleAsync(db, me, [schoolId], status, overdue, time.GetUtcNow(), ct));
    }

    /// <summary>The cases of <paramref name="schoolIds"/> that <paramref name="me"/> may see, newest first (at most 500).</summary>
    internal static async Task<List<CaseDto>> ListVisibleAsync(
        ModerationDbContext db, StaffMember me, IReadOnlyCollection<Guid> schoolIds, CaseStatus? status, bool overdue, DateTimeOffset now, CancellationToken ct)
    {
        var query = CaseAccess.Visible(db.SafeguardingCases.AsNoTracking(), me).Where(c => schoolIds.Contains(c.SchoolId));
        if (status is { } s)
        {
            query = query.Where(c => c.Status == s);
        }

        if (overdue)
        {
            query = query.Where(c => c.Status == CaseStatus.Open && c.AckDueAt <= now);
        }

        var list = await query.OrderByDescending(c => c.RaisedAt).Take(500).ToListAsync(ct);
        var ids = list.Select(c => c.Id).ToList();
        var made = (await db.CaseReferrals.AsNoTracking().Where(r => ids.Contains(r.CaseId)).Select(r => new { r.CaseId, r.Agency }).ToListAsync(ct))
            .ToLookup(r => r.CaseId, r => r.Agency);
        return [.. list.Select(c => c.ToDto(now, [.. made[c.Id]]))];
    }

    internal static async Task<List<NoteDto>> NotesOfAsync(ModerationDbContext db, Guid caseId, CancellationToken ct) =>
        [.. (await db.CaseNotes.AsNoTracking().Where(n => n.CaseId == caseId).OrderBy(n => n.At).ToListAsync(ct)).Select(n => n.ToDto())];

    internal static async Task<List<ReferralDto>> ReferralsOfAsync(ModerationDbContext db, Guid caseId, CancellationToken ct) =>
        [.. (await db.CaseReferrals.AsNoTracking().Where(r => r.CaseId == caseId).OrderBy(r => r.MadeAt).ToListAsync(ct)).Select(r => r.ToDto())];

    private static async Task<Results<Created<CaseDto>, ValidationProblem, ProblemHttpResult>> RaiseAsync(
        Guid schoolId, RaiseCaseRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, TimeProvider time, CancellationToken ct)
    {
        var (me, refusal) = await SchoolAccessAsync(schoolId, user, staff, Roles.SafeguardingLeads, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Send the case as JSON."] });
        }

        if (request.Category is null || !CaseCategories.All.Contains(request.Category))
        {
            errors["category"] = [$"One of: {string.Join(", ", CaseCategories.All)}."];
        }

        if (request.Severity is not { } severity || !Enum.IsDefined(severity))
        {
            errors["severity"] = [$"One of: {string.Join(", ", Enum.GetNames<CaseSeverity>())}."];
        }

        if (string.IsNullOrWhiteSpace(request.Summary) || request.Summary.Length > CaseCommands.MaxSummaryLength)
        {
            errors["summary"] = [$"Say what the concern is, in at most {CaseCommands.MaxSummaryLength} characters."];
        }

        var evidence = ReadEvidence(request, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var outcome = await commands.RaiseAsync(me, new CaseOpening(
            schoolId, request.ItemId, request.Category!, request.Severity!.Value, CaseSource.Raised, request.AboutHeadteacher,
            request.Summary!, me.AsActor(), evidence!), ct);
        return outcome.Kind switch
        {
            OutcomeKind.Ok => TypedResults.Created($"/api/safeguarding/cases/{outcome.Case!.Id}", outcome.Case.ToDto(time.GetUtcNow(), [])),
            _ => Problem(outcome),
        };
    }

    /// <summary>The payload, address and files of a request, or null with the problems added to <paramref name="errors"/>.</summary>
    private static EvidenceInput? ReadEvidence(RaiseCaseRequest request, Dictionary<string, string[]> errors)
    {
        if (request.Payload is { Length: > 1_000_000 })
        {
            errors["payload"] = ["The raw payload is at most 1,000,000 characters."];
        }

        if (request.Url is { } url && (url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
        {
            errors["url"] = ["An http or https address of at most 2000 characters."];
        }

        var files = new List<EvidenceFile>();
        var requested = request.Files ?? [];
        if (requested.Count > EvidenceCapture.MaxFiles)
        {
            errors["files"] = [$"At most {EvidenceCapture.MaxFiles} files."];
            return null;
        }

        for (var i = 0; i < requested.Count; i++)
        {
            var f = requested[i];
            byte[]? content = null;
            if (f is null || string.IsNullOrWhiteSpace(f.FileName) || f.FileName.Length > 200)
            {
                errors[$"files[{i}].fileName"] = ["Each file needs a name of at most 200 characters."];
            }

            if (f is null || string.IsNullOrWhiteSpace(f.ContentType) || f.ContentType.Length > 100)
            {
                errors[$"files[{i}].contentType"] = ["Each file needs a content type, such as image/jpeg."];
            }

            try
            {
                content = f?.ContentBase64 is { Length: > 0 } b64 ? Convert.FromBase64String(b64) : null;
            }
            catch (FormatException)
            {
                content = null;
            }

            if (content is null || content.Length == 0 || content.LongLength > EvidenceCapture.MaxFileBytes)
            {
                errors[$"files[{i}].contentBase64"] = [$"Each file's content, base64, up to {EvidenceCapture.MaxFileBytes / (1024 * 1024)} MB."];
            }

            if (f?.SourceUrl is { Length: > 2000 })
            {
                errors[$"files[{i}].sourceUrl"] = ["At most 2000 characters."];
            }

            if (content is not null && f is not null)
            {
                files.Add(new EvidenceFile(f.FileName!, f.ContentType!, content, f.SourceUrl));
            }
        }

        return new EvidenceInput(request.Payload, request.Url, files);
    }

    private static async Task<Results<Ok<CaseDto>, ProblemHttpResult>> GetCaseAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var c = await commands.FindVisibleAsync(caseId, await staff.GetAsync(user, ct), ct);
        return c is null ? Problem(CaseOutcome.NotFound) : TypedResults.Ok(await ToDtoAsync(db, c, time, ct));
    }

    /// <summary>
    /// The case's chronology from the school's audit chain: who did what and when, from its opening (and anything it
    /// did to its item) to its closure. Entries name notes and evidence but never quote them.
    /// </summary>
    private static Task<Results<Ok<List<CaseEventDto>>, ProblemHttpResult>> HistoryAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, CancellationToken ct) =>
        ListOfCaseAsync<CaseEventDto>(caseId, user, staff, commands, ct, async id =>
        {
            var c = await db.SafeguardingCases.AsNoTracking().SingleAsync(x => x.Id == id, ct);
            var mention = $"case {id}";
            var entries = await db.AuditEntries.AsNoTracking()
                .Where(a => a.ChainId == c.SchoolId && a.Detail != null && a.Detail.Contains(mention))
                .OrderBy(a => a.Position).Take(2000).ToListAsync(ct);
            return [.. entries.Select(a => new CaseEventDto(a.At, a.Actor, a.Action, a.Detail!))];
        });

    internal static async Task<CaseDto> ToDtoAsync(ModerationDbContext db, SafeguardingCase c, TimeProvider time, CancellationToken ct)
    {
        var made = await db.CaseReferrals.AsNoTracking().Where(r => r.CaseId == c.Id).Select(r => r.Agency).ToListAsync(ct);
        return c.ToDto(time.GetUtcNow(), made);
    }

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> ActAsync(
        ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct, Func<StaffMember, Task<CaseOutcome>> act)
    {
        var outcome = await act(await staff.GetAsync(user, ct));
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(await ToDtoAsync(db, outcome.Case!, time, ct)) : Problem(outcome);
    }

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> WithReasonAsync(
        string? reason, string field, string message, int maxLength, Func<Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>>> act) =>
        string.IsNullOrWhiteSpace(reason) || reason.Length > maxLength
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"{message} At most {maxLength} characters."] })
            : await act();

    private static async Task<Results<Ok<CaseDto>, ValidationProblem, ProblemHttpResult>> ClassifyAsync(
        Guid caseId, ClassificationRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (await commands.FindVisibleAsync(caseId, me, ct) is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request?.Category is null || !CaseCategories.All.Contains(request.Category))
        {
            errors["category"] = [$"One of: {string.Join(", ", CaseCategories.All)}."];
        }

        if (request?.Severity is not { } severity || !Enum.IsDefined(severity))
        {
            errors["severity"] = [$"One of: {string.Join(", ", Enum.GetNames<CaseSeverity>())}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await ActAsync(user, staff, db, time, ct, m => commands.ClassifyAsync(caseId, m, request!.Category!, request.Severity!.Value, request.AboutHeadteacher, ct));
    }

    private static Task<Results<Ok<List<NoteDto>>, ProblemHttpResult>> ListNotesAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, CancellationToken ct) =>
        ListOfCaseAsync(caseId, user, staff, commands, ct, id => NotesOfAsync(db, id, ct));

    /// <summary>Something of a case the caller may see, listed; 404 otherwise.</summary>
    private static async Task<Results<Ok<List<T>>, ProblemHttpResult>> ListOfCaseAsync<T>(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, CancellationToken ct, Func<Guid, Task<List<T>>> load)
    {
        var c = await commands.FindVisibleAsync(caseId, await staff.GetAsync(user, ct), ct);
        return c is null ? Problem(CaseOutcome.NotFound) : TypedResults.Ok(await load(c.Id));
    }

    private static async Task<Results<Created<NoteDto>, ValidationProblem, ProblemHttpResult>> AddNoteAsync(
        Guid caseId, NoteRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);

        // Whether the case exists is checked before the body, so a caller who may not see it learns nothing from a 400.
        if (await commands.FindVisibleAsync(caseId, me, ct) is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        if (string.IsNullOrWhiteSpace(request?.Text) || request.Text.Length > CaseCommands.MaxNoteLength)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [$"A note needs text, at most {CaseCommands.MaxNoteLength} characters."] });
        }

        var (outcome, note) = await commands.AddNoteAsync(caseId, me, request.Text, ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Created($"/api/safeguarding/cases/{caseId}/notes", note!.ToDto()) : Problem(outcome);
    }

    private static Task<Results<Ok<List<ReferralDto>>, ProblemHttpResult>> ListReferralsAsync(
        Guid caseId, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, ModerationDbContext db, CancellationToken ct) =>
        ListOfCaseAsync(caseId, user, staff, commands, ct, id => ReferralsOfAsync(db, id, ct));

    private static async Task<Results<Created<ReferralDto>, ValidationProblem, ProblemHttpResult>> AddReferralAsync(
        Guid caseId, ReferralRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (await commands.FindVisibleAsync(caseId, me, ct) is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request?.Agency is not { } agency || !Enum.IsDefined(agency))
        {
            errors["agency"] = [$"One of: {string.Join(", ", Enum.GetNames<ReferralAgency>())}."];
        }

        if (request?.MadeAt is null)
        {
            errors["madeAt"] = ["When the referral was made, with its offset (for example 2026-12-04T10:15:00+00:00)."];
        }

        ReferenceAndOutcome(request?.Reference, request?.Outcome, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (outcome, referral) = await commands.AddReferralAsync(caseId, me, request!.Agency!.Value, request.MadeAt!.Value, request.Reference, request.Outcome, ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Created($"/api/safeguarding/cases/{caseId}/referrals", referral!.ToDto()) : Problem(outcome);
    }

    private static async Task<Results<Ok<ReferralDto>, ValidationProblem, ProblemHttpResult>> UpdateReferralAsync(
        Guid caseId, Guid referralId, ReferralUpdateRequest? request, ClaimsPrincipal user, StaffResolver staff, CaseCommands commands, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (await commands.FindVisibleAsync(caseId, me, ct) is null)
        {
            return Problem(CaseOutcome.NotFound);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(request?.Reference) && string.IsNullOrWhiteSpace(request?.Outcome))
        {
            errors[""] = ["Send a reference number, an outcome, or both."];
        }

        ReferenceAndOutcome(request?.Reference, request?.Outcome, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (outcome, referral) = await commands.UpdateReferralAsync(caseId, referralId, me, request!.Reference, request.Outcome, ct);
        return outcome.Kind == OutcomeKind.Ok ? TypedResults.Ok(referral!.ToDto()) : Problem(outcome);
    }

    private static void ReferenceAndOutcome(string? reference, string? outcome, Dictionary<string, string[]> errors)
    {
        if (reference is { Length: > MaxReferenceLength })
        {
            errors["reference"] = [$"A reference number is at most {MaxReferenceLength} characters."];
        }

        if (outcome is { Length: > CaseCommands.MaxSummaryLength })
        {
            errors["outcome"] = [$"An outcome is at most {CaseCommands.MaxSummaryLength} characters."];
        }
    }

    private static async Task<Results<Ok<SafeguardingSettingsResponse>, ProblemHttpResult>> GetSettingsAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var (_, refusal) = await SchoolAccessAsync(schoolId, user, staff, Roles.SafeguardingLeads, ct);
        return refusal ?? (Results<Ok<SafeguardingSettingsResponse>, ProblemHttpResult>)TypedResults.Ok(await DescribeSettingsAsync(db, schoolId, ct));
    }

    private static async Task<Results<Ok<SafeguardingSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutSettingsAsync(
        Guid schoolId, SafeguardingSettings? settings, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (me, refusal) = await SchoolAccessAsync(schoolId, user, staff, [Roles.Dsl, Roles.Headteacher], ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (settings is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Send the safeguarding settings as JSON."] });
        }

        var members = (await db.Memberships.AsNoTracking().Where(m => m.SchoolId == schoolId).Select(m => m.UserId).ToListAsync(ct)).ToHashSet();
        var errors = settings.Validate(members);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The safeguarding settings have problems");
        }

        await SchoolSettingsRows.SaveAsync(db, schoolId, settings.ToJson(), me, "safeguarding-settings-changed", time.GetUtcNow(),
            () => new SchoolSafeguardingSettings { Settings = "{}" }, ct);
        return TypedResults.Ok(await DescribeSettingsAsync(db, schoolId, ct));
    }

    private static async Task<SafeguardingSettingsResponse> DescribeSettingsAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        var row = await db.SafeguardingSettings.AsNoTracking().FirstOrDefaultAsync(s => s.SchoolId == schoolId, ct);
        return new SafeguardingSettingsResponse(schoolId, row is not null, row?.UpdatedAt, row is null ? SafeguardingSettings.Defaults : SafeguardingSettings.FromJson(row.Settings));
    }

    /// <summary>Problem details for a refusal; a "field: message" detail becomes a validation problem on that field.</summary>
    internal static ProblemHttpResult Problem(CaseOutcome outcome) => outcome.AsOutcome().ToProblem();
}
