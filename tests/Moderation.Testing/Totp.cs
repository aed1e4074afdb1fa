using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Moderation.Testing;

/// <summary>
/// RFC 6238 TOTP as an authenticator app computes it (HMAC-SHA1, 30-second steps, 6 digits), for tests that sign in
/// with two-step sign-in. Independent of Identity's own implementation, so it checks the server against the standard.
/// </summary>
public static class Totp
{
    /// <summary>The demo users' key (seeds/demo.json "authenticatorKey").</summary>
    public const string DemoKey = "MODERATIONDEMOKEYFORSCHOOLSTAFF2";

    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var step = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(FromBase32(base32Key), counter);
        var offset = hash[^1] & 0x0F;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7FFFFFFF) % 1_000_000;
        return binary.ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>A 6-digit code that is not the right one now, nor in the steps either side.</summary>
    public static string WrongCode(string base32Key)
    {
        var now = DateTimeOffset.UtcNow;
        var near = Enumerable.Range(-3, 7).Select(i => Code(base32Key, now.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 20).Select(i => (123456 + (i * 111111)) % 1_000_000).Select(n => n.ToString("D6", CultureInfo.InvariantCulture))
            .First(c => !near.Contains(c));
    }

    public static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var clean = text.Replace(" ", "", StringComparison.Ordinal).TrimEnd('=').ToUpperInvariant();
        var bytes = new List<byte>(clean.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in clean)
        {
            var value = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not a base32 character.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
