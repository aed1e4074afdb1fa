using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;

namespace Moderation.Api.Dashboard;

/// <summary>The dashboard's figures as JSON, for the same people as the page: administrators and the headteacher.</summary>
public static class DashboardApi
{
    public const string Policy = "dashboard";

    public static readonly string[] ViewerRoles = [Roles.Administrator, Roles.Headteacher];

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddScoped<DashboardQueries>();
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireRole(ViewerRoles));
        return services;
    }

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboard", GetAsync).WithTags("Dashboard").RequireAuthorization(Policy);
        return app;
    }

    private static async Task<Results<Ok<DashboardData>, ProblemHttpResult>> GetAsync(
        ClaimsPrincipal user, StaffResolver staff, DashboardQueries queries, CancellationToken ct, Guid? school = null)
    {
        var me = await staff.GetAsync(user, ct);
        if (school is { } s && !me.BelongsTo(s))
        {
            return TypedResults.Problem("No such school among yours.", statusCode: 404, title: "Not found");
        }

        return TypedResults.Ok(await queries.GetAsync(school is { } only ? [only] : [.. me.SchoolIds], ct));
    }
}
