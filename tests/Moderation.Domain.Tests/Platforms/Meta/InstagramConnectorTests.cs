using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.Meta;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.Meta;

/// <summary>The Instagram connector against a fake Graph API over real HTTP, with the shapes Meta documents.</summary>
public sealed class InstagramConnectorTests : IAsyncLifetime
{
    private const string UserId = "17841400000000001";
    private const string MediaA = "18000000000000001";
    private const string MediaB = "18000000000000002";
    private const string MediaC = "18000000000000003";
    private static readonly byte[] s_jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F'];
    private FakeGraph _graph = null!;
    private readonly StubLinks _links = new();

    public async Task InitializeAsync() => _graph = await FakeGraph.StartAsync();

    public async Task DisposeAsync() => await _graph.DisposeAsync();

    private InstagramConnector Connector() => new(PlatformKit.Http(), TimeProvider.System, _links);

    private ConnectedAccount Account() => _graph.Account(Platform.Instagram, UserId, "@flemingprimary");

    private static Dictionary<string, object?> Comment(string id, string text, string at, string username = "parent_one", string fromId = "5550001", bool hidden = false, params object[] replies)
    {
        var comment = new Dictionary<string, object?>
        {
            ["id"] = id,
            ["text"] = text,
            ["username"] = username,
            ["from"] = new { id = fromId, username },
            ["timestamp"] = at,
            ["hidden"] = hidden,
        };
        if (replies.Length > 0)
        {
            comment["replies"] = new { data = replies };
        }

        return comment;
    }

    private static string List(IEnumerable<object> items) => JsonSerializer.Serialize(new { data = items, paging = new { cursors = new { before = "b0", after = "a0" } } });

    [Fact]
    public void It_offers_what_Instagram_allows_photos_but_not_text_alone()
    {
        var connector = Connector();

        connector.Platform.Should().Be(Platform.Instagram);
        connector.Capabilities.Should().Be(PlatformCapabilities.Poll | PlatformCapabilities.Webhook | PlatformCapabilities.Hide
            | PlatformCapabilities.Delete | PlatformCapabilities.PublishPhotos);
        connector.Capabilities.HasFlag(PlatformCapabilities.PublishText).Should().BeFalse();
        connector.Capabilities.Supports(PlatformAction.Publish, ownPost: true, photos: true).Should().BeTrue("a photo post can be published");
        connector.Capabilities.Supports(PlatformAction.Publish, ownPost: true, photos: false).Should().BeFalse("Instagram takes no text-only post");
        connector.Capabilities.Supports(PlatformAction.Publish).Should().BeFalse("Instagram holds no comments for approval");
    }

    [Fact]
    public async Task A_poll_reads_the_recent_medias_comments_and_replies_without_the_accounts_own()
    {
        // Arrange
        _graph.On("GET", $"{UserId}/media", List([
            new { id = MediaA, timestamp = "2026-11-19T08:00:00+0000", permalink = "https://www.instagram.com/p/AbC123/", comments_count = 4 },
            new { id = MediaB, timestamp = "2026-11-18T08:00:00+0000", permalink = "https://www.instagram.com/p/DeF456/", comments_count = 0 },
        ]));
        _graph.On("GET", $"{MediaA}/comments", List([
            Comment("17900000000000001", "Great day!", "2026-11-20T10:00:00+0000", replies:
            [
                Comment("17900000000000002", "Thank you!", "2026-11-20T10:05:00+0000", username: "flemingprimary", fromId: UserId),
                Comment("17900000000000003", "Agreed", "2026-11-20T10:06:00+0000", username: "parent_two", fromId: "5550002", hidden: true),
            ]),
            Comment("17900000000000004", "Who is the girl on the left?", "2026-11-20T09:00:00+0000", username: "stranger", fromId: "5550003"),
        ]));

        // Act
        var result = await Connector().FetchAsync(Account(), null, 100, CancellationToken.None);

        // Assert
        result.More.Should().BeFalse();
        result.Comments.Select(c => c.PlatformItemId).Should().Equal("17900000000000003", "17900000000000001", "17900000000000004");
        var reply = result.Comments[0];
        reply.Kind.Should().Be(ItemKind.InboundComment);
        reply.AuthorName.Should().Be("parent_two");
        reply.AuthorPlatformId.Should().Be("5550002");
        reply.ParentId.Should().Be("17900000000000001", "a reply belongs to the comment it answers");
        reply.PubliclyVisible.Should().BeFalse("it is already hidden");
        reply.Url.Should().Be("https://www.instagram.com/p/AbC123/");
        reply.PostedAt.Should().Be(new DateTimeOffset(2026, 11, 20, 10, 6, 0, TimeSpan.Zero));
        var top = result.Comments[1];
        top.ParentId.Should().Be(MediaA);
        top.PubliclyVisible.Should().BeTrue();
        top.Text.Should().Be("Great day!");
        JsonDocument.Parse(top.RawJson).RootElement.TryGetProperty("replies", out _).Should().BeFalse("replies are items of their own");

        _graph.To($"{MediaB}/comments").Should().BeEmpty("a media without comments is not read");
        FakeGraph.Query(_graph.To($"{MediaA}/comments").Single())["fields"].Should()
            .Be("id,text,username,from,timestamp,hidden,replies{id,text,username,from,timestamp,hidden}");
        _graph.Server.Requests.Should().OnlyContain(r => r.Authorization == "Bearer page-token-123");
    }

    [Fact]
    public async Task The_next_poll_returns_only_comments_from_the_mark_on()
    {
        // Arrange
        _graph.On("GET", $"{UserId}/media", List([new { id = MediaA, permalink = "https://www.instagram.com/p/AbC123/", comments_count = 1 }]));
        _graph.On("GET", $"{MediaA}/comments", List([Comment("179001", "first", "2026-11-20T10:00:00+0000")]));
        var connector = Connector();
        var cursor = (await connector.FetchAsync(Account(), null, 100, CancellationToken.None)).NextCursor;

        // Instagram lists comments oldest first here: the connector does not rely on the order.
        _graph.On("GET", $"{MediaA}/comments", List([
            Comment("179000", "older", "2026-11-19T10:00:00+0000"),
            Comment("179001", "first", "2026-11-20T10:00:00+0000"),
            Comment("179002", "second", "2026-11-20T11:00:00+0000"),
        ]));

        // Act
        var result = await connector.FetchAsync(Account(), cursor, 100, CancellationToken.None);

        // Assert: "first" is within the minute before the mark and is read again; "older" is not.
        result.Comments.Select(c => c.Text).Should().Equal("second", "first");
    }

    [Theory]
    [InlineData(PlatformAction.Hide, "true")]
    [InlineData(PlatformAction.Unhide, "false")]
    public async Task Hiding_and_showing_post_hide_to_the_comment(PlatformAction action, string expected)
    {
        _graph.On("POST", "179001", """{"success":true}""");

        await Connector().ApplyAsync(Account(), action, "179001", CancellationToken.None);

        FakeGraph.Form(_graph.To("179001", "POST").Should().ContainSingle().Subject)
            .Should().Equal(new Dictionary<string, string> { ["hide"] = expected });
    }

    [Fact]
    public async Task Deleting_sends_DELETE_to_the_comment()
    {
        _graph.On("DELETE", "179001", """{"success":true}""");

        await Connector().ApplyAsync(Account(), PlatformAction.Delete, "179001", CancellationToken.None);

        _graph.To("179001", "DELETE").Should().ContainSingle();
    }

    [Fact]
    public async Task An_expired_token_is_Unauthorized()
    {
        _graph.On("DELETE", "179001", _ => GraphAnswer.Error(400, 190, "Error validating access token: The session has been invalidated", 460));

        var act = () => Connector().ApplyAsync(Account(), PlatformAction.Delete, "179001", CancellationToken.None);

        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Unauthorized);
    }

    [Fact]
    public async Task One_photo_is_published_from_its_public_link_with_the_caption()
    {
        // Arrange
        _graph.On("POST", $"{UserId}/media", """{"id":"17890000000000101"}""");
        _graph.On("POST", $"{UserId}/media_publish", """{"id":"18000000000000777"}""");
        _graph.On("GET", "18000000000000777", """{"permalink":"https://www.instagram.com/p/XyZ789/","id":"18000000000000777"}""");
        var photo = new PublicationPhoto("quiz.jpg", "image/jpeg", s_jpeg, Guid.NewGuid());

        // Act
        var result = await Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "Quiz night!", [photo]), CancellationToken.None);

        // Assert
        FakeGraph.Form(_graph.To($"{UserId}/media", "POST").Should().ContainSingle().Subject).Should().Equal(new Dictionary<string, string>
        {
            ["image_url"] = _links.LinkFor(photo.MediaId!.Value).AbsoluteUri,
            ["caption"] = "Quiz night!",
        });
        FakeGraph.Form(_graph.To($"{UserId}/media_publish").Should().ContainSingle().Subject)
            .Should().Equal(new Dictionary<string, string> { ["creation_id"] = "17890000000000101" });
        result.PlatformId.Should().Be("18000000000000777");
        result.Url.Should().Be("https://www.instagram.com/p/XyZ789/");
    }

    [Fact]
    public async Task Several_photos_become_a_carousel()
    {
        // Arrange
        var created = 0;
        _graph.On("POST", $"{UserId}/media", _ => GraphAnswer.Ok($$"""{"id":"c{{Interlocked.Increment(ref created)}}"}"""));
        _graph.On("POST", $"{UserId}/media_publish", """{"id":"18000000000000778"}""");
        var photos = Enumerable.Range(1, 3).Select(i => new PublicationPhoto($"p{i}.jpg", "image/jpeg", s_jpeg, Guid.NewGuid())).ToList();

        // Act
        var result = await Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "Sports day", photos), CancellationToken.None);

        // Assert
        var containers = _graph.To($"{UserId}/media", "POST").Select(FakeGraph.Form).ToList();
        containers.Should().HaveCount(4);
        containers.Take(3).Select(c => c["image_url"]).Should().Equal(photos.Select(p => _links.LinkFor(p.MediaId!.Value).AbsoluteUri));
        containers.Take(3).Should().OnlyContain(c => c["is_carousel_item"] == "true" && !c.ContainsKey("caption"));
        containers[3].Should().Equal(new Dictionary<string, string> { ["media_type"] = "CAROUSEL", ["children"] = "c1,c2,c3", ["caption"] = "Sports day" });
        FakeGraph.Form(_graph.To($"{UserId}/media_publish").Single())["creation_id"].Should().Be("c4");
        result.PlatformId.Should().Be("18000000000000778");
        result.Url.Should().BeNull("the Graph gave no permalink");
    }

    [Fact]
    public async Task A_container_still_processing_is_published_on_a_retry()
    {
        // Arrange
        var attempts = 0;
        _graph.On("POST", $"{UserId}/media", """{"id":"17890000000000101"}""");
        _graph.On("POST", $"{UserId}/media_publish", _ => Interlocked.Increment(ref attempts) == 1
            ? GraphAnswer.Error(400, 9007, "The media is not ready for publishing, please wait for a moment", 2207027)
            : GraphAnswer.Ok("""{"id":"18000000000000779"}"""));

        // Act
        var result = await Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "", [new PublicationPhoto("a.jpg", "image/jpeg", s_jpeg, Guid.NewGuid())]), CancellationToken.None);

        // Assert
        result.PlatformId.Should().Be("18000000000000779");
        _graph.To($"{UserId}/media_publish").Should().HaveCount(2);
        _graph.To($"{UserId}/media", "POST").Should().ContainSingle("the container is made once");
    }

    [Fact]
    public async Task Text_alone_is_refused_without_calling_Instagram()
    {
        var act = () => Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "Just words", []), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.Rejected);
        ex.Message.Should().Contain("text alone");
        _graph.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task A_photo_Instagram_cannot_take_is_refused_with_the_reason()
    {
        var png = new PublicationPhoto("chart.png", "image/png", [0x89, 0x50, 0x4E, 0x47], Guid.NewGuid());

        var act = () => Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "Results", [png]), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.Rejected);
        ex.Message.Should().Contain("JPEG").And.Contain("chart.png");
        _graph.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Without_a_public_address_for_the_service_publishing_is_refused()
    {
        _links.Unavailable = true;

        var act = () => Connector().PublishAsync(Account(), new Publication(Guid.NewGuid(), "Hi", [new PublicationPhoto("a.jpg", "image/jpeg", s_jpeg, Guid.NewGuid())]), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.Rejected);
        ex.Message.Should().Contain("Notifications:PublicBaseUrl");
        _graph.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task The_connection_test_names_the_account()
    {
        _graph.On("GET", UserId, $$"""{"id":"{{UserId}}","username":"flemingprimary"}""");

        (await Connector().TestAsync(Account(), CancellationToken.None)).Should().Be($"Instagram account @flemingprimary ({UserId})");
    }

    [Fact]
    public async Task Media_past_the_first_page_are_not_scanned()
    {
        // Arrange: the media list says there are more, but a poll reads the most recent page only.
        _graph.On("GET", $"{UserId}/media", _ => GraphAnswer.Ok(JsonSerializer.Serialize(new
        {
            data = new[] { new { id = MediaC, comments_count = 1 } },
            paging = new { cursors = new { after = "m1" }, next = "https://graph.facebook.com/v21.0/x/media?after=m1" },
        })));
        _graph.On("GET", $"{MediaC}/comments", List([Comment("179100", "hello", "2026-11-20T10:00:00+0000")]));

        // Act
        var result = await Connector().FetchAsync(Account(), null, 100, CancellationToken.None);

        // Assert
        result.Comments.Should().ContainSingle();
        _graph.To($"{UserId}/media", "GET").Should().ContainSingle();
    }

    private sealed class StubLinks : IPublicMediaLinks
    {
        public bool Unavailable { get; set; }

        public Uri LinkFor(Guid mediaId) => Unavailable
            ? throw new PublicMediaUnavailableException("no public address is configured (Notifications:PublicBaseUrl)")
            : new Uri($"https://moderation.test/public/media/{mediaId:N}");

        public bool TryRead(string token, out Guid mediaId) => Guid.TryParseExact(token, "N", out mediaId);
    }
}
