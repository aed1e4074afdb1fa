using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Domain.Accounts;

namespace Moderation.Api.Web;

public sealed class SignOutModel(SignInManager<AppUser> signIn) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        // A new security stamp ends every copy of this session (cookies are checked against it on each request),
        // not only the one this browser deletes (ADR 0505).
        if (await signIn.UserManager.GetUserAsync(User) is { } user)
        {
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        }

        await signIn.SignOutAsync();
        Response.Cookies.Delete(SchoolScope.CookieName);
        TempData["Message"] = "You are signed out.";
        return Redirect("/signin");
    }
}
