using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;

namespace Moderation.Api.Web;

/// <summary>
/// "Two-step sign-in": set up an authenticator app (shared key and QR code, a first code checked before it is turned
/// on), see recovery codes once, make new ones, or turn it off (ADR 0505). Every change needs a current code.
/// </summary>
[Authorize(AuthenticationSchemes = WebSetup.Scheme)]
public sealed class TwoStepSetUpModel(UserManager<AppUser> users, SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty]
    public string? Code { get; set; }

    public bool Enabled { get; private set; }

    public string SharedKey { get; private set; } = "";

    public string AuthenticatorUri { get; private set; } = "";

    public string QrSvg { get; private set; } = "";

    public int RecoveryCodesLeft { get; private set; }

    /// <summary>Shown once, straight after they are made; never stored in a readable form.</summary>
    public IReadOnlyList<string> NewRecoveryCodes { get; private set; } = [];

    public string? Error { get; private set; }

    public string? Done { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync(await CurrentUserAsync());

    public async Task<IActionResult> OnPostEnableAsync()
    {
        var user = await CurrentUserAsync();
        if (user.TwoFactorEnabled)
        {
            return RedirectToPage();
        }

        if (!await CodeIsRightAsync(user))
        {
            return await WrongCodeAsync(user, "That code did not work. Type the 6-digit code your app shows now for School moderation (it changes every 30 seconds).");
        }

        await users.SetTwoFactorEnabledAsync(user, true);
        NewRecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, TwoStep.RecoveryCodeCount) ?? []];
        // Turning it on changes the security stamp: this session is re-issued with it, every other one ends.
        await signIn.RefreshSignInAsync(user);
        Done = "Two-step sign-in is on. From now on you sign in with your password and a code from your app.";
        return await LoadAsync(user);
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync()
    {
        var user = await CurrentUserAsync();
        if (!user.TwoFactorEnabled)
        {
            return RedirectToPage();
        }

        if (!await CodeIsRightAsync(user))
        {
            return await WrongCodeAsync(user, "That code did not work, so your recovery codes are unchanged.");
        }

        NewRecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, TwoStep.RecoveryCodeCount) ?? []];
        Done = "New recovery codes made. The old ones no longer work.";
        return await LoadAsync(user);
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        var user = await CurrentUserAsync();
        if (!user.TwoFactorEnabled)
        {
            return RedirectToPage();
        }

        if (!await CodeIsRightAsync(user))
        {
            return await WrongCodeAsync(user, "That code did not work, so two-step sign-in is still on.");
        }

        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key, so the old phone's codes stop working; the recovery codes go with it.
        await users.ResetAuthenticatorKeyAsync(user);
        await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 0);
        await signIn.RefreshSignInAsync(user);
        TempData["Message"] = TwoStep.IsRequired
            ? "Two-step sign-in is off and your old codes no longer work. Your school requires it: set it up again (with a new phone, for example) to carry on."
            : "Two-step sign-in is off.";
        return RedirectToPage();
    }

    private async Task<AppUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("A signed-in person has no account.");

    /// <summary>Checks the code; a wrong one counts towards the lockout, so a borrowed session cannot guess its way in.</summary>
    private async Task<bool> CodeIsRightAsync(AppUser user)
    {
        var code = TwoStep.Clean(Code);
        if (code.Length > 0 && await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            await users.ResetAccessFailedCountAsync(user);
            return true;
        }

        await users.AccessFailedAsync(user);
        return false;
    }

    /// <summary>After too many wrong codes the account is locked like at sign-in, and this session ends.</summary>
    private async Task<IActionResult> WrongCodeAsync(AppUser user, string error)
    {
        if (await users.IsLockedOutAsync(user))
        {
            await users.UpdateSecurityStampAsync(user);
            await signIn.SignOutAsync();
            TempData["Message"] = SignInModel.LockedOut;
            return RedirectToPage("/SignIn");
        }

        Error = error;
        return await LoadAsync(user);
    }

    private async Task<IActionResult> LoadAsync(AppUser user)
    {
        Enabled = await users.GetTwoFactorEnabledAsync(user);
        if (Enabled)
        {
            RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
            return Page();
        }

        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            await signIn.RefreshSignInAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key was made.");
        }

        SharedKey = TwoStep.GroupKey(key);
        AuthenticatorUri = TwoStep.AuthenticatorUri(user.Email ?? user.UserName ?? user.Id.ToString(), key);
        QrSvg = TwoStep.QrSvg(AuthenticatorUri);
        return Page();
    }
}
