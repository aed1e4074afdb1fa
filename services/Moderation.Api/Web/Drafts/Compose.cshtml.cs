using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Api.Drafts;
using Moderation.Domain.Items;

namespace Moderation.Api.Web.Drafts;

/// <summary>
/// Writing a post: text, the school's accounts, photos. "Check before submitting" shows the screening preview for the
/// chosen accounts (drafts.js fetches it in place, so the chosen files stay chosen); "Submit for approval" screens
/// again and is refused while a photo is blocked by consent. Both go through <see cref="DraftComposer"/>.
/// </summary>
[Authorize(Policy = AccountsSetup.DraftPolicy, AuthenticationSchemes = WebSetup.Scheme)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
[RequestSizeLimit(MaxRequestBytes)]
public sealed class ComposeModel(StaffResolver staff, DraftComposer composer) : PageModel
{
    /// <summary>Ten photos of the largest size, and room for the text.</summary>
    public const long MaxRequestBytes = (ImageFormats.MaxPhotosPerDraft * ImageFormats.MaxPhotoBytes) + (1024 * 1024);

    [BindProperty(SupportsGet = true)]
    public Guid? School { get; set; }

    /// <summary>An earlier draft of the caller's to start from (one that needs changes).</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? From { get; set; }

    [BindProperty]
    public string? Text { get; set; }

    [BindProperty]
    public List<Guid> Accounts { get; set; } = [];

    public IReadOnlyList<DraftAccount> AllAccounts { get; private set; } = [];

    /// <summary>The schools the caller may write for (more than one for a trust's administrator).</summary>
    public IReadOnlyList<(Guid Id, string Name)> Schools { get; private set; } = [];

    public IReadOnlyList<DraftAccount> SchoolAccounts => [.. AllAccounts.Where(a => a.SchoolId == School)];

    public DraftCheck? Check { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Photos were sent with the form the page shows again: a browser cannot keep them chosen.</summary>
    public int PhotosToChooseAgain { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (From is { } from)
        {
            var me = await staff.GetAsync(User, ct);
            var earlier = await composer.EarlierAsync(me, from, ct);
            if (earlier is null)
            {
                return NotFound();
            }

            (School, Text, Accounts) = (earlier.Value.SchoolId, earlier.Value.Text, [.. earlier.Value.Accounts]);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken ct)
    {
        var (refusal, me, school, photos) = await ReadPostAsync(ct);
        if (refusal is not null)
        {
            return refusal;
        }

        Check = await composer.CheckAsync(me, school, Text, Accounts, photos, ct);
        if (Check.Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        if (IsFetch)
        {
            return Partial("_DraftPreview", Check);
        }

        PhotosToChooseAgain = photos.Count;
        return Page();
    }

    public async Task<IActionResult> OnPostSubmitAsync(CancellationToken ct)
    {
        var (refusal, me, school, photos) = await ReadPostAsync(ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var (outcome, check) = await composer.SubmitAsync(me, school, Text, Accounts, photos, ct);
        Check = check;
        PhotosToChooseAgain = photos.Count;
        if (outcome is null)
        {
            Error = check.Blocked is { } blocked ? $"Not submitted. {blocked}" : "Not submitted: " + string.Join(" ", check.Errors);
            Response.StatusCode = check.Blocked is null ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
            return Page();
        }

        if (outcome.Kind != OutcomeKind.Ok)
        {
            Error = "Not submitted: " + (outcome.Detail ?? "the draft could not be submitted.");
            Response.StatusCode = outcome.Kind == OutcomeKind.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            return Page();
        }

        TempData["Message"] = "Submitted for approval. The headteacher or an administrator will decide it; you can follow it here.";
        return RedirectToPage("Draft", new { id = outcome.Item!.Id });
    }

    /// <summary>What both the check and the submit read from the form: the school, the photos and who is asking; or why not.</summary>
    private async Task<(IActionResult? Refusal, Moderation.Domain.Accounts.StaffMember Me, Guid School, List<PhotoUpload> Photos)> ReadPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        if (School is not { } school)
        {
            return (Refuse("Choose the school the post is for."), null!, default, []);
        }

        var photos = await PhotosAsync(ct);
        if (photos.Error is not null)
        {
            return (Refuse(photos.Error), null!, default, []);
        }

        return (null, await staff.GetAsync(User, ct), school, photos.Uploads);
    }

    private bool IsFetch => Request.Headers["X-Requested-With"] == "fetch";

    private IActionResult Refuse(string error)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        if (IsFetch)
        {
            return Partial("_DraftPreview", new DraftCheck(null, [error]));
        }

        Error = error;
        return Page();
    }

    private async Task<(List<PhotoUpload> Uploads, string? Error)> PhotosAsync(CancellationToken ct)
    {
        var uploads = new List<PhotoUpload>();
        foreach (var file in Request.Form.Files.Where(f => f.Name == "photos" && f.Length > 0))
        {
            if (file.Length > ImageFormats.MaxPhotoBytes)
            {
                return ([], $"\"{file.FileName}\" is {file.Length / (1024 * 1024)} MB; a photo may be at most {ImageFormats.MaxPhotoBytes / (1024 * 1024)} MB.");
            }

            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var content = buffer.ToArray();
            if (ImageFormats.DetectContentType(content) is null)
            {
                return ([], $"\"{file.FileName}\" is not a JPEG, PNG, WebP or HEIC image.");
            }

            uploads.Add(new PhotoUpload(Path.GetFileName(file.FileName), content));
        }

        return (uploads, null);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        AllAccounts = await composer.AccountsAsync(me, ct);
        Schools = [.. AllAccounts.Select(a => (a.SchoolId, a.SchoolName)).Distinct().OrderBy(s => s.SchoolName)];
        if (School is null && Schools.Count == 1)
        {
            School = Schools[0].Id;
        }

        if (School is { } s && !me.BelongsTo(s))
        {
            School = null;
        }
    }

    /// <summary>What an account can take through its API, in words.</summary>
    public static string Takes(DraftAccount account) => (account.TakesText, account.TakesPhotos) switch
    {
        (true, true) => "text and photos",
        (false, true) => "posts with photos only",
        (true, false) => "text only",
        _ => "cannot publish posts through its API",
    };
}
