using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.Meta;
using Moderation.Domain.Schools;

namespace Moderation.Api.Platforms;

/// <summary>
/// Meta's webhooks for the schools' Facebook Pages (<c>feed</c>) and Instagram accounts (<c>comments</c>). Meta calls
/// anonymously; the body is trusted only when its <c>X-Hub-Signature-256</c> matches the app secret. A body is
/// stored with its outbox message before the 200, so nothing is lost if the broker is down (the relay sends later),
/// and the worker parses and ingests it (WebhookReceivedConsumer). Meta redelivers a body it got no 200 for; the
/// same body is stored once.
/// </summary>
public static class MetaWebhookApi
{
    public const string Path = "/webhooks/meta";

    public static IEndpointRouteBuilder MapMetaWebhookApi(this IEndpointRouteBuilder app)
    {
        // Anonymous and outside the REST API: no cookie, no bearer token, no anti-forgery token (minimal APIs only
        // check one for form bodies, and this takes none).
        var group = app.MapGroup(Path).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("", Handshake);
        group.MapPost("", ReceiveAsync);
        return app;
    }

    /// <summary>The subscription check: echo <c>hub.challenge</c> when <c>hub.verify_token</c> is ours.</summary>
    internal static Results<ContentHttpResult, ProblemHttpResult> Handshake(HttpRequest request, IOptions<PlatformOptions> options)
    {
        var expected = options.Value.Meta.VerifyToken;
        var mode = request.Query["hub.mode"].ToString();
        var token = request.Query["hub.verify_token"].ToString();
        var challenge = request.Query["hub.challenge"].ToString();
        if (mode == "subscribe" && !string.IsNullOrEmpty(expected) && challenge.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(expected)))
        {
            return TypedResults.Text(challenge, "text/plain", Encoding.UTF8, StatusCodes.Status200OK);
        }

        return TypedResults.Problem("The subscription's verify token is not this service's.", statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");
    }

    internal static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request,
        ModerationDbContext db,
        IOptions<PlatformOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(MetaWebhookApi));
        var settings = options.Value;
        var body = await ReadAtMostAsync(request, settings.WebhookMaxBodyBytes, ct);
        if (body is null)
        {
            logger.LogWarning("Meta webhook refused: the body is larger than {Limit} bytes.", settings.WebhookMaxBodyBytes);
            return TypedResults.Problem($"The body is larger than {settings.WebhookMaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");
        }

        if (string.IsNullOrEmpty(settings.Meta.AppSecret))
        {
            logger.LogWarning("Meta webhook refused: no app secret is configured (Platforms:Meta:AppSecret), so no signature can be checked.");
            return Unsigned();
        }

        if (!MetaWebhooks.IsSignatureValid(settings.Meta.AppSecret, body, request.Headers[MetaWebhooks.SignatureHeader].ToString()))
        {
            logger.LogWarning("Meta webhook refused: the {Header} header is missing or does not match the body.", MetaWebhooks.SignatureHeader);
            return Unsigned();
        }

        Platform platform;
        IReadOnlyList<string> entryIds;
        try
        {
            using var json = JsonDocument.Parse(body);
            (platform, entryIds) = MetaWebhooks.ReadEnvelope(json.RootElement);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"The body is not JSON: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }
        catch (PlatformPayloadException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }

        var accounts = await db.SocialAccounts.AsNoTracking()
            .Where(a => a.Platform == platform && entryIds.Contains(a.ExternalId) && a.ConnectionStatus == ConnectionStatus.Connected)
            .Select(a => new { a.Id, a.ExternalId })
            .ToListAsync(ct);
        if (accounts.Count == 0)
        {
            logger.LogWarning("Meta webhook for {Platform} names no connected account: entry ids {EntryIds}.", platform, string.Join(", ", entryIds));
            return TypedResults.Problem($"No connected {platform} account has the id {string.Join(" or ", entryIds)}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        var first = entryIds.Select(id => accounts.FirstOrDefault(a => a.ExternalId == id)).First(a => a is not null)!;
        var now = time.GetUtcNow();
        var deliveryId = Guid.CreateVersion7(now);
        var text = Encoding.UTF8.GetString(body);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(body));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var stored = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO webhook_deliveries (id, platform, social_account_id, body, body_sha256, received_at)
            VALUES ({deliveryId}, {platform.ToString()}, {first.Id}, {text}, {sha256}, {now})
            ON CONFLICT (body_sha256) DO NOTHING
            """,
            ct);
        if (stored == 0)
        {
            await tx.RollbackAsync(ct);
            logger.LogInformation("Meta webhook for {Platform}: a redelivery of body {Sha256}, already stored.", platform, sha256);
            return TypedResults.Ok();
        }

        Outbox.Enqueue(db, new WebhookReceived(deliveryId, platform.ToString()), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Meta webhook for {Platform} stored as delivery {DeliveryId} ({Accounts} account(s)).", platform, deliveryId, accounts.Count);
        return TypedResults.Ok();
    }

    private static ProblemHttpResult Unsigned() =>
        TypedResults.Problem($"The {MetaWebhooks.SignatureHeader} signature is missing or wrong.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed");

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> (read no further than that).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
