using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.YouTube;
using Moderation.Testing;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.YouTube;

public sealed class YouTubeConnectorTests : IAsyncLifetime
{
    private FakeYouTube _youTube = null!;

    public async Task InitializeAsync() => _youTube = await FakeYouTube.StartAsync();

    public async Task DisposeAsync() => await _youTube.Server.DisposeAsync();

    private static YouTubeConnector Connector(TimeProvider? time = null, PlatformOptions? options = null) =>
        new(PlatformKit.Http(options), time ?? TimeProvider.System);

    [Fact]
    public void YouTube_offers_polling_approval_and_rejection_but_no_hiding_or_publishing()
    {
        // Arrange
        var connector = Connector();

        // Act
        var capabilities = connector.Capabilities;

        // Assert
        capabilities.Should().Be(PlatformCapabilities.Poll | PlatformCapabilities.ApproveHeld | PlatformCapabilities.Delete);
        connector.DefaultApiBaseUrl.Should().Be(new Uri("https://www.googleapis.com/youtube/v3/"));
        connector.ParseWebhook("{}").Should().BeEmpty();
    }

    [Fact]
    public async Task First_connection_reads_only_the_most_recent_held_comments_in_one_request()
    {
        // Arrange
        var ids = Enumerable.Range(0, 150).Select(i => _youTube.Hold($"comment {i}")).ToList();

        // Act
        var result = await Connector().FetchAsync(_youTube.Account(), null, 30, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.PlatformItemId).Should().Equal(Enumerable.Reverse(ids).Take(30));
        result.More.Should().BeFalse();
        result.NextCursor.Should().NotBeNull();
        var request = _youTube.Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("GET");
        request.Path.Should().Be("/commentThreads");
        request.Query.Should().Be($"?part=snippet&allThreadsRelatedToChannelId={FakeYouTube.ChannelId}&moderationStatus=heldForReview&order=time&maxResults=30&textFormat=plainText");
    }

    [Fact]
    public async Task A_held_comment_is_read_with_its_author_video_link_and_raw_JSON_and_as_not_public()
    {
        // Arrange
        var id = _youTube.Hold("Well done to the under-11s 👏", videoId: "vid-football", author: "Sam's Mum");

        // Act
        var comment = (await Connector().FetchAsync(_youTube.Account(), null, 10, CancellationToken.None)).Comments.Single();

        // Assert
        comment.PlatformItemId.Should().Be(id);
        comment.Kind.Should().Be(ItemKind.InboundComment);
        comment.Text.Should().Be("Well done to the under-11s 👏");
        comment.AuthorName.Should().Be("Sam's Mum");
        comment.AuthorPlatformId.Should().Be("UCparent" + id);
        comment.PostedAt.Should().Be(new DateTimeOffset(2026, 11, 2, 9, 1, 0, TimeSpan.Zero));
        comment.ParentId.Should().Be("vid-football");
        comment.Url.Should().Be($"https://www.youtube.com/watch?v=vid-football&lc={id}");
        comment.PubliclyVisible.Should().BeFalse();
        JsonDocument.Parse(comment.RawJson).RootElement.GetProperty("id").GetString().Should().Be(id);
    }

    [Fact]
    public async Task Paging_follows_YouTube_s_page_tokens_and_a_later_poll_reads_again_only_the_comment_at_the_watermark()
    {
        // Arrange
        _ = Enumerable.Range(0, 5).Select(i => _youTube.Hold($"old {i}")).ToList();
        var connector = Connector();
        var backfill = await connector.FetchAsync(_youTube.Account(), null, 100, CancellationToken.None);
        var fresh = Enumerable.Range(0, 230).Select(i => _youTube.Hold($"new {i}")).ToList();
        _youTube.Server.Requests.Clear();

        // Act
        var (comments, cursor, more) = await PollRun.PollAsync(connector, _youTube.Account(), backfill.NextCursor);
        var again = await connector.FetchAsync(_youTube.Account(), cursor, 100, CancellationToken.None);

        // Assert
        more.Should().BeFalse();
        comments.Select(c => c.PlatformItemId).Should().Contain(fresh);
        var queries = _youTube.Server.RequestsTo("/commentThreads").Select(r => r.Query).ToList();
        queries.Should().HaveCount(4);
        queries[0].Should().NotContain("pageToken").And.Contain("maxResults=100");
        queries[1].Should().EndWith("&pageToken=page100");
        queries[2].Should().EndWith("&pageToken=page200");
        again.Comments.Select(c => c.PlatformItemId).Should().BeEquivalentTo([fresh[^1]], "only the comment at the watermark's own time is read again");
        again.More.Should().BeFalse();
    }

    [Fact]
    public async Task A_page_token_YouTube_no_longer_accepts_starts_the_run_again_from_the_newest()
    {
        // Arrange
        _youTube.Hold("before connecting");
        var connector = Connector();
        var backfill = await connector.FetchAsync(_youTube.Account(), null, 100, CancellationToken.None);
        var wave = Enumerable.Range(0, 120).Select(i => _youTube.Hold($"wave {i}")).ToList();
        var (_, stored, _) = await PollRun.PollAsync(connector, _youTube.Account(), backfill.NextCursor, maxPages: 1);
        _youTube.Server.Enqueue(new Fault.Status(400, Body: """{"error":{"code":400,"message":"The page token is invalid.","errors":[{"message":"The page token is invalid.","domain":"youtube.parameter","reason":"invalidPageToken"}]}}"""));

        // Act
        var (comments, _, more) = await PollRun.PollAsync(connector, _youTube.Account(), stored);

        // Assert
        more.Should().BeFalse();
        comments.Select(c => c.PlatformItemId).Should().Contain(wave);
        _youTube.Server.RequestsTo("/commentThreads").Select(r => r.Query.Contains("pageToken")).Should().Equal(false, false, true, false, true);
    }

    [Fact]
    public async Task With_nothing_new_a_poll_returns_nothing_and_keeps_its_watermark()
    {
        // Arrange
        _youTube.Hold("the only one");
        var connector = Connector();
        var backfill = await connector.FetchAsync(_youTube.Account(), null, 100, CancellationToken.None);
        await connector.ApplyAsync(_youTube.Account(), PlatformAction.Publish, backfill.Comments[0].PlatformItemId, CancellationToken.None);

        // Act
        var result = await connector.FetchAsync(_youTube.Account(), backfill.NextCursor, 100, CancellationToken.None);

        // Assert
        result.Comments.Should().BeEmpty();
        result.More.Should().BeFalse();
        result.NextCursor.Should().Be(backfill.NextCursor);
    }

    [Theory]
    [InlineData(PlatformAction.Publish, "published")]
    [InlineData(PlatformAction.Delete, "rejected")]
    public async Task Approval_publishes_and_rejection_rejects_the_comment_with_setModerationStatus(PlatformAction action, string status)
    {
        // Arrange
        var id = _youTube.Hold("Can't wait for the summer fair");

        // Act
        var result = await Connector().ApplyAsync(_youTube.Account(), action, id, CancellationToken.None);

        // Assert
        var request = _youTube.Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/comments/setModerationStatus");
        request.Query.Should().Be($"?id={id}&moderationStatus={status}");
        request.Body.Should().BeEmpty();
        _youTube.Moderated.Should().Equal((id, status));
        result.PlatformId.Should().Be(id);
        result.Description.Should().Contain(status);
    }

    [Fact]
    public async Task Moderating_many_comments_takes_one_call_per_fifty_ids()
    {
        // Arrange
        var ids = Enumerable.Range(0, 120).Select(i => _youTube.Hold($"spam {i}")).ToList();

        // Act
        await Connector().SetModerationStatusAsync(_youTube.Account(), ids, YouTubeModerationStatus.Rejected, CancellationToken.None);

        // Assert
        var calls = _youTube.Server.RequestsTo("/comments/setModerationStatus", "POST")
            .Select(r => System.Web.HttpUtility.ParseQueryString(r.Query)).ToList();
        calls.Select(q => q["id"]!.Split(',').Length).Should().Equal(50, 50, 20);
        calls.SelectMany(q => q["id"]!.Split(',')).Should().Equal(ids);
        calls.Should().OnlyContain(q => q["moderationStatus"] == "rejected");
    }

    [Theory]
    [InlineData(PlatformAction.Hide)]
    [InlineData(PlatformAction.Unhide)]
    public async Task YouTube_cannot_hide_so_hiding_is_refused_without_a_call(PlatformAction action)
    {
        // Arrange
        var id = _youTube.Hold("hello");

        // Act
        var act = () => Connector().ApplyAsync(_youTube.Account(), action, id, CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Rejected);
        _youTube.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Publishing_a_post_is_refused_because_the_API_cannot()
    {
        // Arrange
        var publication = new Publication(Guid.NewGuid(), "Our sports day photos", []);

        // Act
        var act = () => Connector().PublishAsync(_youTube.Account(), publication, CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.Rejected);
        thrown.Which.Message.Should().Be("YouTube cannot publish posts through its API");
        _youTube.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_spent_daily_quota_403_is_rate_limited_until_midnight_Pacific_and_not_retried()
    {
        // Arrange: 20:00 UTC on 2 November 2026 is noon in California (PST, after the clocks went back on 1 November).
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 2, 20, 0, 0, TimeSpan.Zero));
        _youTube.Server.Enqueue(new Fault.Status(403, Body: GoogleError(403, "quotaExceeded", "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.")));

        // Act
        var act = () => Connector(clock).FetchAsync(_youTube.Account(), null, 10, CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.RateLimited);
        thrown.Which.RetryAfter.Should().Be(TimeSpan.FromHours(12));
        thrown.Which.Message.Should().Contain("quotaExceeded");
        _youTube.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_rate_limit_403_is_retried_like_a_429()
    {
        // Arrange
        _youTube.Hold("hello");
        _youTube.Server.Enqueue(new Fault.Status(403, Body: GoogleError(403, "rateLimitExceeded", "Too many requests.")));

        // Act
        var result = await Connector().FetchAsync(_youTube.Account(), null, 10, CancellationToken.None);

        // Assert
        result.Comments.Should().ContainSingle();
        _youTube.Server.Requests.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(401, "authError", "/commentThreads", PlatformFailure.Unauthorized)]
    [InlineData(403, "insufficientPermissions", "/commentThreads", PlatformFailure.Unauthorized)]
    [InlineData(403, "forbidden", "/commentThreads", PlatformFailure.Unauthorized)]
    [InlineData(403, "commentsDisabled", "/commentThreads", PlatformFailure.Rejected)]
    [InlineData(403, "forbidden", "/comments/setModerationStatus", PlatformFailure.Rejected)]
    [InlineData(404, "commentNotFound", "/comments/setModerationStatus", PlatformFailure.NotFound)]
    [InlineData(400, "processingFailure", "/comments/setModerationStatus", PlatformFailure.Rejected)]
    public async Task Google_error_reasons_are_told_apart(int status, string reason, string path, PlatformFailure expected)
    {
        // Arrange
        var id = _youTube.Hold("hello");
        _youTube.Server.Enqueue(new Fault.Status(status, Body: GoogleError(status, reason, "Google's explanation.")) { PathContains = path });
        var connector = Connector();

        // Act
        Func<Task> act = () => path == "/commentThreads"
            ? connector.FetchAsync(_youTube.Account(), null, 10, CancellationToken.None)
            : connector.ApplyAsync(_youTube.Account(), PlatformAction.Delete, id, CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<Exception>();
        var failure = thrown.Which.Should().BeOfType<PlatformCallException>().Subject;
        failure.Failure.Should().Be(expected);
        failure.Status.Should().Be(status);
        failure.Message.Should().Contain(reason).And.Contain("Google's explanation.").And.NotContain(FakeYouTube.Token);
        _youTube.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Testing_the_connection_names_the_channel_the_token_belongs_to()
    {
        // Act
        var name = await Connector().TestAsync(_youTube.Account(), CancellationToken.None);

        // Assert
        name.Should().Be("Hilltop Primary School");
        _youTube.Server.Requests.Should().ContainSingle().Which.PathAndQuery.Should().Be("/channels?part=snippet&mine=true");
    }

    private static string GoogleError(int code, string reason, string message) =>
        JsonSerializer.Serialize(new { error = new { code, message, errors = new[] { new { message, domain = "youtube.quota", reason } } } });
}
