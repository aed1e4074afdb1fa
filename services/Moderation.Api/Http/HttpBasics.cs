using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Moderation.Domain.Items;

namespace Moderation.Api.Http;

public static class HttpBasics
{
    public const long MaxDraftRequestBytes = (ImageFormats.MaxPhotosPerDraft * ImageFormats.MaxPhotoBytes) + (1024 * 1024);

    public static WebApplicationBuilder AddHttpBasics(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.Configure<FormOptions>(o =>
        {
            o.MultipartBodyLengthLimit = MaxDraftRequestBytes;
            o.ValueLengthLimit = ItemIntake.MaxTextLength * 4;
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxDraftRequestBytes);
        return builder;
    }

    public static WebApplication UseHttpBasics(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Maps a domain outcome to a problem-details response.</summary>
    public static ProblemHttpResult ToProblem(this Outcome outcome) => outcome.Kind switch
    {
        OutcomeKind.NotFound => TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        OutcomeKind.Forbidden => TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed"),
        OutcomeKind.Conflict => TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        _ => TypedResults.Problem(outcome.Detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request"),
    };
}

/// <summary>Turns every unhandled error into problem details; bad request bodies keep their 4xx status.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 413 ? "Request too large" : "Malformed request", bad.Message),
            InvalidDataException data when data.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) =>
                (StatusCodes.Status413PayloadTooLarge, "Request too large", data.Message),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong", "The request was not applied. Nothing was changed."),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled error on {Path}", httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
