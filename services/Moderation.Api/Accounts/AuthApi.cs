using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Accounts;

public sealed record LoginRequest(string? Email, string? Password, string? TwoFactorCode, bool UseCookies = false);

public sealed record SchoolSummary(Guid Id, string Slug, string Name);

public sealed record MeResponse(Guid Id, string DisplayName, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<SchoolSummary> Schools);

public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sign-in");

        // Answers with a bearer token (or sets the cookie) for the password and the code from the authenticator app
        // (twoFactorCode). Five wrong passwords or codes lock the account for 15 minutes.
        auth.MapPost("/login", async Task<Results<EmptyHttpResult, ProblemHttpResult>> (LoginRequest request, SignInManager<AppUser> signIn) =>
        {
            if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
            {
                return TypedResults.Problem("Email and password are required.", statusCode: 400, title: "Invalid request");
            }

            signIn.AuthenticationScheme = request.UseCookies ? IdentityConstants.ApplicationScheme : IdentityConstants.BearerScheme;
            var user = await signIn.UserManager.FindByEmailAsync(request.Email);
            if (TwoStep.IsRequired && user is { TwoFactorEnabled: false })
            {
                // No token or cookie without the second step (ADR 0505): the password is checked (and a wrong one
                // counts towards the lockout), but the answer sends the person to set up two-step sign-in.
                var check = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
                return check.Succeeded
                    ? TypedResults.Problem($"Two-step sign-in is required and not set up for this account. Sign in on the web at /signin to set it up ({TwoStep.SetUpPath}).", statusCode: 401, title: "Two-step sign-in not set up")
                    : TypedResults.Problem(check.IsLockedOut ? "The account is locked after repeated failed sign-ins; try again later." : "Wrong email or password.", statusCode: 401, title: "Sign-in failed");
            }

            var result = await signIn.PasswordSignInAsync(request.Email, request.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.RequiresTwoFactor)
            {
                result = string.IsNullOrEmpty(request.TwoFactorCode)
                    ? result
                    : await signIn.TwoFactorAuthenticatorSignInAsync(TwoStep.Clean(request.TwoFactorCode), isPersistent: false, rememberClient: false);
            }

            if (result.Succeeded)
            {
                // The sign-in manager has written the token or the cookie.
                return TypedResults.Empty;
            }

            var detail = result.IsLockedOut ? "The account is locked after repeated failed sign-ins; try again later."
                : result.RequiresTwoFactor ? "A two-factor code is required."
                : "Wrong email or password.";
            return TypedResults.Problem(detail, statusCode: 401, title: "Sign-in failed");
        }).AllowAnonymous();

        app.MapGet("/api/me", async (ClaimsPrincipal principal, StaffResolver staff, ModerationDbContext db, CancellationToken ct) =>
        {
            var me = await staff.GetAsync(principal, ct);
            var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == me.UserId, ct);
            var schools = await db.Schools.AsNoTracking()
                .Where(s => me.SchoolIds.Contains(s.Id))
                .OrderBy(s => s.Name)
                .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name))
                .ToListAsync(ct);
            return TypedResults.Ok(new MeResponse(me.UserId, me.Name, user.Email, [.. me.Roles.Order()], schools));
        }).RequireAuthorization().WithTags("Sign-in");
        return app;
    }
}
