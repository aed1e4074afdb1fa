using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;

namespace Moderation.Api.Web;

/// <summary>
/// The header's school switcher posts here. A school the person does not belong to answers 404, as any other
/// school's record does (ADR 0004), and changes nothing.
/// </summary>
[Authorize(AuthenticationSchemes = WebSetup.Scheme)]
public sealed class SwitchSchoolModel(SchoolScope scope) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync([FromForm(Name = "school")] string? school, [FromForm(Name = "returnUrl")] string? returnUrl, CancellationToken ct)
    {
        Guid? id = null;
        if (!string.IsNullOrEmpty(school))
        {
            if (!Guid.TryParse(school, out var parsed))
            {
                return NotFound();
            }

            id = parsed;
        }

        if (!await scope.ChooseAsync(User, id, Response, ct))
        {
            return NotFound();
        }

        var name = id is null ? "all your schools" : (await scope.SchoolsAsync(User, ct)).First(s => s.Id == id).Name;
        TempData["Message"] = $"You are now working for {name}.";
        // Back to the page the person was on, without a school filter that would override the choice.
        return LocalRedirect(Url.IsLocalUrl(returnUrl) && !returnUrl!.Contains("school=", StringComparison.OrdinalIgnoreCase) ? returnUrl : "/");
    }
}
