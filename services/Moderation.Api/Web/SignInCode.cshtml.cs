using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;

namespace Moderation.Api.Web;

/// <summary>
/// Sign-in, second step: the code from the authenticator app, or a recovery code. Wrong codes count towards the same
/// lockout as wrong passwords (5 attempts, 15 minutes; ADR 0505).
/// </summary>
[AllowAnonymous]
public sealed class SignInCodeModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(Name = "recovery", SupportsGet = true)]
    public bool UseRecoveryCode { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? Expired() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return Expired();
        }

        var code = TwoStep.Clean(Code);
        if (code.Length == 0)
        {
            Error = "Enter the 6-digit code from your authenticator app.";
            return Page();
        }

        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        return Answer(result, "That code did not work. Type the code your app shows now (it changes every 30 seconds) and check your phone's clock is right.");
    }

    public async Task<IActionResult> OnPostRecoveryAsync()
    {
        UseRecoveryCode = true;
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return Expired();
        }

        var code = TwoStep.CleanRecoveryCode(Code);
        if (code.Length == 0)
        {
            Error = "Enter one of your recovery codes.";
            return Page();
        }

        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var failedBefore = await signIn.UserManager.GetAccessFailedCountAsync(user);
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (!result.Succeeded && !result.IsLockedOut && signIn.UserManager.SupportsUserLockout
            && await signIn.UserManager.GetAccessFailedCountAsync(user) == failedBefore)
        {
            // A wrong recovery code counts towards the lockout like a wrong authenticator code.
            await signIn.UserManager.AccessFailedAsync(user);
            if (await signIn.UserManager.IsLockedOutAsync(user))
            {
                result = Microsoft.AspNetCore.Identity.SignInResult.LockedOut;
            }
        }

        return Answer(result, "That recovery code did not work. Each code works only once; check you typed it as saved.");
    }

    private IActionResult Answer(Microsoft.AspNetCore.Identity.SignInResult result, string wrongCode)
    {
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }

        Error = result.IsLockedOut ? SignInModel.LockedOut : wrongCode;
        return Page();
    }

    private IActionResult Expired()
    {
        TempData["Message"] = "Sign in with your email and password first (the code step lasts 5 minutes).";
        return RedirectToPage("/SignIn", new { ReturnUrl });
    }
}
