using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.Meta;
using Moderation.Domain.Schools;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>
/// Meta's webhook endpoint: the subscription check, then signed bodies stored with their outbox message before the
/// answer, and everything else refused without storing anything.
/// </summary>
public sealed class MetaWebhookTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string FacebookPageId = "100200300400500";
    private const string InstagramUserId = "17841400000000001";
    private const string WebhookReceivedType = "Moderation.Contracts.WebhookReceived";

    private static string PageBody(string pageId = FacebookPageId, string commentId = "7001_9001", string message = "Will the school be open on Monday?") => $$$"""
        {"object":"page","entry":[{"id":"{{{pageId}}}","time":1795600805,"changes":[{"field":"feed","value":{
          "item":"comment","verb":"add","comment_id":"{{{commentId}}}","post_id":"{{{pageId}}}_7001","parent_id":"{{{pageId}}}_7001",
          "from":{"id":"5550001","name":"A Parent"},"message":"{{{message}}}","created_time":1795600800}}]}]}
        """;

    private static string InstagramBody() => $$$"""
        {"object":"instagram","entry":[{"id":"{{{InstagramUserId}}}","time":1795600805,"changes":[{"field":"comments","value":{
          "from":{"id":"232323232","username":"test_parent"},"media":{"id":"18000000000000001","media_product_type":"FEED"},
          "id":"17865799348089039","text":"Lovely photo"}}]}]}
        """;

    /// <summary>Connects the school's account as an administrator would: status, encrypted token, and an API address that goes nowhere.</summary>
    private async Task<Guid> ConnectAsync(Platform platform, string school = "fleming-primary")
    {
        var protector = Fixture.Factory.Services.GetRequiredService<CredentialProtector>();
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.SingleAsync(a => a.SchoolId == Fixture.Schools[school] && a.Platform == platform);
        account.ConnectionStatus = ConnectionStatus.Connected;
        account.ProtectedCredentials = protector.Protect(new PlatformCredentials(AccessToken: "test-page-token"));
        account.ConnectedAt = DateTimeOffset.UtcNow;

        // Whatever the worker does on the platform for these comments fails fast on this machine.
        account.ApiBaseUrl = "http://127.0.0.1:9/v21.0/";
        await db.SaveChangesAsync();
        return account.Id;
    }

    private HttpClient Meta() => Fixture.Anonymous();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? signature, bool sized = true)
    {
        HttpContent content = sized ? new ByteArrayContent(Encoding.UTF8.GetBytes(body)) : new UnsizedContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/meta") { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation(MetaWebhooks.SignatureHeader, signature);
        }

        return await client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> PostSignedAsync(HttpClient client, string body, bool sized = true) =>
        PostAsync(client, body, MetaWebhooks.Sign(ApiFixture.MetaAppSecret, Encoding.UTF8.GetBytes(body)), sized);

    private async Task<(int Deliveries, int Messages)> StoredAsync()
    {
        await using var db = Fixture.Db();
        return (await db.WebhookDeliveries.CountAsync(), await db.Outbox.CountAsync(o => o.Type == WebhookReceivedType));
    }

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task The_subscription_check_with_our_verify_token_echoes_the_challenge_as_plain_text()
    {
        using var client = Meta();

        using var response = await client.GetAsync($"/webhooks/meta?hub.mode=subscribe&hub.verify_token={ApiFixture.MetaVerifyToken}&hub.challenge=1158201444");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await response.Content.ReadAsStringAsync()).Should().Be("1158201444");
    }

    [Theory]
    [InlineData("hub.mode=subscribe&hub.verify_token=someone-elses&hub.challenge=1158201444")]
    [InlineData("hub.mode=subscribe&hub.challenge=1158201444")]
    [InlineData("hub.mode=unsubscribe&hub.verify_token=" + ApiFixture.MetaVerifyToken + "&hub.challenge=1158201444")]
    [InlineData("")]
    public async Task A_subscription_check_without_our_verify_token_is_403(string query)
    {
        using var client = Meta();

        using var response = await client.GetAsync($"/webhooks/meta?{query}");

        await ShouldBeProblemAsync(response, HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("1158201444");
    }

    [Fact]
    public async Task A_signed_body_for_a_connected_Page_is_stored_with_its_message_and_the_worker_ingests_its_comment()
    {
        // Arrange
        var accountId = await ConnectAsync(Platform.Facebook);
        var body = PageBody();
        using var client = Meta();

        // Act
        using var response = await PostSignedAsync(client, body);

        // Assert: stored before the answer.
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await using var db = Fixture.Db();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync();
        delivery.Platform.Should().Be(Platform.Facebook);
        delivery.SocialAccountId.Should().Be(accountId);
        delivery.Body.Should().Be(body);
        delivery.BodySha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body))));
        var message = await db.Outbox.AsNoTracking().SingleAsync(o => o.Type == WebhookReceivedType);
        message.Payload.Should().Contain(delivery.Id.ToString()).And.Contain("Facebook");

        // Then the worker parses it: one item, hidden on arrival (the account is pre-moderated).
        var processed = await Eventually.WaitForAsync(
            async () =>
            {
                await using var check = Fixture.Db();
                return await check.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == delivery.Id);
            },
            d => d.ProcessedAt is not null,
            "the worker to process the delivery");
        processed.CommentCount.Should().Be(1);
        processed.Error.Should().BeNull();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.SocialAccountId == accountId && i.PlatformItemId == "7001_9001");
        item.Kind.Should().Be(ItemKind.InboundComment);
        item.Text.Should().Be("Will the school be open on Monday?");
        item.PlatformParentId.Should().Be($"{FacebookPageId}_7001");
        item.PlatformUrl.Should().Be($"https://www.facebook.com/{FacebookPageId}/posts/7001?comment_id=9001");
        (await db.PlatformActions.AsNoTracking().SingleAsync(a => a.ItemId == item.Id)).Should()
            .Match<PlatformActionRecord>(a => a.Action == PlatformAction.Hide && a.Purpose == ActionPurpose.Arrival);
    }

    [Fact]
    public async Task A_signed_Instagram_body_is_stored_for_the_Instagram_account()
    {
        // Arrange
        var accountId = await ConnectAsync(Platform.Instagram);
        using var client = Meta();

        // Act
        using var response = await PostSignedAsync(client, InstagramBody());

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = Fixture.Db();
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync();
        delivery.Platform.Should().Be(Platform.Instagram);
        delivery.SocialAccountId.Should().Be(accountId);
        (await db.Outbox.CountAsync(o => o.Type == WebhookReceivedType)).Should().Be(1);
    }

    public static TheoryData<string?> BadSignatures => new()
    {
        null,
        "",
        "sha256=",
        "sha256=" + new string('0', 64),
        MetaWebhooks.Sign("another-apps-secret", Encoding.UTF8.GetBytes(PageBody())),
        MetaWebhooks.Sign(ApiFixture.MetaAppSecret, Encoding.UTF8.GetBytes(PageBody(message: "a different body"))),
        MetaWebhooks.Sign(ApiFixture.MetaAppSecret, Encoding.UTF8.GetBytes(PageBody()))[7..],
    };

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task A_body_without_a_valid_signature_is_401_and_nothing_is_stored(string? signature)
    {
        // Arrange
        await ConnectAsync(Platform.Facebook);
        var before = await StoredAsync();
        using var client = Meta();

        // Act
        using var response = await PostAsync(client, PageBody(), signature);

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.Unauthorized);
        (await StoredAsync()).Should().Be(before);
    }

    [Fact]
    public async Task The_same_body_delivered_twice_is_stored_once()
    {
        // Arrange
        await ConnectAsync(Platform.Facebook);
        using var client = Meta();

        // Act
        using var first = await PostSignedAsync(client, PageBody());
        using var second = await PostSignedAsync(client, PageBody());

        // Assert
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.OK, "Meta would otherwise keep redelivering it");
        (await StoredAsync()).Should().Be((1, 1));
    }

    [Fact]
    public async Task A_body_for_no_connected_account_is_404_and_nothing_is_stored()
    {
        // Arrange: the seeded Page exists but is not connected; the other id is nobody's.
        var before = await StoredAsync();
        using var client = Meta();

        // Act
        using var seededButNotConnected = await PostSignedAsync(client, PageBody());
        using var unknown = await PostSignedAsync(client, PageBody(pageId: "999999999999"));

        // Assert
        await ShouldBeProblemAsync(seededButNotConnected, HttpStatusCode.NotFound);
        await ShouldBeProblemAsync(unknown, HttpStatusCode.NotFound);
        (await StoredAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_Page_body_does_not_reach_an_Instagram_account_with_the_same_id()
    {
        // Arrange: only the Instagram account is connected; a "page" body naming its id is not its.
        await ConnectAsync(Platform.Instagram);
        using var client = Meta();

        // Act
        using var response = await PostSignedAsync(client, PageBody(pageId: InstagramUserId));

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        (await StoredAsync()).Should().Be((0, 0));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_413_and_nothing_is_stored(bool withContentLength)
    {
        // Arrange
        await ConnectAsync(Platform.Facebook);
        var body = PageBody(message: new string('a', ApiFixture.WebhookMaxBodyBytes));
        using var client = Meta();

        // Act
        using var response = await PostSignedAsync(client, body, withContentLength);

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        (await StoredAsync()).Should().Be((0, 0));
    }

    [Theory]
    [InlineData("{\"object\":\"page\",\"entry\":[")]
    [InlineData("not json at all")]
    [InlineData("""{"object":"user","entry":[{"id":"100200300400500"}]}""")]
    [InlineData("""{"object":"page"}""")]
    public async Task A_signed_body_that_is_not_a_Meta_body_is_400_and_nothing_is_stored(string body)
    {
        // Arrange
        await ConnectAsync(Platform.Facebook);
        using var client = Meta();

        // Act
        using var response = await PostSignedAsync(client, body);

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        (await StoredAsync()).Should().Be((0, 0));
    }

    /// <summary>A body sent without a Content-Length (chunked), so the limit is found by reading.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
