using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;

namespace Moderation.Testing;

/// <summary>Staff accounts made for one test (a unique email each), so locking or enrolling them disturbs no other test.</summary>
public static class StaffAccounts
{
    public const string Password = "Demo-Passw0rd!";

    /// <summary>
    /// Creates a staff member with <paramref name="role"/> in <paramref name="schools"/>. With
    /// <paramref name="authenticatorKey"/> two-step sign-in is on with that key; without it, it is not set up.
    /// </summary>
    public static async Task<string> CreateAsync(IServiceProvider services, string role, IEnumerable<Guid> schools, string? authenticatorKey = null, string? name = null)
    {
        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        var email = $"{(name ?? role).ToLowerInvariant()}-{Guid.NewGuid():N}@test.example";
        var user = new AppUser { Id = Guid.CreateVersion7(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = name ?? role, LockoutEnabled = true };
        Check(await users.CreateAsync(user, Password));
        Check(await users.AddToRoleAsync(user, role));
        foreach (var school in schools)
        {
            db.Memberships.Add(new SchoolMembership { UserId = user.Id, SchoolId = school });
        }

        await db.SaveChangesAsync();
        if (authenticatorKey is not null)
        {
            Check(await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", authenticatorKey));
            Check(await users.SetTwoFactorEnabledAsync(user, true));
        }

        return email;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
