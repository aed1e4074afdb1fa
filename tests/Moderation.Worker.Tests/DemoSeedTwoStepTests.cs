using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Seeding;
using Moderation.Testing;

namespace Moderation.Worker.Tests;

/// <summary>ADR 0505: the demo seed turns two-step sign-in on with the known demo key, and leaves a person's own set-up alone.</summary>
public sealed class DemoSeedTwoStepTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static SeedData Demo => DemoSeeder.Read(Path.Combine(RepoPaths.Seeds, "demo.json"));

    [Fact]
    public async Task Every_demo_user_has_two_step_sign_in_on_with_the_demo_key()
    {
        Demo.AuthenticatorKey.Should().Be(Totp.DemoKey);
        using var scope = Fixture.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var seeded in Demo.Users)
        {
            var user = (await users.FindByEmailAsync(seeded.Email))!;
            user.TwoFactorEnabled.Should().BeTrue(seeded.Email);
            (await users.GetAuthenticatorKeyAsync(user)).Should().Be(Totp.DemoKey, seeded.Email);
        }
    }

    [Fact]
    public async Task Seeding_again_keeps_a_key_someone_set_up_or_turned_off()
    {
        const string email = "chair@stmarys.example";
        const string ownKey = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        using var scope = Fixture.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = (await users.FindByEmailAsync(email))!;
        try
        {
            await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", ownKey);
            await users.SetTwoFactorEnabledAsync(user, false);

            using (var seedScope = Fixture.Services.CreateScope())
            {
                await seedScope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync(Demo, CancellationToken.None);
            }

            await using var db = Fixture.Db();
            var after = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
            after.TwoFactorEnabled.Should().BeFalse();
            (await db.UserTokens.AsNoTracking().SingleAsync(t => t.UserId == after.Id && t.Name == "AuthenticatorKey")).Value.Should().Be(ownKey);
        }
        finally
        {
            user = (await users.FindByEmailAsync(email))!;
            await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", Totp.DemoKey);
            await users.SetTwoFactorEnabledAsync(user, true);
        }
    }
}
