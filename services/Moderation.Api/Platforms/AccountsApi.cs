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

/// <summary>What an administrator sends to connect (or reconnect) an account.</summary>
/// <param name="AccessToken">Facebook, Instagram, YouTube and X.</param>
/// <param name="Username">WordPress: the user the application password belongs to.</param>
/// <param name="Password">WordPress: an application password (not the login password).</param>
/// <param name="ApiBaseUrl">WordPress: the blog's address. Others: only to point at a different API host.</param>
/// <param name="Test">Check the credentials with the platform before storing them (the default).</param>
public sealed record ConnectRequest(
    string? AccessToken,
    string? Username,
    string? Password,
    string? ApiBaseUrl,
    int? PollIntervalSeconds,
    bool? PreModerated,
    bool? Test);

public sealed record AccountTestResponse(bool Ok, string Detail);

/// <summary>
/// Connecting, testing and disconnecting a school's platform accounts, and each account's health (administrators).
/// </summary>
public static class AccountsApi
{
    public const int MinPollIntervalSeconds = 10;
    public const int MaxPollIntervalSeconds = 86_400;

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

        var accounts = await db.SocialAccounts.AsNoTracking().Where(a => a.SchoolId == schoolId).OrderBy(a => a.Platform).ThenBy(a => a.Handle).ToListAsync(ct);
        var result = new List<AccountDto>(accounts.Count);
        foreach (var account in accounts)
        {
            result.Add(await DescribeAsync(db, connectors, options.Value, account, ct));
        }

        return TypedResults.Ok(result);
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
        CredentialProtector protector,
        IOptions<PlatformOptions> options,
        TimeProvider time,
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

        var connector = connectors.For(account.Platform);
        var (credentials, baseUrl, errors) = Validate(account.Platform, request, connector);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The connection details have problems");
        }

        if (request.Test ?? true)
        {
            var candidate = new ConnectedAccount(account.Id, account.SchoolId, account.Platform, account.ExternalId, account.Handle, baseUrl ?? connector.DefaultApiBaseUrl, credentials);
            try
            {
                await connector.TestAsync(candidate, ct);
            }
            catch (PlatformCallException ex)
            {
                // Nothing is stored: the account keeps whatever connection it had.
                return TypedResults.Problem(
                    $"{account.Platform} did not accept the connection: {ex.Message}. Nothing was saved.",
                    statusCode: StatusCodes.Status422UnprocessableEntity, title: "The platform refused the credentials");
            }
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reconnect = account.ConnectionStatus == ConnectionStatus.NeedsReconnection;
        account.ProtectedCredentials = protector.Protect(credentials);
        account.ApiBaseUrl = baseUrl?.ToString();
        account.ConnectionStatus = ConnectionStatus.Connected;
        account.ConnectedAt = now;
        account.ConnectedById = me.UserId;
        account.PollIntervalSeconds = request.PollIntervalSeconds ?? account.PollIntervalSeconds;
        account.PreModerated = request.PreModerated ?? account.PreModerated;
        account.CircuitState = null;
        var resumed = await PlatformActions.ResumeBlockedAsync(db, account.Id, now, ct);
        await AuditLog.AppendAsync(db, schoolId, me.AsActor(), reconnect ? "account-reconnected" : "account-connected", now,
            detail: $"{account.Platform} {account.Handle}{(request.Test ?? true ? ", credentials checked with the platform" : ", credentials not checked")}; {resumed} waiting action(s) resumed",
            cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(await DescribeAsync(db, connectors, options.Value, account, ct));
    }

    private static async Task<Results<Ok<AccountDto>, ProblemHttpResult>> DisconnectAsync(
        Guid schoolId, Guid accountId, ClaimsPrincipal user, StaffResolver staff, ModerationDbContext db, PlatformConnectors connectors, IOptions<PlatformOptions> options, TimeProvider time, CancellationToken ct)
    {
        var me = await staff.GetAsync(user, ct);
        var account = await FindAsync(schoolId, accountId, user, staff, db, ct);
        if (account is null)
        {
            return NotFound("No such account among your school's.");
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        account.ProtectedCredentials = null;
        account.ConnectionStatus = ConnectionStatus.Disconnected;
        account.CircuitState = null;
        await AuditLog.AppendAsync(db, schoolId, me.AsActor(), "account-disconnected", now,
            detail: $"{account.Platform} {account.Handle}; credentials erased", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
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

        if (account.ConnectionStatus == ConnectionStatus.NotConnected || account.ConnectionStatus == ConnectionStatus.Disconnected || account.ProtectedCredentials is null)
        {
            return TypedResults.Problem($"The {account.Platform} account {account.Handle} is not connected; connect it first.",
                statusCode: StatusCodes.Status409Conflict, title: "Not connected");
        }

        try
        {
            var detail = await connectors.For(account.Platform).TestAsync(connections.Open(account), ct);
            return TypedResults.Ok(new AccountTestResponse(true, detail));
        }
        catch (Exception ex) when (ex is PlatformCallException or CredentialsUnreadableException)
        {
            return TypedResults.Ok(new AccountTestResponse(false, ex.Message));
        }
    }

    /// <summary>The credentials and API address the platform needs, or what is wrong with the request.</summary>
    internal static (PlatformCredentials Credentials, Uri? BaseUrl, Dictionary<string, string[]> Errors) Validate(Platform platform, ConnectRequest request, IPlatformConnector connector)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Uri? baseUrl = null;
        if (!string.IsNullOrWhiteSpace(request.ApiBaseUrl))
        {
            if (!Uri.TryCreate(request.ApiBaseUrl.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || request.ApiBaseUrl.Length > 500)
            {
                errors["apiBaseUrl"] = ["Give the address as an absolute http(s) URL of at most 500 characters."];
            }
            else
            {
                baseUrl = parsed.AbsoluteUri.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
            }
        }

        PlatformCredentials credentials;
        if (platform == Platform.Blog)
        {
            if (baseUrl is null && !errors.ContainsKey("apiBaseUrl"))
            {
                errors["apiBaseUrl"] = ["Give the blog's address, for example https://blog.school.example/."];
            }

            if (string.IsNullOrWhiteSpace(request.Username))
            {
                errors["username"] = ["Give the WordPress user the application password belongs to."];
            }

            if (string.IsNullOrWhiteSpace(request.Password))
            {
                errors["password"] = ["Give an application password (Users → Profile → Application Passwords), not the login password."];
            }

            credentials = new PlatformCredentials(Username: request.Username?.Trim(), Password: request.Password?.Trim());
        }
        else
        {
            if (string.IsNullOrWhiteSpace(request.AccessToken))
            {
                errors["accessToken"] = [$"Give the {platform} access token."];
            }
            else if (request.AccessToken.Length > 4096 || request.AccessToken.Any(char.IsWhiteSpace))
            {
                errors["accessToken"] = ["The access token is not in the expected form (no spaces, at most 4096 characters)."];
            }

            credentials = new PlatformCredentials(AccessToken: request.AccessToken?.Trim());
        }

        if (request.PollIntervalSeconds is { } seconds && (seconds < MinPollIntervalSeconds || seconds > MaxPollIntervalSeconds))
        {
            errors["pollIntervalSeconds"] = [$"Poll between every {MinPollIntervalSeconds} seconds and once a day ({MaxPollIntervalSeconds})."];
        }

        if (request.PollIntervalSeconds is not null && !connector.Capabilities.HasFlag(PlatformCapabilities.Poll))
        {
            errors["pollIntervalSeconds"] = [$"{platform} is not polled."];
        }

        return (credentials, baseUrl, errors);
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
