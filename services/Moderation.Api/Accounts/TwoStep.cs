using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Moderation.Domain.Accounts;
using QRCoder;

namespace Moderation.Api.Accounts;

/// <summary>
/// Two-step sign-in (ADR 0505): every staff member signs in with a password and a code from an authenticator app
/// (TOTP, RFC 6238). A signed-in person who has not set it up may only reach the set-up page.
/// </summary>
public static class TwoStep
{
    /// <summary>Carried by every principal of a user who has two-step sign-in turned on (cookie and bearer token).</summary>
    public const string ClaimType = "moderation:two_step";

    /// <summary>The set-up page; the only page an unenrolled person may open.</summary>
    public const string SetUpPath = "/account/two-step";

    /// <summary>The issuer shown in authenticator apps.</summary>
    public const string Issuer = "School moderation";

    public const int RecoveryCodeCount = 10;

    /// <summary>Two-step sign-in is required for every staff role (ADR 0505): there is no role without it.</summary>
    public static bool IsRequired => true;

    public static bool IsSetUp(ClaimsPrincipal principal) => principal.HasClaim(ClaimType, "on");

    /// <summary>The shared key in groups of four, as people type it into an app.</summary>
    public static string GroupKey(string key)
    {
        var upper = key.ToUpperInvariant();
        var builder = new StringBuilder();
        for (var i = 0; i < upper.Length; i += 4)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(upper.AsSpan(i, Math.Min(4, upper.Length - i)));
        }

        return builder.ToString();
    }

    /// <summary>The key URI authenticator apps read from the QR code (Google's key-uri format, which all of them accept).</summary>
    public static string AuthenticatorUri(string email, string key) =>
        string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key.ToUpperInvariant()}&issuer={Uri.EscapeDataString(Issuer)}&digits=6&period=30");

    /// <summary>The URI as a QR code in SVG, drawn on the server (no script, no external service).</summary>
    public static string QrSvg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        // A viewBox, so the page's stylesheet sizes it; plain fill attributes, so the CSP needs no inline style.
        return new SvgQRCode(data).GetGraphic(5, "#000000", "#ffffff", drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
    }

    /// <summary>
    /// A recovery code as typed: Identity's codes are "XXXXX-XXXXX" in capitals, so spaces go, letters are capitalised
    /// and a missing hyphen is put back.
    /// </summary>
    public static string CleanRecoveryCode(string? code)
    {
        var clean = new string((code ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();
        return clean.Length == 10 && !clean.Contains('-', StringComparison.Ordinal) ? clean[..5] + "-" + clean[5..] : clean;
    }

    /// <summary>An authenticator code as typed: spaces and hyphens removed.</summary>
    public static string Clean(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());
}

/// <summary>Adds <see cref="TwoStep.ClaimType"/> to each principal, so it is fresh whenever the cookie is re-validated.</summary>
public sealed class TwoStepClaimsFactory(UserManager<AppUser> users, RoleManager<IdentityRole<Guid>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole<Guid>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.TwoFactorEnabled)
        {
            identity.AddClaim(new Claim(TwoStep.ClaimType, "on"));
        }

        return identity;
    }
}
