using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;

namespace Moderation.Api.Web;

/// <summary>Sign-in, first step: the password. The code comes next (<see cref="SignInCodeModel"/>; ADR 0505).</summary>
[AllowAnonymous]
public sealed class SignInModel(SignInManager<AppUser> signIn) : PageModel
{
    public const string LockedOut = "This account is locked for 15 minutes after too many failed attempts. Wait, then try again, or ask your school's administrator.";

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email) || string.IsNullOrEmpty(Password))
        {
            Error = "Enter your email and password.";
            return Page();
        }

        signIn.AuthenticationScheme = IdentityConstants.ApplicationScheme;
        var result = await signIn.PasswordSignInAsync(Email.Trim(), Password, isPersistent: false, lockoutOnFailure: true);
        var returnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/";
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/SignInCode", new { ReturnUrl = returnUrl });
        }

        if (result.Succeeded)
        {
            // Only someone without two-step sign-in gets here; the school requires it, so set-up comes first.
            return TwoStep.IsRequired ? LocalRedirect(TwoStep.SetUpPath) : LocalRedirect(returnUrl);
        }

        Error = result.IsLockedOut ? LockedOut : "That email and password do not match.";
        return Page();
    }
}
