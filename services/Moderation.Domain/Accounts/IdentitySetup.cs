using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Accounts;

public static class IdentitySetup
{
    /// <summary>Password and lockout rules shared by the web sign-in and the seeding command.</summary>
    public static void ConfigureIdentity(IdentityOptions options)
    {
        options.Password.RequiredLength = 12;
        options.Password.RequireNonAlphanumeric = false;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.User.RequireUniqueEmail = true;
    }

    /// <summary>Identity stores without sign-in (for commands that manage users).</summary>
    public static IServiceCollection AddModerationIdentityCore(this IServiceCollection services)
    {
        services.AddIdentityCore<AppUser>(ConfigureIdentity)
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<ModerationDbContext>();
        return services;
    }
}
