using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Moderation.Api.Accounts;
using Moderation.Domain.Consent;

namespace Moderation.Api.Consent;

public static class ConsentApi
{
    public const long MaxRosterBytes = 10 * 1024 * 1024;

    public static IEndpointRouteBuilder MapConsentApi(this IEndpointRouteBuilder app)
    {
        var consent = app.MapGroup("/api/schools/{schoolId:guid}").WithTags("Roster and consent").RequireAuthorization(AccountsSetup.AdminPolicy);

        // The roster and consent CSV as the MIS exports it: the body as text/csv, or a multipart "file" field.
        // dryRun=true lists the changes without applying them. A file with any bad row applies nothing.
        consent.MapPost("/roster", ImportAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<RosterImportReport>, ProblemHttpResult>> ImportAsync(
        Guid schoolId, HttpRequest request, ClaimsPrincipal user, StaffResolver staff, RosterImport import, CancellationToken ct, bool dryRun = false)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        if (request.ContentLength > MaxRosterBytes)
        {
            return TypedResults.Problem($"A roster file may be at most {MaxRosterBytes / (1024 * 1024)} MB.", statusCode: 413, title: "Request too large");
        }

        string text;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files["file"] is not { } file)
            {
                return TypedResults.Problem("Attach the CSV as the form field \"file\".", statusCode: 400, title: "Invalid request");
            }

            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            text = await reader.ReadToEndAsync(ct);
        }
        else if (request.ContentType?.StartsWith("text/", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            text = await reader.ReadToEndAsync(ct);
        }
        else
        {
            return TypedResults.Problem("Send the roster as text/csv, or as multipart/form-data with a \"file\" field.", statusCode: 415, title: "Unsupported media type");
        }

        var report = await import.ImportAsync(schoolId, me.AsActor(), new StringReader(text), dryRun, ct);
        if (report.Errors.Count > 0)
        {
            return TypedResults.Problem(
                $"{report.Errors.Count} row(s) are wrong; nothing was imported.",
                statusCode: 400,
                title: "The roster file has errors",
                extensions: new Dictionary<string, object?> { ["errors"] = report.Errors });
        }

        return TypedResults.Ok(report);
    }
}
