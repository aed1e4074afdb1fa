using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;


namespace Moderation.Api.Accounts;

/// <summary>
/// The browser-facing security basics (ADR 0505): security headers on every response, the session cookie's flags and
/// idle timeout, sign-out that ends every copy of the session, anti-forgery for cookie-authenticated API calls, and
/// the two-step sign-in requirement.
/// </summary>
public static class WebSecurity
{
    /// <summary>The header a page's script sends the anti-forgery token in (from the layout's meta tag).</summary>
    public const string AntiforgeryHeader = "RequestVerificationToken";

    /// <summary>A session ends after this long without a request (sliding).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(60);

    /// <summary>
    /// Scripts and styles only from this origin (no inline script), images also as data: URIs, no plugins, no framing,
    /// forms only back to this origin.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddWebSecurity(this WebApplicationBuilder builder)
    {
        // Web:SecureCookies=Always marks every cookie Secure even when TLS ends at a proxy in front of the API. By
        // default a cookie is Secure exactly when the request came over HTTPS, so the demo on http://127.0.0.1 works.
        var securePolicy = builder.Configuration.GetValue("Web:SecureCookies", CookieSecurePolicy.SameAsRequest);
        builder.Services.AddTransient<IStartupFilter, SecurityHeadersStartupFilter>();
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = securePolicy;
            o.ExpireTimeSpan = IdleTimeout;
            o.SlidingExpiration = true;
        });
        // The short-lived cookie between the password and the code.
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = securePolicy;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.SecurePolicy = securePolicy;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.SuppressXFrameOptionsHeader = true; // X-Frame-Options: DENY is set for every response below
        });
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<SchoolScope>();
        return builder;
    }

    /// <summary>After authentication: cookie-authenticated API writes need the anti-forgery token; an unenrolled person only reaches two-step set-up.</summary>
    public static WebApplication UseWebSecurity(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true)
            {
                var path = context.Request.Path;
                var isApi = path.StartsWithSegments("/api");
                if (isApi && IsCookieAuthenticatedWrite(context.Request)
                    && !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
                {
                    await Results.Problem(
                        $"A browser call to the API with the sign-in cookie needs the anti-forgery token in the {AntiforgeryHeader} header. Nothing was changed.",
                        statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery token missing or invalid").ExecuteAsync(context);
                    return;
                }

                if (TwoStep.IsRequired && !TwoStep.IsSetUp(context.User) && !AllowedBeforeSetUp(path))
                {
                    if (isApi)
                    {
                        await Results.Problem(
                            $"Two-step sign-in is required. Set it up at {TwoStep.SetUpPath} first.",
                            statusCode: StatusCodes.Status403Forbidden, title: "Two-step sign-in not set up").ExecuteAsync(context);
                    }
                    else
                    {
                        context.Response.StatusCode = StatusCodes.Status303SeeOther;
                        context.Response.Headers.Location = TwoStep.SetUpPath;
                    }

                    return;
                }
            }

            await next();
        });
        return app;
    }

    private static bool IsCookieAuthenticatedWrite(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        && !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool AllowedBeforeSetUp(PathString path) =>
        path.StartsWithSegments(TwoStep.SetUpPath) || path.StartsWithSegments("/signout") || path.StartsWithSegments("/signin")
        || path.StartsWithSegments("/health") || path.StartsWithSegments("/api/auth");

    private sealed class SecurityHeadersStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "same-origin";
                    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                    headers["Cross-Origin-Opener-Policy"] = "same-origin";
                    if (context.User.Identity?.IsAuthenticated == true && !headers.ContainsKey("Cache-Control"))
                    {
                        // Signed-in pages hold pupils' and staff's details: never kept in a shared or back-button cache.
                        headers.CacheControl = "no-store";
                    }

                    return Task.CompletedTask;
                });
                return nextMiddleware();
            });
            next(app);
        };
    }
}
