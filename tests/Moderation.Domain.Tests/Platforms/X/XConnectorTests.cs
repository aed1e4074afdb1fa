using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.X;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.X;

public sealed class XConnectorTests : IAsyncLifetime
{
    private const string Fields = "&tweet.fields=author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets&expansions=author_id&user.fields=username,name";
    private const string Query = "?query=to%3AHilltopPrimary%20is%3Areply%20-from%3AHilltopPrimary";

    private FakeX _x = null!;

    public async Task InitializeAsync() => _x = await FakeX.StartAsync();

    public async Task DisposeAsync() => await _x.Server.DisposeAsync();

    private static XConnector Connector(TimeProvider? time = null, PlatformOptions? options = null) =>
        new(PlatformKit.Http(options), time ?? TimeProvider.System);

    private static Publication Post(string text, int photos = 0) => new(Guid.NewGuid(), text,
        Enumerable.Range(1, photos).Select(i => new PublicationPhoto($"photo{i}.jpg", "image/jpeg", [0xFF, 0xD8, 0xFF, (byte)i, 0xFF, 0xD9])).ToList());

    [Fact]
    public void X_offers_polling_hiding_and_posting_but_no_deleting_or_approving()
    {
        // Arrange
        var connector = Connector();

        // Act
        var capabilities = connector.Capabilities;

        // Assert
        capabilities.Should().Be(PlatformCapabilities.Poll | PlatformCapabilities.Hide | PlatformCapabilities.PublishText | PlatformCapabilities.PublishPhotos);
        connector.DefaultApiBaseUrl.Should().Be(new Uri("https://api.x.com/2/"));
        connector.ParseWebhook("{}").Should().BeEmpty();
    }

    [Fact]
    public async Task First_connection_reads_only_the_most_recent_replies_in_one_request()
    {
        // Arrange
        var ids = Enumerable.Range(0, 40).Select(i => _x.Reply($"reply {i}")).ToList();

        // Act
        var result = await Connector().FetchAsync(_x.Account(), null, 5, CancellationToken.None);

        // Assert: X asks for at least ten; the connector keeps five.
        result.Comments.Select(c => c.PlatformItemId).Should().Equal(Enumerable.Reverse(ids).Take(5));
        result.More.Should().BeFalse();
        var request = _x.Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("GET");
        request.Path.Should().Be("/tweets/search/recent");
        request.Query.Should().Be(Query + "&max_results=10" + Fields);
    }

    [Fact]
    public async Task A_reply_is_read_with_its_author_parent_link_and_raw_JSON_and_as_public()
    {
        // Arrange
        var id = _x.Reply("Brilliant nativity 🎄", author: "jo_parent", repliedTo: "1849000000000000042");

        // Act
        var comment = (await Connector().FetchAsync(_x.Account(), null, 10, CancellationToken.None)).Comments.Single();

        // Assert
        comment.PlatformItemId.Should().Be(id);
        comment.Kind.Should().Be(ItemKind.InboundComment);
        comment.Text.Should().Be("@HilltopPrimary Brilliant nativity 🎄");
        comment.AuthorName.Should().Be("Name of jo_parent");
        comment.AuthorPlatformId.Should().StartWith("2");
        comment.PostedAt.Should().Be(new DateTimeOffset(2026, 11, 2, 9, 1, 0, TimeSpan.Zero));
        comment.ParentId.Should().Be("1849000000000000042");
        comment.Url.Should().Be($"https://x.com/jo_parent/status/{id}");
        comment.PubliclyVisible.Should().BeTrue();
        JsonDocument.Parse(comment.RawJson).RootElement.GetProperty("conversation_id").GetString().Should().Be("1849000000000000001");
    }

    [Fact]
    public async Task Replies_to_other_people_are_left_out()
    {
        // Arrange
        var toSchool = _x.Reply("to the school");
        _x.Reply("to another parent", inReplyToUserId: "3333");

        // Act
        var result = await Connector().FetchAsync(_x.Account(), null, 10, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.PlatformItemId).Should().Equal(toSchool);
    }

    [Fact]
    public async Task Paging_sends_since_id_and_X_s_next_token_and_a_later_poll_asks_since_the_newest_reply_read()
    {
        // Arrange
        _x.Reply("before connecting");
        var connector = Connector();
        var backfill = await connector.FetchAsync(_x.Account(), null, 100, CancellationToken.None);
        var since = backfill.Comments.Single().PlatformItemId;
        var fresh = Enumerable.Range(0, 230).Select(i => _x.Reply($"new {i}")).ToList();
        _x.Server.Requests.Clear();

        // Act
        var (comments, cursor, _) = await PollRun.PollAsync(connector, _x.Account(), backfill.NextCursor);
        var later = _x.Reply("later");
        var (next, _, _) = await PollRun.PollAsync(connector, _x.Account(), cursor);

        // Assert
        comments.Select(c => c.PlatformItemId).Should().BeEquivalentTo(fresh);
        next.Select(c => c.PlatformItemId).Should().Equal(later);
        var queries = _x.Server.RequestsTo("/tweets/search/recent").Select(r => r.Query).ToList();
        queries.Should().Equal(
            Query + "&max_results=100" + Fields + $"&since_id={since}",
            Query + "&max_results=100" + Fields + $"&since_id={since}&next_token=t100",
            Query + "&max_results=100" + Fields + $"&since_id={since}&next_token=t200",
            Query + "&max_results=100" + Fields + $"&since_id={fresh[^1]}");
    }

    [Fact]
    public async Task A_since_id_X_refuses_is_dropped_and_the_watermark_alone_decides_what_is_new()
    {
        // Arrange
        var old = _x.Reply("before connecting");
        var connector = Connector();
        var backfill = await connector.FetchAsync(_x.Account(), null, 100, CancellationToken.None);
        var fresh = Enumerable.Range(0, 3).Select(i => _x.Reply($"new {i}")).ToList();
        _x.Server.Enqueue(new Fault.Status(400, Body: """{"errors":[{"parameters":{"since_id":["1"]},"message":"Invalid 'since_id':'1'. 'since_id' must be a tweet id created after 2026-10-26T09:00Z."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"""));

        // Act
        var result = await connector.FetchAsync(_x.Account(), backfill.NextCursor, 100, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.PlatformItemId).Should().BeEquivalentTo(fresh).And.NotContain(old);
        _x.Server.RequestsTo("/tweets/search/recent").Select(r => r.Query.Contains("since_id")).Should().Equal(false, true, false);
    }

    [Theory]
    [InlineData(PlatformAction.Hide, true)]
    [InlineData(PlatformAction.Unhide, false)]
    public async Task Hiding_and_showing_a_reply_puts_its_hidden_state(PlatformAction action, bool hidden)
    {
        // Arrange
        var id = _x.Reply("something unkind");

        // Act
        var result = await Connector().ApplyAsync(_x.Account(), action, id, CancellationToken.None);

        // Assert
        var request = _x.Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("PUT");
        request.PathAndQuery.Should().Be($"/tweets/{id}/hidden");
        request.ContentType.Should().StartWith("application/json");
        JsonDocument.Parse(request.Body).RootElement.GetRawText().Should().Be(hidden ? """{"hidden":true}""" : """{"hidden":false}""");
        _x.HideRequests.Should().Equal((id, hidden));
        result.PlatformId.Should().Be(id);
    }

    [Theory]
    [InlineData(PlatformAction.Delete, "delete")]
    [InlineData(PlatformAction.Publish, "holds nothing for review")]
    public async Task Deleting_or_approving_a_reply_is_refused_without_a_call(PlatformAction action, string reason)
    {
        // Act
        var act = () => Connector().ApplyAsync(_x.Account(), action, "1850000000000000001", CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.Rejected);
        thrown.Which.Message.Should().Contain(reason);
        _x.Server.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Publishing_text_creates_a_post_and_returns_its_id_and_address()
    {
        // Act
        var result = await Connector().PublishAsync(_x.Account(), Post("Sports day is on Friday!"), CancellationToken.None);

        // Assert
        var request = _x.Server.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.PathAndQuery.Should().Be("/tweets");
        JsonDocument.Parse(request.Body).RootElement.GetRawText().Should().Be("""{"text":"Sports day is on Friday!"}""");
        result.PlatformId.Should().Be("1852000000000000001");
        result.Url.Should().Be("https://x.com/HilltopPrimary/status/1852000000000000001");
    }

    [Fact]
    public async Task Publishing_photos_uploads_each_one_and_attaches_them_in_order()
    {
        // Act
        var result = await Connector().PublishAsync(_x.Account(), Post("Our Year 6 leavers' trip", photos: 2), CancellationToken.None);

        // Assert
        _x.Uploads.Select(u => (u.FileName, u.ContentType, u.Length, u.Category)).Should().Equal(
            ("photo1.jpg", "image/jpeg", 6, "tweet_image"), ("photo2.jpg", "image/jpeg", 6, "tweet_image"));
        _x.Server.RequestsTo("/media/upload").Should().OnlyContain(r => r.Method == "POST" && r.ContentType!.StartsWith("multipart/form-data"));
        var post = _x.Posts.Should().ContainSingle().Subject;
        post.GetProperty("text").GetString().Should().Be("Our Year 6 leavers' trip");
        post.GetProperty("media").GetProperty("media_ids").EnumerateArray().Select(e => e.GetString()).Should().Equal(_x.Uploads.Select(u => u.Id));
        result.Description.Should().Contain("2 photos");
    }

    [Fact]
    public async Task A_post_with_more_than_four_photos_is_refused_before_any_upload()
    {
        // Act
        var act = () => Connector().PublishAsync(_x.Account(), Post("Too many", photos: 5), CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.Rejected);
        thrown.Which.Message.Should().Contain("5 photos").And.Contain("4");
        _x.Server.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(281, 0, false)]
    [InlineData(280, 0, true)]
    [InlineData(0, 140, true)]
    [InlineData(0, 141, false)]
    public async Task A_post_longer_than_X_allows_is_refused_before_any_call(int latin, int chinese, bool allowed)
    {
        // Arrange: X counts Chinese characters twice.
        var text = new string('a', latin) + new string('学', chinese);

        // Act
        var act = () => Connector().PublishAsync(_x.Account(), Post(text, photos: 1), CancellationToken.None);

        // Assert
        if (allowed)
        {
            await act.Should().NotThrowAsync();
        }
        else
        {
            var thrown = await act.Should().ThrowAsync<PlatformCallException>();
            thrown.Which.Failure.Should().Be(PlatformFailure.Rejected);
            thrown.Which.Message.Should().Contain("X allows 280");
            _x.Server.Requests.Should().BeEmpty();
        }
    }

    [Theory]
    [InlineData("https://www.hilltop.sch.uk/news/2026/11/a-very-long-address-about-the-christmas-fair-and-the-raffle-prizes", 23)]
    [InlineData("Well done 👨‍👩‍👧 team", 17)]
    [InlineData("Café", 4)]
    public void X_counts_links_as_23_and_emoji_as_2(string text, int expected)
    {
        // Act
        var length = XText.WeightedLength(text);

        // Assert
        length.Should().Be(expected);
    }

    [Fact]
    public async Task A_429_with_X_s_reset_time_beyond_the_cap_surfaces_as_rate_limited_until_then()
    {
        // Arrange
        var now = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        _x.RateLimited.Enqueue((now.AddMinutes(12).ToUnixTimeSeconds(), null));
        var id = _x.Reply("hello");

        // Act
        var act = () => Connector(new ManualTimeProvider(now)).ApplyAsync(_x.Account(), PlatformAction.Hide, id, CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.RateLimited);
        thrown.Which.RetryAfter.Should().Be(TimeSpan.FromMinutes(12));
        _x.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_429_with_both_headers_waits_for_the_later_one()
    {
        // Arrange
        var now = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        _x.RateLimited.Enqueue((now.AddSeconds(30).ToUnixTimeSeconds(), 90));
        var id = _x.Reply("hello");

        // Act
        var act = () => Connector(new ManualTimeProvider(now)).ApplyAsync(_x.Account(), PlatformAction.Hide, id, CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task A_429_whose_reset_is_within_the_cap_is_waited_out()
    {
        // Arrange
        var now = DateTimeOffset.UtcNow;
        _x.RateLimited.Enqueue((now.AddSeconds(1).ToUnixTimeSeconds(), null));
        var id = _x.Reply("hello");

        // Act
        await Connector(new ManualTimeProvider(now)).ApplyAsync(_x.Account(), PlatformAction.Hide, id, CancellationToken.None);

        // Assert
        _x.Server.Requests.Should().HaveCount(2);
        _x.HideRequests.Should().Equal((id, true));
    }

    [Fact]
    public async Task Once_an_accounts_own_X_limit_is_used_up_its_calls_are_refused_without_reaching_X_and_other_schools_go_on()
    {
        // Arrange: X counts per user, so each school's account has its own allowance.
        var options = PlatformKit.FastOptions();
        options.RateLimits[Platform.X] = new PlatformOptions.RateLimitOptions { PermitLimit = 2, Window = TimeSpan.FromHours(1) };
        var connector = Connector(options: options);
        var ids = Enumerable.Range(0, 4).Select(i => _x.Reply($"reply {i}")).ToList();
        var school = _x.Account();
        var otherSchool = _x.Account();
        await connector.ApplyAsync(school, PlatformAction.Hide, ids[0], CancellationToken.None);
        await connector.ApplyAsync(school, PlatformAction.Hide, ids[1], CancellationToken.None);

        // Act
        var act = () => connector.ApplyAsync(school, PlatformAction.Hide, ids[2], CancellationToken.None);
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        await connector.ApplyAsync(otherSchool, PlatformAction.Hide, ids[3], CancellationToken.None);

        // Assert
        thrown.Which.Failure.Should().Be(PlatformFailure.RateLimited);
        thrown.Which.Message.Should().Contain("own X rate limit");
        _x.Server.Requests.Should().HaveCount(3, "the refused call never reached X; the other school's did");
    }

    [Theory]
    [InlineData("""{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}""", "/tweets", PlatformFailure.Rejected)]
    [InlineData("""{"detail":"You cannot hide or unhide replies to conversations you did not start.","type":"about:blank","title":"Forbidden","status":403}""", "/hidden", PlatformFailure.Rejected)]
    [InlineData("""{"client_id":"123","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","registration_url":"https://developer.x.com/","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.twitter.com/2/problems/client-forbidden"}""", "/hidden", PlatformFailure.Unauthorized)]
    [InlineData("""{"title":"Unsupported Authentication","detail":"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.","type":"https://api.twitter.com/2/problems/unsupported-authentication","status":403}""", "/tweets", PlatformFailure.Unauthorized)]
    [InlineData("""{"title":"Forbidden","detail":"Forbidden","type":"about:blank","status":403}""", "/hidden", PlatformFailure.Unauthorized)]
    public async Task X_s_403s_mean_reconnecting_only_when_they_are_about_the_token_or_the_app(string body, string path, PlatformFailure expected)
    {
        // Arrange
        var id = _x.Reply("hello");
        _x.Server.Enqueue(new Fault.Status(403, Body: body) { PathContains = path });
        var connector = Connector();

        // Act
        Func<Task> act = () => path == "/tweets"
            ? connector.PublishAsync(_x.Account(), Post("Hello"), CancellationToken.None)
            : connector.ApplyAsync(_x.Account(), PlatformAction.Hide, id, CancellationToken.None);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(expected);
        thrown.Which.Status.Should().Be(403);
        _x.Server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Testing_the_connection_names_the_account_the_token_belongs_to()
    {
        // Act
        var name = await Connector().TestAsync(_x.Account(), CancellationToken.None);

        // Assert
        name.Should().Be("@HilltopPrimary");
        _x.Server.Requests.Should().ContainSingle().Which.PathAndQuery.Should().Be("/users/me");
    }
}
