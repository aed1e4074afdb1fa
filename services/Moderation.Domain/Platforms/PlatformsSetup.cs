using System.Net.Http.Headers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

public static class PlatformsSetup
{
    /// <summary>The application name every host shares, so that the API's encryption is the worker's decryption.</summary>
    public const string DataProtectionApplication = "moderation";

    /// <summary>
    /// Where the Data Protection keys live (sign-in cookies, account credentials). The API, which encrypts credentials
    /// on connect, and every worker, which decrypts them, must share it; infra/run.sh points it at the state folder.
    /// </summary>
    public const string KeysPathSetting = "DataProtection:KeysPath";

    /// <summary>
    /// The connectors and what they share: options, credential encryption (keys in <see cref="KeysPathSetting"/>,
    /// else a folder in the user's local application data), the per-account resilience pipelines and the HTTP client.
    /// </summary>
    public static IHostApplicationBuilder AddModerationPlatforms(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(PlatformOptions.Section);
        builder.Services.Configure<PlatformOptions>(section);
        var keysPath = builder.Configuration[KeysPathSetting];
        if (string.IsNullOrWhiteSpace(keysPath))
        {
            keysPath = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "moderation", "keys");
        }

        builder.Services.AddDataProtection()
            .SetApplicationName(DataProtectionApplication)
            .PersistKeysToFileSystem(Directory.CreateDirectory(keysPath));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CredentialProtector>();
        builder.Services.AddSingleton<IPublicMediaLinks, PublicMediaLinks>();
        builder.Services.AddSingleton<PlatformResilience>();
        builder.Services.AddHttpClient<PlatformHttp>(client =>
        {
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("SchoolModeration", "1.0"));

            // The pipeline's timeout governs each attempt.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        foreach (var connector in typeof(IPlatformConnector).Assembly.GetTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPlatformConnector).IsAssignableFrom(t)))
        {
            // Scoped, like the typed HttpClient they use, so handler rotation applies.
            builder.Services.AddScoped(typeof(IPlatformConnector), connector);
        }

        builder.Services.AddScoped<PlatformConnectors>();
        builder.Services.AddScoped<AccountConnections>();
        builder.Services.AddScoped<PlatformActionExecutor>();
        builder.Services.AddScoped<AccountPoller>();
        builder.Services.AddScoped<AccountSetup>();
        return builder;
    }
}

/// <summary>The connector for each platform.</summary>
public sealed class PlatformConnectors(IEnumerable<IPlatformConnector> connectors)
{
    private readonly Dictionary<Platform, IPlatformConnector> _byPlatform = connectors.ToDictionary(c => c.Platform);

    public IPlatformConnector For(Platform platform) =>
        _byPlatform.TryGetValue(platform, out var connector)
            ? connector
            : throw new InvalidOperationException($"No connector is registered for {platform}.");

    public bool TryGet(Platform platform, out IPlatformConnector connector) => _byPlatform.TryGetValue(platform, out connector!);

    public PlatformCapabilities CapabilitiesOf(Platform platform) =>
        _byPlatform.TryGetValue(platform, out var connector) ? connector.Capabilities : PlatformCapabilities.None;
}

/// <summary>Turns a stored account into one a connector can use: its API address and decrypted credentials.</summary>
public sealed class AccountConnections(PlatformConnectors connectors, CredentialProtector protector)
{
    /// <exception cref="CredentialsUnreadableException">The stored credentials cannot be decrypted.</exception>
    public ConnectedAccount Open(SocialAccount account)
    {
        if (account.ConnectionStatus != ConnectionStatus.Connected || account.ProtectedCredentials is null)
        {
            throw new InvalidOperationException($"The {account.Platform} account {account.Handle} is {account.ConnectionStatus}.");
        }

        var connector = connectors.For(account.Platform);
        var baseUrl = string.IsNullOrWhiteSpace(account.ApiBaseUrl) ? connector.DefaultApiBaseUrl : new Uri(account.ApiBaseUrl, UriKind.Absolute);
        return new ConnectedAccount(account.Id, account.SchoolId, account.Platform, account.ExternalId, account.Handle, baseUrl,
            protector.Unprotect(account.ProtectedCredentials));
    }
}
