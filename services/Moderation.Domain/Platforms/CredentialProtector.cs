using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace Moderation.Domain.Platforms;

/// <summary>
/// Encrypts account credentials at rest with ASP.NET Core Data Protection (keys in <see cref="PlatformsSetup.KeysPathSetting"/>).
/// Only the ciphertext is stored; the clear text lives only in memory while a connector uses it.
/// </summary>
public sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private const string Purpose = "Moderation.Platforms.Credentials.v1";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(PlatformCredentials credentials) =>
        _protector.Protect(JsonSerializer.Serialize(credentials, s_json));

    /// <exception cref="CredentialsUnreadableException">The keys that encrypted them are gone, or the text was altered.</exception>
    public PlatformCredentials Unprotect(string protectedCredentials)
    {
        try
        {
            return JsonSerializer.Deserialize<PlatformCredentials>(_protector.Unprotect(protectedCredentials), s_json)
                ?? throw new CredentialsUnreadableException("the stored credentials are empty");
        }
        catch (CryptographicException ex)
        {
            throw new CredentialsUnreadableException("the stored credentials cannot be decrypted with this service's keys; reconnect the account", ex);
        }
        catch (JsonException ex)
        {
            throw new CredentialsUnreadableException("the stored credentials are not in the expected shape; reconnect the account", ex);
        }
    }
}

public sealed class CredentialsUnreadableException(string message, Exception? inner = null) : Exception(message, inner);
