using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Api.Accounts;
using Moderation.Api.Platforms;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;

namespace Moderation.Api.Web;

/// <summary>
/// Administrators: each school's platform accounts with their health, and forms to connect, test and disconnect them.
/// The same <see cref="AccountSetup"/> and account description as the accounts API; credentials are never put back
/// into the page.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class AccountsModel(
    StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors, AccountSetup setup, AccountConnections connections, IOptions<PlatformOptions> options)
    : PageModel
{
    /// <summary>An enum name as staff read it: "NeedsReconnection" becomes "Needs reconnection", "ApproveHeld" "Approve held".</summary>
    public static string Words(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z])(?=[A-Z])", " ") is var spaced && spaced.Length > 1
            ? spaced[0] + spaced[1..].ToLowerInvariant()
            : name;

    public sealed record SchoolAccounts(SchoolSummary School, IReadOnlyList<AccountDto> Accounts);

    public IReadOnlyList<SchoolAccounts> Schools { get; private set; } = [];

    /// <summary>The account a failed form was for, what went wrong, and the non-secret fields to keep.</summary>
    public Guid? FailedAccount { get; private set; }

    public string? Error { get; private set; }

    public IReadOnlyList<string> FieldErrors { get; private set; } = [];

    public string? KeptApiBaseUrl { get; private set; }

    public string? KeptUsername { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostConnectAsync(Guid accountId, string? accessToken, string? apiBaseUrl, string? username, string? password, CancellationToken ct)
    {
        var (me, account) = await FindAsync(accountId, ct);
        if (account is null)
        {
            return NotFound();
        }

        var result = await setup.ConnectAsync(account, new ConnectRequest(accessToken, username, password, apiBaseUrl, null, null, true), me.AsActor(), ct);
        if (result.Errors.Count == 0 && result.Refusal is null)
        {
            TempData["Message"] = $"{account.Platform} {account.Handle} is connected.";
            return RedirectToPage();
        }

        KeptApiBaseUrl = apiBaseUrl;
        KeptUsername = username;
        return await FailAsync(account.Id, result.Refusal ?? "The connection details have problems; nothing was saved.", [.. result.Errors.SelectMany(e => e.Value)], ct);
    }

    public async Task<IActionResult> OnPostTestAsync(Guid accountId, CancellationToken ct)
    {
        var (_, account) = await FindAsync(accountId, ct);
        if (account is null)
        {
            return NotFound();
        }

        var tested = await AccountsApi.TestConnectionAsync(account, connectors, connections, ct);
        if (tested is { Ok: true })
        {
            TempData["Message"] = $"{account.Platform} {account.Handle}: the connection works. {tested.Detail}";
            return RedirectToPage();
        }

        return await FailAsync(account.Id, tested?.Detail ?? AccountsApi.NotConnectedDetail(account), [], ct);
    }

    public async Task<IActionResult> OnPostDisconnectAsync(Guid accountId, CancellationToken ct)
    {
        var (me, account) = await FindAsync(accountId, ct);
        if (account is null)
        {
            return NotFound();
        }

        await setup.DisconnectAsync(account, me.AsActor(), ct);
        TempData["Message"] = $"{account.Platform} {account.Handle} is disconnected and its credentials erased.";
        return RedirectToPage();
    }

    public static bool UsesApplicationPassword(Platform platform) => platform == Platform.Blog;

    public static bool HasConnection(AccountDto a) => a.ConnectionStatus is not (ConnectionStatus.NotConnected or ConnectionStatus.Disconnected) && a.HasCredentials;

    private async Task<IActionResult> FailAsync(Guid accountId, string error, IReadOnlyList<string> fieldErrors, CancellationToken ct)
    {
        FailedAccount = accountId;
        Error = error;
        FieldErrors = fieldErrors;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }

    private async Task<(StaffMember Me, SocialAccount? Account)> FindAsync(Guid accountId, CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var account = await db.SocialAccounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        return (me, account is not null && me.BelongsTo(account.SchoolId) ? account : null);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        var schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name)
            .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name)).ToListAsync(ct);
        var accounts = await AccountsApi.DescribeAllAsync(db, connectors, options.Value, [.. me.SchoolIds], ct);
        var result = schools.Select(s => new SchoolAccounts(s, [.. accounts.Where(a => a.SchoolId == s.Id)])).ToList();
        Schools = result;
    }
}
