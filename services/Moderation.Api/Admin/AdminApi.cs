using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Moderation.Api.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Admin;

public static class AdminApi
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<ErrorQueues>(ErrorQueues.Configure);
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(AccountsSetup.AdminPolicy);

        admin.MapGet("/error-queues", async (ErrorQueues queues, CancellationToken ct) => TypedResults.Ok(await queues.ListAsync(ct)));

        // Messages that name a school are shown only to that school's administrators.
        admin.MapGet("/error-queues/{queue}/messages", async Task<Results<Ok<IReadOnlyList<FaultedMessage>>, ProblemHttpResult>> (
            string queue, ClaimsPrincipal user, StaffResolver staff, ErrorQueues queues, CancellationToken ct, int count = 20) =>
        {
            if (count is < 1 or > 200)
            {
                return TypedResults.Problem("count is 1 to 200.", statusCode: 400, title: "Invalid request");
            }

            var me = await staff.GetAsync(user, ct);
            var messages = await queues.PeekAsync(queue, count, ct);
            return messages is null
                ? TypedResults.Problem($"No error queue named '{queue}'.", statusCode: 404, title: "Not found")
                : TypedResults.Ok<IReadOnlyList<FaultedMessage>>([.. messages.Where(m => m.SchoolId is not { } s || me.BelongsTo(s))]);
        });

        admin.MapGet("/audit/verify", async Task<Results<Ok<IReadOnlyList<AuditVerification>>, ProblemHttpResult>> (
            ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct, Guid? school = null) =>
        {
            var me = await staff.GetAsync(user, ct);
            if (school is { } s && !me.BelongsTo(s))
            {
                return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
            }

            var results = new List<AuditVerification>();
            foreach (var chain in school is { } one ? [one] : me.SchoolIds.Order().ToList())
            {
                results.Add(await AuditLog.VerifyAsync(db, chain, ct));
            }

            return TypedResults.Ok<IReadOnlyList<AuditVerification>>(results);
        });
        return app;
    }
}
