using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;

namespace Moderation.Worker.Tests.Platforms;

/// <summary>
/// A Facebook Page whose Graph API is a fake on loopback, connected to the seeded Fleming account: the fake answers
/// the calls the connector makes to hide, show and delete comments, and keeps what each comment's state became, so a
/// test can tell a call that took effect from one that was cut off.
/// </summary>
internal sealed class PlatformWorld : IAsyncDisposable
{
    public const string Handle = "@FlemingPrimary";

    private readonly WorkerFixture _fixture;

    private PlatformWorld(WorkerFixture fixture, FakePlatformServer graph)
    {
        _fixture = fixture;
        Graph = graph;
    }

    public FakePlatformServer Graph { get; }

    /// <summary>Every hide, show or delete the fake carried out (answered in full), by comment id, in order.</summary>
    public ConcurrentQueue<(string CommentId, string Change)> Applied { get; } = new();

    public SocialAccount Account { get; private set; } = null!;

    public static async Task<PlatformWorld> StartAsync(WorkerFixture fixture)
    {
        PlatformWorld? world = null;
        var graph = await FakePlatformServer.StartAsync((app, _) =>
        {
            app.MapGet("/me", () => Results.Json(new { id = "100200300400500", name = "Fleming Primary School" }));
            app.MapPost("/{commentId}", async (string commentId, HttpRequest request) =>
            {
                var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
                var body = form is null ? await new StreamReader(request.Body).ReadToEndAsync() : string.Join('&', form.Select(f => $"{f.Key}={f.Value}"));
                var hidden = body.Contains("true", StringComparison.OrdinalIgnoreCase);
                world!.Applied.Enqueue((commentId, hidden ? "hide" : "show"));
                return Results.Json(new { success = true });
            });
            app.MapDelete("/{commentId}", (string commentId) =>
            {
                world!.Applied.Enqueue((commentId, "delete"));
                return Results.Json(new { success = true });
            });
        });
        world = new PlatformWorld(fixture, graph);
        await world.ConnectAsync();
        return world;
    }

    /// <summary>Connects the seeded Facebook account to the fake, with credentials encrypted as the API would.</summary>
    public async Task ConnectAsync(string token = "page-token-1") => Account = await ConnectPageAsync(a => a.Handle == Handle, token);

    /// <summary>Connects another seeded Facebook Page to the same fake, pre-moderated.</summary>
    public Task<SocialAccount> ConnectPageAsync(string externalId) => ConnectPageAsync(a => a.ExternalId == externalId, "page-token-2");

    private async Task<SocialAccount> ConnectPageAsync(System.Linq.Expressions.Expression<Func<SocialAccount, bool>> which, string token)
    {
        var protector = _fixture.Services.GetRequiredService<CredentialProtector>();
        await using var db = _fixture.Db();
        var account = await db.SocialAccounts.Where(a => a.Platform == Platform.Facebook).SingleAsync(which);
        account.ConnectionStatus = ConnectionStatus.Connected;
        account.ApiBaseUrl = Graph.BaseUrl.ToString();
        account.ProtectedCredentials = protector.Protect(new PlatformCredentials(AccessToken: token));
        account.PreModerated = true;
        await db.SaveChangesAsync();
        return account;
    }

    /// <summary>A new public comment arrives, as the webhook or a poll hands it over: stored, with its hide queued.</summary>
    public async Task<Guid> CommentArrivesAsync(string text = "Well done to the choir, lovely concert")
    {
        using var scope = _fixture.Services.CreateScope();
        var intake = scope.ServiceProvider.GetRequiredService<ItemIntake>();
        var commentId = $"{Account.ExternalId}_{Random.Shared.NextInt64(1_000_000, 9_999_999)}";
        var (ingested, _) = await intake.IngestAsync(
            new InboundItem(Account.Id, ItemKind.InboundComment, commentId, "Sam Parent", "fb-5551", text, DateTimeOffset.UtcNow,
                Url: $"https://www.facebook.com/{commentId}", ParentId: $"{Account.ExternalId}_1", RawJson: "{}", HideOnArrival: true),
            CancellationToken.None);
        return ingested;
    }

    public async Task<ModerationItem> ItemAsync(Guid id)
    {
        await using var db = _fixture.Db();
        return await db.Items.AsNoTracking().SingleAsync(i => i.Id == id);
    }

    public async Task<List<PlatformActionRecord>> ActionsAsync(Guid itemId)
    {
        await using var db = _fixture.Db();
        return await db.PlatformActions.AsNoTracking().Where(a => a.ItemId == itemId).OrderBy(a => a.CreatedAt).ToListAsync();
    }

    public async Task<ItemState> StateAsync(Guid id) => (await ItemAsync(id)).State;

    public Task DecideAsync(Guid itemId, bool approve) => _fixture.DecideAsync(itemId, approve);

    public int AppliedTo(string commentId, string change) => Applied.Count(a => a.CommentId == commentId && a.Change == change);

    public ValueTask DisposeAsync() => Graph.DisposeAsync();
}
