using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

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

/// <summary>What connecting came to: field errors, the platform's refusal, or a connected account (neither).</summary>
public sealed record ConnectResult(Dictionary<string, string[]> Errors, string? Refusal);

/// <summary>
/// Connecting and disconnecting an account, for the API and the command line alike: the details are checked, the
/// credentials tried on the platform (unless told not to) and only then encrypted and stored, in one transaction with
/// the audit entry and the resumption of any actions the account's expired credentials blocked.
/// </summary>
public sealed class AccountSetup(ModerationDbContext db, PlatformConnectors connectors, CredentialProtector protector, TimeProvider time)
{
    public const int MinPollIntervalSeconds = 10;
    public const int MaxPollIntervalSeconds = 86_400;

    public async Task<ConnectResult> ConnectAsync(SocialAccount account, ConnectRequest request, Actor actor, CancellationToken ct)
    {
        var connector = connectors.For(account.Platform);
        var (credentials, baseUrl, errors) = Validate(account.Platform, request, connector);
        if (errors.Count > 0)
        {
            return new ConnectResult(errors, null);
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
                return new ConnectResult([], $"{account.Platform} did not accept the connection: {ex.Message}. Nothing was saved.");
            }
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reconnect = account.ConnectionStatus == ConnectionStatus.NeedsReconnection;
        account.ProtectedCredentials = protector.Protect(credentials);
        account.ApiBaseUrl = baseUrl?.ToString();
        account.ConnectionStatus = ConnectionStatus.Connected;
        account.ConnectedAt = now;
        account.ConnectedById = actor.UserId;
        account.PollIntervalSeconds = request.PollIntervalSeconds ?? account.PollIntervalSeconds;
        account.PreModerated = request.PreModerated ?? account.PreModerated;
        account.CircuitState = null;
        var resumed = await PlatformActions.ResumeBlockedAsync(db, account.Id, now, ct);
        await AuditLog.AppendAsync(db, account.SchoolId, actor, reconnect ? "account-reconnected" : "account-connected", now,
            detail: $"{account.Platform} {account.Handle}{(request.Test ?? true ? ", credentials checked with the platform" : ", credentials not checked")}; {resumed} waiting action(s) resumed",
            cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new ConnectResult([], null);
    }

    /// <summary>Erases the credentials; polling stops and actions wait until the account is connected again.</summary>
    public async Task DisconnectAsync(SocialAccount account, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        account.ProtectedCredentials = null;
        account.ConnectionStatus = ConnectionStatus.Disconnected;
        account.CircuitState = null;
        await AuditLog.AppendAsync(db, account.SchoolId, actor, "account-disconnected", now,
            detail: $"{account.Platform} {account.Handle}; credentials erased", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The credentials and API address the platform needs, or what is wrong with the request.</summary>
    public static (PlatformCredentials Credentials, Uri? BaseUrl, Dictionary<string, string[]> Errors) Validate(Platform platform, ConnectRequest request, IPlatformConnector connector)
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

}
