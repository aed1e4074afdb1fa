using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Accounts;

public static class AccountsSetup
{
    public const string QueuePolicy = "queue";
    public const string AdminPolicy = "admin";
    public const string DraftPolicy = "drafts";
    public const string AlertsPolicy = "alerts";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        // Bearer tokens for API clients and a cookie for the browser, both from ASP.NET Core Identity.
        builder.Services.AddIdentityApiEndpoints<AppUser>(IdentitySetup.ConfigureIdentity)
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<ModerationDbContext>()
            .AddClaimsPrincipalFactory<TwoStepClaimsFactory>();
        builder.Services.ConfigureApplicationCookie(o =>
        {
            // The cookie's flags and idle timeout: WebSecurity.AddWebSecurity (ADR 0505).
            o.LoginPath = "/signin";
            o.AccessDeniedPath = "/denied";

            // The API answers 401/403; only the web pages redirect to the sign-in page.
            o.Events.OnRedirectToLogin = c => ApiAwareRedirect(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => ApiAwareRedirect(c, StatusCodes.Status403Forbidden);
        });
        // Data Protection (cookie and credential keys, shared with the worker) is set up by AddModerationPlatforms.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(QueuePolicy, p => p.RequireRole([.. Roles.QueueViewers]))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Administrator))
            .AddPolicy(DraftPolicy, p => p.RequireRole(Roles.Author, Roles.Administrator, Roles.Headteacher))
            .AddPolicy(AlertsPolicy, p => p.RequireRole([.. Routing.RoutingAlerts.Handlers]));
        builder.Services.AddScoped<StaffResolver>();
        return builder;
    }

    private static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int apiStatus)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/health"))
        {
            context.Response.StatusCode = apiStatus;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Who is calling: roles from the sign-in, schools from the database on every request (tenancy).</summary>
public sealed class StaffResolver(ModerationDbContext db)
{
    private StaffMember? _cached;

    public async Task<StaffMember> GetAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (_cached is not null)
        {
            return _cached;
        }

        var id = Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("An authenticated caller has no user id."));
        // One round trip for the name and the schools: every API request and page asks this first.
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.DisplayName, Schools = db.Memberships.Where(m => m.UserId == u.Id).Select(m => m.SchoolId).ToList() })
            .FirstOrDefaultAsync(ct);
        var schools = user?.Schools ?? [];
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        _cached = new StaffMember(id, user?.DisplayName ?? principal.Identity?.Name ?? id.ToString(), roles, schools.ToHashSet());
        return _cached;
    }
}
