using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.Meta;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.Meta;

/// <summary>The Facebook Page connector against a fake Graph API over real HTTP, with the shapes Meta documents.</summary>
public sealed class FacebookConnectorTests : IAsyncLifetime
{
    private const string PageId = "100200300400500";
    private const string PostA = PageId + "_7001";
    private const string PostB = PageId + "_7002";
    private FakeGraph _graph = null!;

    public async Task InitializeAsync() => _graph = await FakeGraph.StartAsync();

    public async Task DisposeAsync() => await _graph.DisposeAsync();

    private static FacebookConnector Connector(PlatformOptions? options = null) => new(PlatformKit.Http(options), TimeProvider.System);

    private ConnectedAccount Page() => _graph.Account(Platform.Facebook, PageId, "@FlemingPrimary");

    private static object Comment(string id, string text, string at, string fromId = "5550001", string fromName = "A Parent", bool hidden = false, string? parent = null) =>
        new Dictionary<string, object?>
        {
            ["id"] = id,
            ["message"] = text,
            ["from"] = new { id = fromId, name = fromName },
            ["created_time"] = at,
            ["is_hidden"] = hidden,
            ["permalink_url"] = $"https://www.facebook.com/{PageId}/posts/7001?comment_id={id.Split('_')[^1]}",
            ["parent"] = parent is null ? null : new { id = parent },
        };

    private static string List(IEnumerable<object> items, string? after = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["data"] = items,
        ["paging"] = after is null
            ? new { cursors = new { before = "b0" } }
            : new { cursors = new { before = "b0", after }, next = $"https://graph.facebook.com/v21.0/x/comments?after={after}" },
    });

    private void Posts(params (string Id, string Updated)[] posts) =>
        _graph.On("GET", $"{PageId}/posts", List(posts.Select(p => new { id = p.Id, created_time = "2026-11-01T08:00:00+0000", updated_time = p.Updated })));

    private void Comments(string postId, params object[] comments) => _graph.On("GET", $"{postId}/comments", List(comments));

    [Fact]
    public void It_offers_what_a_Page_allows()
    {
        var connector = Connector();

        connector.Platform.Should().Be(Platform.Facebook);
        connector.Capabilities.Should().Be(PlatformCapabilities.Poll | PlatformCapabilities.Webhook | PlatformCapabilities.Hide
            | PlatformCapabilities.Delete | PlatformCapabilities.PublishText | PlatformCapabilities.PublishPhotos);
        connector.DefaultApiBaseUrl.Should().Be(new Uri("https://graph.facebook.com/v21.0/"));
    }

    [Fact]
    public async Task The_first_poll_reads_the_recent_posts_comments_newest_first_without_the_Pages_own()
    {
        // Arrange
        Posts((PostA, "2026-11-20T10:05:00+0000"), (PostB, "2026-11-19T09:00:00+0000"));
        Comments(PostA,
            Comment("7001_3", "Thank you!", "2026-11-20T10:05:00+0000", fromId: PageId, fromName: "Fleming Primary"),
            Comment("7001_2", "Is the trip still on?", "2026-11-20T10:01:00+0000", hidden: true, parent: "7001_1"),
            Comment("7001_1", "Well done Year 4", "2026-11-20T09:00:00+0000"));
        Comments(PostB, Comment("7002_1", "Lovely photos", "2026-11-19T09:00:00+0000", fromId: "5550002", fromName: "A Grandparent"));

        // Act
        var result = await Connector().FetchAsync(Page(), null, 100, CancellationToken.None);

        // Assert
        result.More.Should().BeFalse();
        result.NextCursor.Should().NotBeNullOrEmpty();
        result.Comments.Select(c => c.PlatformItemId).Should().Equal("7001_2", "7001_1", "7002_1");
        var reply = result.Comments[0];
        reply.Kind.Should().Be(ItemKind.InboundComment);
        reply.AuthorName.Should().Be("A Parent");
        reply.AuthorPlatformId.Should().Be("5550001");
        reply.Text.Should().Be("Is the trip still on?");
        reply.PostedAt.Should().Be(new DateTimeOffset(2026, 11, 20, 10, 1, 0, TimeSpan.Zero));
        reply.ParentId.Should().Be("7001_1", "a reply belongs to the comment it answers");
        reply.PubliclyVisible.Should().BeFalse("it is already hidden on the Page");
        reply.Url.Should().Be($"https://www.facebook.com/{PageId}/posts/7001?comment_id=2");
        JsonDocument.Parse(reply.RawJson).RootElement.GetProperty("id").GetString().Should().Be("7001_2");
        result.Comments[1].ParentId.Should().Be(PostA);
        result.Comments[1].PubliclyVisible.Should().BeTrue();

        var commentsRequest = _graph.To($"{PostA}/comments").Should().ContainSingle().Subject;
        var query = FakeGraph.Query(commentsRequest);
        query["filter"].Should().Be("stream");
        query["order"].Should().Be("reverse_chronological");
        query["fields"].Should().Be("id,message,from,created_time,is_hidden,permalink_url,parent");
        _graph.Server.Requests.Should().OnlyContain(r => r.Authorization == "Bearer page-token-123" && !r.Query.Contains("access_token"));
    }

    [Fact]
    public async Task Comments_are_read_across_Graph_pages_by_the_after_cursor()
    {
        // Arrange
        Posts((PostA, "2026-11-20T10:05:00+0000"));
        _graph.On("GET", $"{PostA}/comments", request => GraphAnswer.Ok(request.Query["after"].ToString() switch
        {
            "" => List([Comment("7001_3", "third", "2026-11-20T10:03:00+0000"), Comment("7001_2", "second", "2026-11-20T10:02:00+0000")], after: "c2"),
            "c2" => List([Comment("7001_1", "first", "2026-11-20T10:01:00+0000")]),
            var other => throw new InvalidOperationException($"unexpected cursor {other}"),
        }));

        // Act
        var result = await Connector().FetchAsync(Page(), null, 100, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.Text).Should().Equal("third", "second", "first");
        _graph.To($"{PostA}/comments").Select(r => FakeGraph.Query(r).GetValueOrDefault("after")).Should().Equal(null, "c2");
    }

    [Fact]
    public async Task The_first_poll_backfills_only_the_most_recent_comments_and_the_next_poll_reads_only_what_is_new()
    {
        // Arrange
        Posts((PostA, "2026-11-20T10:00:00+0000"));
        Comments(PostA, Enumerable.Range(1, 5).Reverse().Select(i => Comment($"7001_{i}", $"comment {i}", $"2026-11-20T0{i}:00:00+0000")).ToArray());
        var connector = Connector();

        // Act
        var first = await connector.FetchAsync(Page(), null, 3, CancellationToken.None);
        Posts((PostA, "2026-11-20T11:00:00+0000"));
        Comments(PostA, new[] { Comment("7001_6", "comment 6", "2026-11-20T11:00:00+0000") }
            .Concat(Enumerable.Range(1, 5).Reverse().Select(i => Comment($"7001_{i}", $"comment {i}", $"2026-11-20T0{i}:00:00+0000"))).ToArray());
        var second = await connector.FetchAsync(Page(), first.NextCursor, 3, CancellationToken.None);

        // Assert
        first.Comments.Select(c => c.Text).Should().Equal("comment 5", "comment 4", "comment 3");
        first.More.Should().BeFalse("older comments are left alone on first connection");
        second.Comments.Select(c => c.Text).Should().Equal(["comment 6", "comment 5"],
            "the next poll starts a minute before the newest comment read (comment 5 again, which intake stores once), and not before");
        second.More.Should().BeFalse();
    }

    [Fact]
    public async Task More_new_comments_than_one_call_returns_are_read_down_in_order_without_repeats_or_gaps()
    {
        // Arrange: a first poll sets the mark at 08:00.
        Posts((PostA, "2026-11-20T08:00:00+0000"));
        Comments(PostA, Comment("7001_0", "before", "2026-11-20T08:00:00+0000"));
        var connector = Connector();
        var cursor = (await connector.FetchAsync(Page(), null, 10, CancellationToken.None)).NextCursor;

        // Five new comments, two in the same second.
        Posts((PostA, "2026-11-20T12:00:00+0000"));
        Comments(PostA,
            Comment("7001_5", "five", "2026-11-20T12:00:00+0000"),
            Comment("7001_4", "four", "2026-11-20T11:00:00+0000"),
            Comment("7001_3b", "three b", "2026-11-20T10:00:00+0000"),
            Comment("7001_3a", "three a", "2026-11-20T10:00:00+0000"),
            Comment("7001_2", "two", "2026-11-20T09:00:00+0000"),
            Comment("7001_0", "before", "2026-11-20T08:00:00+0000"));

        // Act
        var calls = new List<FetchResult>();
        do
        {
            var result = await connector.FetchAsync(Page(), cursor, 2, CancellationToken.None);
            calls.Add(result);
            cursor = result.NextCursor ?? cursor;
        }
        while (calls[^1].More && calls.Count < 10);
        var after = await connector.FetchAsync(Page(), cursor, 2, CancellationToken.None);

        // Assert: "before" is read again, being within a minute of the first poll's mark; nothing else repeats.
        calls.Select(c => c.More).Should().Equal(true, true, false);
        calls.SelectMany(c => c.Comments).Select(c => c.Text).Should().Equal("five", "four", "three b", "three a", "two", "before");
        after.Comments.Select(c => c.Text).Should().Equal(["five"], "the mark has moved to the newest comment, less a minute");
    }

    [Fact]
    public async Task A_post_untouched_since_the_mark_is_not_read()
    {
        // Arrange: the first poll leaves the mark at B's comment (12:00).
        Posts((PostA, "2026-11-20T10:00:00+0000"), (PostB, "2026-11-20T12:00:00+0000"));
        Comments(PostA, Comment("7001_1", "one", "2026-11-20T10:00:00+0000"));
        Comments(PostB, Comment("7002_1", "two", "2026-11-20T12:00:00+0000"));
        var connector = Connector();
        var cursor = (await connector.FetchAsync(Page(), null, 10, CancellationToken.None)).NextCursor;
        Posts((PostA, "2026-11-20T10:00:00+0000"), (PostB, "2026-11-20T12:30:00+0000"));
        Comments(PostB, Comment("7002_2", "new", "2026-11-20T12:30:00+0000"), Comment("7002_1", "two", "2026-11-20T12:00:00+0000"));
        var readsOfA = _graph.To($"{PostA}/comments").Count;

        // Act
        var result = await connector.FetchAsync(Page(), cursor, 10, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.Text).Should().Equal(["new", "two"], "\"two\" is within the minute before the mark, read again");
        _graph.To($"{PostA}/comments").Should().HaveCount(readsOfA, "the post's updated_time says nobody commented on it since");
    }

    [Fact]
    public async Task A_post_deleted_between_listing_and_reading_does_not_stop_the_poll()
    {
        // Arrange: post A's comments answer "object does not exist" (nothing is mapped for them).
        Posts((PostA, "2026-11-20T10:00:00+0000"), (PostB, "2026-11-20T09:00:00+0000"));
        Comments(PostB, Comment("7002_1", "still here", "2026-11-20T09:00:00+0000"));

        // Act
        var result = await Connector().FetchAsync(Page(), null, 10, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.Text).Should().Equal("still here");
        _graph.To($"{PostA}/comments").Should().ContainSingle();
    }

    [Fact]
    public async Task An_expired_token_while_polling_fails_the_poll()
    {
        _graph.On("GET", $"{PageId}/posts", _ => GraphAnswer.Error(400, 190, "Error validating access token: Session has expired", 463));

        var act = () => Connector().FetchAsync(Page(), null, 10, CancellationToken.None);

        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Unauthorized);
    }

    [Theory]
    [InlineData(PlatformAction.Hide, "true")]
    [InlineData(PlatformAction.Unhide, "false")]
    public async Task Hiding_and_showing_post_is_hidden_to_the_comment(PlatformAction action, string expected)
    {
        // Arrange
        _graph.On("POST", "7001_2", """{"success":true}""");

        // Act
        var result = await Connector().ApplyAsync(Page(), action, "7001_2", CancellationToken.None);

        // Assert
        var request = _graph.To("7001_2", "POST").Should().ContainSingle().Subject;
        FakeGraph.Form(request).Should().Equal(new Dictionary<string, string> { ["is_hidden"] = expected });
        request.Authorization.Should().Be("Bearer page-token-123");
        result.Description.Should().Contain("7001_2");
    }

    [Fact]
    public async Task A_viral_posts_comments_are_all_hidden_at_once_within_the_Pages_own_daily_allowance()
    {
        // Arrange: the default limits (Meta's business use case floor for a Page, 4,800 calls a day), fast retries.
        var defaults = new PlatformOptions();
        var options = PlatformKit.FastOptions();
        options.RateLimits[Platform.Facebook] = defaults.RateLimits[Platform.Facebook];
        const int burst = 500;
        for (var i = 0; i < burst; i++)
        {
            _graph.On("POST", $"7001_{i}", """{"success":true}""");
        }

        var connector = Connector(options);
        var page = Page();

        // Act: more hides in a row than an hour of the old 200-an-hour limit allowed.
        for (var i = 0; i < burst; i++)
        {
            await connector.ApplyAsync(page, PlatformAction.Hide, $"7001_{i}", CancellationToken.None);
        }

        // Assert
        _graph.Server.Requests.Should().HaveCount(burst, "every hide reached the Page, none was held back by the service's own limit");
        defaults.RateLimits[Platform.Facebook].PermitLimit.Should().BeLessThanOrEqualTo(4_800, "never more than Meta allows a Page with one engaged user a day");
        defaults.RateLimits[Platform.Facebook].Window.Should().Be(TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Deleting_sends_DELETE_to_the_comment()
    {
        _graph.On("DELETE", "7001_2", """{"success":true}""");

        var result = await Connector().ApplyAsync(Page(), PlatformAction.Delete, "7001_2", CancellationToken.None);

        _graph.To("7001_2", "DELETE").Should().ContainSingle();
        result.Description.Should().Contain("deleted");
    }

    [Fact]
    public async Task A_comment_already_gone_is_NotFound()
    {
        // Nothing is mapped for the comment: the Graph answers 400, code 100, subcode 33.
        var act = () => Connector().ApplyAsync(Page(), PlatformAction.Delete, "7001_9", CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.NotFound);
        ex.Status.Should().Be(400);
        ex.Message.Should().Contain("subcode 33").And.Contain("fbtrace_id AbCdEf123");
    }

    [Theory]
    [InlineData(400, 190, null, "Error validating access token: Session has expired")]
    [InlineData(400, 190, 463, "Error validating access token: Session has expired")]
    [InlineData(400, 10, null, "Application does not have permission for this action")]
    [InlineData(403, 200, null, "Permissions error")]
    [InlineData(400, 283, null, "Requires pages_manage_engagement permission")]
    public async Task An_expired_token_or_a_missing_permission_is_Unauthorized_whatever_the_status(int status, int code, int? subcode, string message)
    {
        // Arrange
        _graph.On("POST", "7001_2", _ => GraphAnswer.Error(status, code, message, subcode));

        // Act
        var act = () => Connector().ApplyAsync(Page(), PlatformAction.Hide, "7001_2", CancellationToken.None);

        // Assert
        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.Unauthorized);
        ex.Message.Should().Contain(message).And.NotContain("page-token-123");
        _graph.To("7001_2").Should().ContainSingle("retrying cannot help");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(17)]
    [InlineData(32)]
    [InlineData(613)]
    [InlineData(80001)]
    public async Task Metas_rate_limit_codes_are_RateLimited_with_a_wait_even_as_400(int code)
    {
        // Arrange
        _graph.On("POST", "7001_2", _ => GraphAnswer.Error(400, code, "User request limit reached"));

        // Act
        var act = () => Connector().ApplyAsync(Page(), PlatformAction.Hide, "7001_2", CancellationToken.None);

        // Assert
        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.RateLimited);
        ex.RetryAfter.Should().Be(MetaErrors.DefaultThrottleWait, "Meta gave no estimate, and its windows are minutes long");
        _graph.To("7001_2").Should().ContainSingle("a wait longer than the cap puts the action off instead of retrying now");
    }

    [Fact]
    public async Task The_business_use_case_header_at_100_gives_the_wait_Meta_estimates()
    {
        // Arrange
        var usage = new Dictionary<string, string>
        {
            [MetaErrors.BusinessUsageHeader] = """{"100200300400500":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":9,"estimated_time_to_regain_access":7}]}""",
        };
        _graph.On("POST", "7001_2", _ => GraphAnswer.Error(400, 80001, "There have been too many calls to this Page account", headers: usage));

        // Act
        var act = () => Connector().ApplyAsync(Page(), PlatformAction.Hide, "7001_2", CancellationToken.None);

        // Assert
        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.RateLimited);
        ex.RetryAfter.Should().Be(TimeSpan.FromMinutes(7));
    }

    [Fact]
    public async Task A_usage_header_at_100_makes_any_refusal_a_rate_limit()
    {
        // Arrange: total_time at 100, on an answer whose code alone says nothing about limits.
        var usage = new Dictionary<string, string>
        {
            [MetaErrors.BusinessUsageHeader] = """{"1":[{"type":"pages","call_count":40,"total_cputime":12,"total_time":100,"estimated_time_to_regain_access":3}]}""",
        };
        _graph.On("GET", $"{PageId}/posts", _ => GraphAnswer.Error(400, 1, "An unknown error occurred", type: "OAuthException", headers: usage));

        // Act
        var act = () => Connector().FetchAsync(Page(), null, 10, CancellationToken.None);

        // Assert
        var ex = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        ex.Failure.Should().Be(PlatformFailure.RateLimited);
        ex.RetryAfter.Should().Be(TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task A_successful_answer_with_the_usage_header_at_100_still_counts()
    {
        // Arrange: the hide was carried out; only the next call would be throttled.
        _graph.On("POST", "7001_2", _ => new GraphAnswer(200, """{"success":true}""", new Dictionary<string, string>
        {
            [MetaErrors.BusinessUsageHeader] = """{"1":[{"type":"pages","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":5}]}""",
        }));

        // Act
        var result = await Connector().ApplyAsync(Page(), PlatformAction.Hide, "7001_2", CancellationToken.None);

        // Assert
        result.Description.Should().Contain("hidden");
        _graph.To("7001_2").Should().ContainSingle();
    }

    [Fact]
    public async Task A_temporary_Graph_failure_is_retried()
    {
        // Arrange
        _graph.Server.Enqueue(new Fault.Status(500), new Fault.Status(503));
        _graph.On("POST", "7001_2", """{"success":true}""");

        // Act
        await Connector().ApplyAsync(Page(), PlatformAction.Hide, "7001_2", CancellationToken.None);

        // Assert
        _graph.To("7001_2").Should().HaveCount(3);
    }

    [Fact]
    public async Task Text_alone_is_posted_to_the_Pages_feed_and_the_post_and_its_permalink_come_back()
    {
        // Arrange
        _graph.On("POST", $"{PageId}/feed", $$"""{"id":"{{PageId}}_8001"}""");
        _graph.On("GET", $"{PageId}_8001", $$"""{"permalink_url":"https://www.facebook.com/{{PageId}}/posts/8001","id":"{{PageId}}_8001"}""");

        // Act
        var result = await Connector().PublishAsync(Page(), new Publication(Guid.NewGuid(), "Year 4 won the quiz!", []), CancellationToken.None);

        // Assert
        FakeGraph.Form(_graph.To($"{PageId}/feed").Should().ContainSingle().Subject).Should().Equal(new Dictionary<string, string> { ["message"] = "Year 4 won the quiz!" });
        _graph.To($"{PageId}/photos").Should().BeEmpty();
        result.PlatformId.Should().Be($"{PageId}_8001");
        result.Url.Should().Be($"https://www.facebook.com/{PageId}/posts/8001");
    }

    [Fact]
    public async Task Photos_are_uploaded_unpublished_then_attached_to_one_post()
    {
        // Arrange
        var uploads = 0;
        _graph.On("POST", $"{PageId}/photos", _ => GraphAnswer.Ok($$"""{"id":"90{{Interlocked.Increment(ref uploads)}}"}"""));
        _graph.On("POST", $"{PageId}/feed", $$"""{"id":"{{PageId}}_8002"}""");
        var photos = new[]
        {
            new PublicationPhoto("quiz-1.jpg", "image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]),
            new PublicationPhoto("quiz-2.png", "image/png", [0x89, 0x50, 0x4E, 0x47, 4, 5, 6]),
        };

        // Act
        var result = await Connector().PublishAsync(Page(), new Publication(Guid.NewGuid(), "Quiz night", photos), CancellationToken.None);

        // Assert
        var sent = _graph.To($"{PageId}/photos");
        sent.Should().HaveCount(2);
        sent.Should().OnlyContain(r => r.ContentType!.StartsWith("multipart/form-data", StringComparison.Ordinal));
        sent[0].Body.Should().Contain("name=source").And.Contain("filename=quiz-1.jpg").And.Contain("image/jpeg").And.Contain("name=published");
        sent[1].Body.Should().Contain("filename=quiz-2.png").And.Contain("image/png");
        var post = FakeGraph.Form(_graph.To($"{PageId}/feed").Should().ContainSingle().Subject);
        post["message"].Should().Be("Quiz night");
        JsonDocument.Parse(post["attached_media[0]"]).RootElement.GetProperty("media_fbid").GetString().Should().Be("901");
        JsonDocument.Parse(post["attached_media[1]"]).RootElement.GetProperty("media_fbid").GetString().Should().Be("902");
        result.PlatformId.Should().Be($"{PageId}_8002");
        result.Url.Should().Be($"https://www.facebook.com/{PageId}_8002", "without a permalink from the Graph, the post's own address");
    }

    [Fact]
    public async Task The_connection_test_names_the_Page()
    {
        _graph.On("GET", PageId, $$"""{"id":"{{PageId}}","name":"Sir Alexander Fleming Primary"}""");

        var answer = await Connector().TestAsync(Page(), CancellationToken.None);

        answer.Should().Be($"Facebook Page Sir Alexander Fleming Primary ({PageId})");
    }

    [Fact]
    public async Task An_account_without_a_token_is_Unauthorized_without_a_call()
    {
        var account = PlatformKit.Account(Platform.Facebook, _graph.ApiBaseUrl, new PlatformCredentials(), PageId);

        var act = () => Connector().ApplyAsync(account, PlatformAction.Hide, "7001_2", CancellationToken.None);

        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Unauthorized);
        _graph.Server.RequestCount.Should().Be(0);
    }
}
