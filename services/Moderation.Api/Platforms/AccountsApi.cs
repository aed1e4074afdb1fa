using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Api.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;

namespace Moderation.Api.Platforms;

/// <summary>An account and its health, as administrators see it. Credentials never leave the service.</summary>
public sealed record AccountDto(
    Guid Id,
    Guid SchoolId,
    Platform Platform,
    string Handle,
    string ExternalId,
    bool PreModerated,
    ConnectionStatus ConnectionStatus,
    string? ApiBaseUrl,
    bool HasCredentials,
    DateTimeOffset? ConnectedAt,
    int PollIntervalSeconds,
    DateTimeOffset? LastPolledAt,
    int? LastPollCount,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    string CircuitState,
    DateTimeOffset? CircuitChangedAt,
    IReadOnlyList<string> Capabilities,
    int ActionsWaiting,
    int ActionsBlocked,
    int ActionsFailed);

public sealed record AccountTestResponse(bool Ok, string Detail);

/// <summary>
/// Connecting, testing and disconnecting a school's platform accounts, and each account's health (administrators).
/// </summary>
public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/api/schools/{schoolId:guid}/accounts").WithTags("Accounts").RequireAuthorization(AccountsSetup.AdminPolicy);
        accounts.MapGet("", ListAsync);
        accounts.MapGet("/{accountId:guid}", GetAsync);
        accounts.MapPut("/{accountId:guid}/connection", ConnectAsync);
        accounts.MapDelete("/{accountId:guid}/connection", DisconnectAsync);
        accounts.MapPost("/{accountId:guid}/test", TestAsync);
        return app;
    }

    private static async Task<Results<Ok<List<AccountDto>>, ProblemHttpResult>> ListAsync(
        Guid schoolId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors, IOptions<PlatformOptions> options, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        if (!me.BelongsTo(schoolId))
        {
            return NotFound("No such school among yours.");
        }

        return TypedResults.Ok(await DescribeAllAsync(db, connectors, options.Value, [schoolId], ct));
    }

    /// <summary>The accounts of <paramref name="schoolIds"/>, by platform and handle, each with its health.</summary>
    internal static async Task<List<AccountDto>> DescribeAllAsync(
        ModerationDbContext db, PlatformConnectors connectors, PlatformOptions options, IReadOnlyCollection<Guid> schoolIds, CancellationToken ct)
    {
        var accounts = await db.SocialAccounts.AsNoTracking().Where(a => schoolIds.Contains(a.SchoolId)).OrderBy(a => a.Platform).ThenBy(a => a.Handle).ToListAsync(ct);
        var result = new List<AccountDto>(accounts.Count);
        foreach (var account in accounts)
        {
            result.Add(await DescribeAsync(db, connectors, options, account, ct));
        }

        return result;
    }

    private static async Task<Results<Ok<AccountDto>, ProblemHttpResult>> GetAsync(
        Guid schoolId, Guid accountId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors, IOptions<PlatformOptions> options, CancellationToken ct)
    {
        var account = await FindAsync(schoolId, accountId, user, staff, db, ct);
        return account is null ? NotFound("No such account among your school's.") : TypedResults.Ok(await DescribeAsync(db, connectors, options.Value, account, ct));
    }

    private static async Task<Results<Ok<AccountDto>, ValidationProblem, ProblemHttpResult>> ConnectAsync(
        Guid schoolId,
        Guid accountId,
        ConnectRequest? request,
        ClaimsPrincipal user,
        StaffResolver staff,
        ModerationDbContext db,
        PlatformConnectors connectors,
        AccountSetup setup,
        IOptions<PlatformOptions> options,
        CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var account = await FindAsync(schoolId, accountId, user, staff, db, ct);
        if (account is null)
        {
            return NotFound("No such account among your school's.");
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [""] = ["Send the credentials as JSON."] });
        }

        var result = await setup.ConnectAsync(account, request, me.AsActor(), ct);
        if (result.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(result.Errors, title: "The connection details have problems");
        }

        if (result.Refusal is { } refusal)
        {
            return TypedResults.Problem(refusal, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The platform refused the credentials");
        }

        return TypedResults.Ok(await DescribeAsync(db, connectors, options.Value, account, ct));
    }

    private static async Task<Results<Ok<AccountDto>, ProblemHttpResult>> DisconnectAsync(
        Guid schoolId, Guid accountId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors, AccountSetup setup,
        IOptions<PlatformOptions> options, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var account = await FindAsync(schoolId, accountId, user, staff, db, ct);
        if (account is null)
        {
            return NotFound("No such account among your school's.");
        }

        await setup.DisconnectAsync(account, me.AsActor(), ct);
        return TypedResults.Ok(await DescribeAsync(db, connectors, options.Value, account, ct));
    }

    private static async Task<Results<Ok<AccountTestResponse>, ProblemHttpResult>> TestAsync(
        Guid schoolId, Guid accountId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors,
        AccountConnections connections, CancellationToken ct)
    {
        var account = await FindAsync(schoolId, accountId, user, staff, db, ct);
        if (account is null)
        {
            return NotFound("No such account among your school's.");
        }

        var tested = await TestConnectionAsync(account, connectors, connections, ct);
        return tested is null
            ? TypedResults.Problem(NotConnectedDetail(account), statusCode: StatusCodes.Status409Conflict, title: "Not connected")
            : TypedResults.Ok(tested);
    }

    internal static string NotConnectedDetail(SocialAccount account) =>
        $"The {account.Platform} account {account.Handle} is not connected; connect it first.";

    /// <summary>Asks the platform whether the stored credentials still work; null when the account has none to try.</summary>
    internal static async Task<AccountTestResponse?> TestConnectionAsync(SocialAccount account, PlatformConnectors connectors, AccountConnections connections, CancellationToken ct)
    {
        if (account.ConnectionStatus == ConnectionStatus.NotConnected || account.ConnectionStatus == ConnectionStatus.Disconnected || account.ProtectedCredentials is null)
        {
            return null;
        }

        try
        {
            var detail = await connectors.For(account.Platform).TestAsync(connections.Open(account), ct);
            return new AccountTestResponse(true, detail);
        }
        catch (Exception ex) when (ex is PlatformCallException or CredentialsUnreadableException)
        {
            return new AccountTestResponse(false, ex.Message);
        }
    }

    private static async Task<SocialAccount?> FindAsync(Guid schoolId, Guid accountId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        return me.BelongsTo(schoolId) ? await db.SocialAccounts.FirstOrDefaultAsync(a => a.Id == accountId && a.SchoolId == schoolId, ct) : null;
    }

    internal static async Task<AccountDto> DescribeAsync(ModerationDbContext db, PlatformConnectors connectors, PlatformOptions options, SocialAccount a, CancellationToken ct)
    {
        var actions = await db.PlatformActions.AsNoTracking()
            .Where(x => x.SocialAccountId == a.Id && (x.Status == ActionStatus.Waiting || x.Status == ActionStatus.Pending || x.Status == ActionStatus.Blocked || x.Status == ActionStatus.Failed))
            .GroupBy(x => x.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int Count(params ActionStatus[] statuses) => actions.Where(x => statuses.Contains(x.Key)).Sum(x => x.Count);
        var capabilities = connectors.CapabilitiesOf(a.Platform);
        return new AccountDto(
            a.Id, a.SchoolId, a.Platform, a.Handle, a.ExternalId, a.PreModerated, a.ConnectionStatus, a.ApiBaseUrl,
            a.ProtectedCredentials is not null, a.ConnectedAt,
            a.PollIntervalSeconds ?? (int)options.DefaultPollInterval.TotalSeconds,
            a.LastPolledAt, a.LastPollCount, a.LastError, a.LastErrorAt,
            a.CircuitState ?? CircuitStates.Closed, a.CircuitChangedAt,
            Enum.GetValues<PlatformCapabilities>().Where(c => c != PlatformCapabilities.None && capabilities.HasFlag(c)).Select(c => c.ToString()).ToList(),
            Count(ActionStatus.Waiting, ActionStatus.Pending), Count(ActionStatus.Blocked), Count(ActionStatus.Failed));
    }

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: 404, title: "Not found");
}
