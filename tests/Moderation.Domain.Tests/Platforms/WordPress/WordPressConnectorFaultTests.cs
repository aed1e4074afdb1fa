using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.WordPress;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.WordPress;

/// <summary>
/// The WordPress connector against a fake blog speaking WordPress's REST shapes: paging and the stored cursor, each
/// action's exact request, and every way a call can fail.
/// </summary>
public sealed class WordPressConnectorFaultTests : IAsyncLifetime
{
    private const string User = "office";
    private const string Password = "abcd EFGH 1234 ijkl MNOP 5678";

    private FakeWordPress _blog = null!;

    public async Task InitializeAsync() => _blog = await FakeWordPress.StartAsync();

    public async Task DisposeAsync() => await _blog.DisposeAsync();

    private ConnectedAccount Account() =>
        PlatformKit.Account(Platform.Blog, _blog.Server.BaseUrl, new PlatformCredentials(Username: User, Password: Password), "blog", "blog.example");

    private static WordPressConnector Connector(PlatformOptions? options = null, int pageSize = WordPressConnector.MaxPageSize) =>
        new(PlatformKit.Http(options)) { PageSize = pageSize };

    private static string WordPressError(string code, string message, int status) =>
        JsonSerializer.Serialize(new { code, message, data = new { status } });

    [Fact]
    public async Task A_held_comment_is_read_with_its_author_post_link_and_utc_time_and_is_not_public()
    {
        // Arrange
        var id = _blog.Hold(1, "Well done year 6!").Single();

        // Act
        var result = await Connector().FetchAsync(Account(), null, 10, CancellationToken.None);

        // Assert
        var comment = result.Comments.Should().ContainSingle().Subject;
        comment.PlatformItemId.Should().Be(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        comment.Kind.Should().Be(ItemKind.InboundComment);
        comment.Text.Should().Be($"Well done year 6! {id}");
        comment.AuthorName.Should().Be($"Parent {id}");
        comment.AuthorPlatformId.Should().BeNull("a visitor has no WordPress user");
        comment.ParentId.Should().Be("42");
        comment.Url.Should().Be($"http://blog.example/sports-day/#comment-{id}");
        comment.PostedAt.Should().Be(new DateTimeOffset(2026, 11, 30, 16, 5, 9, TimeSpan.Zero));
        comment.PubliclyVisible.Should().BeFalse("WordPress holds it until it is approved");
        JsonDocument.Parse(comment.RawJson).RootElement.GetProperty("content").GetProperty("raw").GetString().Should().Be(comment.Text);
        var request = _blog.Server.Requests.Single();
        request.Method.Should().Be("GET");
        request.Path.Should().Be("/wp-json/wp/v2/comments");
        request.Query.Should().Contain("status=hold").And.Contain("context=edit").And.Contain("orderby=id");
        request.Authorization.Should().Be("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
    }

    [Fact]
    public async Task First_connection_reads_only_the_most_recent_held_comments_up_to_the_limit()
    {
        // Arrange
        var ids = _blog.Hold(5);

        // Act
        var result = await Connector().FetchAsync(Account(), null, 3, CancellationToken.None);

        // Assert
        result.Comments.Select(c => long.Parse(c.PlatformItemId, System.Globalization.CultureInfo.InvariantCulture)).Should().Equal(ids.Skip(2), "the three newest, oldest first");
        result.More.Should().BeFalse("older held comments are left to the blog");
        result.NextCursor.Should().NotBeNull();
        _blog.Server.Requests.Single().Query.Should().Contain("order=desc").And.Contain("per_page=3");
    }

    [Fact]
    public async Task New_comments_are_read_across_several_pages_and_the_stored_cursor_resumes_after_them()
    {
        // Arrange
        var connector = Connector(pageSize: 3);
        var account = Account();
        var (_, cursor, _) = await connector.PollAsync(account, null);
        var first = _blog.Hold(7);

        // Act
        var (read, stored, pages) = await connector.PollAsync(account, cursor);
        var later = _blog.Hold(2);
        var (next, _, _) = await connector.PollAsync(account, stored);

        // Assert
        read.Select(c => c.PlatformItemId).Should().Equal(first.Select(Id));
        pages.Should().BeGreaterThan(2, "three comments a page");
        _blog.Server.RequestsTo("/comments").Skip(1).Should().OnlyContain(r => r.Query.Contains("per_page=3", StringComparison.Ordinal));
        next.Select(c => c.PlatformItemId).Should().Equal(later.Select(Id), "the cursor resumes after what was read");
    }

    [Fact]
    public async Task Comments_moderated_since_the_last_poll_do_not_make_the_cursor_skip_new_ones()
    {
        // Arrange: five read; then three approved in wp-admin shift the hold list back, and two new ones arrive.
        var connector = Connector(pageSize: 3);
        var account = Account();
        var (_, cursor, _) = await connector.PollAsync(account, null);
        var old = _blog.Hold(5);
        (_, cursor, _) = await connector.PollAsync(account, cursor);
        foreach (var id in old.Take(3))
        {
            _blog.SetStatus(id, "approved");
        }

        var fresh = _blog.Hold(2);

        // Act
        var (read, _, _) = await connector.PollAsync(account, cursor);

        // Assert
        read.Select(c => c.PlatformItemId).Should().Equal(fresh.Select(Id));
    }

    [Fact]
    public async Task A_cursor_this_connector_did_not_write_reads_every_held_comment_again()
    {
        // Arrange
        var ids = _blog.Hold(2);

        // Act
        var (read, _, _) = await Connector().PollAsync(Account(), "page=7");

        // Assert
        read.Select(c => c.PlatformItemId).Should().Equal(ids.Select(Id));
    }

    [Fact]
    public async Task Approving_sets_the_status_to_approved()
    {
        // Arrange
        var id = _blog.Hold(1).Single();

        // Act
        var result = await Connector().ApplyAsync(Account(), PlatformAction.Publish, Id(id), CancellationToken.None);

        // Assert
        var request = _blog.Server.Requests.Single();
        request.Method.Should().Be("POST");
        request.Path.Should().Be($"/wp-json/wp/v2/comments/{id}");
        request.ContentType.Should().StartWith("application/json");
        request.Json().GetProperty("status").GetString().Should().Be("approved");
        request.Json().EnumerateObject().Should().ContainSingle();
        _blog.StatusOf(id).Should().Be("approved");
        result.Description.Should().Contain("approved");
        result.Url.Should().EndWith($"#comment-{id}");
    }

    [Fact]
    public async Task Rejecting_moves_the_comment_to_the_trash_and_a_comment_already_there_counts_as_gone()
    {
        // Arrange
        var id = _blog.Hold(1).Single();
        var connector = Connector();

        // Act
        var result = await connector.ApplyAsync(Account(), PlatformAction.Delete, Id(id), CancellationToken.None);
        var again = async () => await connector.ApplyAsync(Account(), PlatformAction.Delete, Id(id), CancellationToken.None);

        // Assert
        var request = _blog.Server.Requests.First();
        request.Method.Should().Be("DELETE");
        request.PathAndQuery.Should().Be($"/wp-json/wp/v2/comments/{id}", "without force=true, so editors can still restore it");
        request.Body.Should().BeEmpty();
        _blog.StatusOf(id).Should().Be("trash");
        result.Description.Should().Contain("trash");
        (await again.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.NotFound);
    }

    [Theory]
    [InlineData(PlatformAction.Hide)]
    [InlineData(PlatformAction.Unhide)]
    public async Task Hiding_is_refused_without_a_call_because_WordPress_holds_comments_instead(PlatformAction action)
    {
        // Arrange
        var connector = Connector();

        // Act
        var act = async () => await connector.ApplyAsync(Account(), action, "5", CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Rejected);
        connector.Capabilities.Supports(action).Should().BeFalse();
        _blog.Server.RequestCount.Should().Be(0);
    }

    [Fact]
    public async Task Publishing_uploads_each_photo_then_posts_the_text_with_them()
    {
        // Arrange
        var png = File.ReadAllBytes(Photos.PhotoFixtures.BasePath("base.png"));
        var publication = new Publication(Guid.NewGuid(), "Sports day results: well done <everyone> & thanks\n\nMore photos on Friday.",
            [new PublicationPhoto("Sports Day (1).png", "image/png", png), new PublicationPhoto("ヨット", "image/jpeg", [0xFF, 0xD8, 0xFF, 0xD9])]);

        // Act
        var result = await Connector().PublishAsync(Account(), publication, CancellationToken.None);

        // Assert
        var uploads = _blog.Server.RequestsTo("/wp-json/wp/v2/media", "POST");
        uploads.Should().HaveCount(2);
        uploads[0].ContentType.Should().Be("image/png");
        uploads[0].Body.Should().Be(Encoding.UTF8.GetString(png), "the photo's bytes are the body");
        uploads[1].ContentType.Should().Be("image/jpeg");
        WordPressConnector.UploadFileName(publication.Photos[0], 0).Should().Be("Sports-Day-1.png");
        WordPressConnector.UploadFileName(publication.Photos[1], 1).Should().Be("photo-2.jpg");
        var post = _blog.Server.RequestsTo("/wp-json/wp/v2/posts", "POST").Single().Json();
        post.GetProperty("status").GetString().Should().Be("publish");
        post.GetProperty("title").GetString().Should().Be("Sports day results: well done &lt;everyone&gt; &amp; thanks");
        post.GetProperty("featured_media").GetInt64().Should().Be(500);
        var content = post.GetProperty("content").GetString();
        content.Should().Contain("<p>Sports day results: well done &lt;everyone&gt; &amp; thanks</p>")
            .And.Contain("<p>More photos on Friday.</p>")
            .And.Contain("<img src=\"http://blog.example/wp-content/uploads/2026/12/photo-500.png\"")
            .And.Contain("wp-image-501");
        result.PlatformId.Should().Be("77");
        result.Url.Should().Be("http://blog.example/sports-day-results/");
        result.Description.Should().Contain("2 photos");
    }

    [Theory]
    [InlineData("Sports day", "Sports day")]
    [InlineData("  \nFirst line\nsecond line", "First line")]
    [InlineData("Year 4 visited the Roman fort at Vindolanda and came back full of questions about the soldiers",
        "Year 4 visited the Roman fort at Vindolanda and came back…")]
    public void The_title_is_the_first_line_or_its_first_words(string text, string title) =>
        WordPressConnector.Title(text).Should().Be(title);

    [Fact]
    public async Task Testing_the_account_names_the_application_password_user()
    {
        // Act
        var name = await Connector().TestAsync(Account(), CancellationToken.None);

        // Assert
        name.Should().Be("School Office");
        _blog.Server.Requests.Single().PathAndQuery.Should().Be("/wp-json/wp/v2/users/me?context=edit");
    }

    [Fact]
    public async Task A_429_is_retried_after_the_Retry_After_it_names()
    {
        // Arrange
        _blog.Hold(1);
        _blog.Server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 1, Body: WordPressError("rest_too_many", "Slow down.", 429)));
        var clock = Stopwatch.StartNew();

        // Act
        var result = await Connector().FetchAsync(Account(), null, 10, CancellationToken.None);

        // Assert
        result.Comments.Should().ContainSingle();
        _blog.Server.RequestCount.Should().Be(2);
        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "the second attempt waited for Retry-After, not the 50 ms back-off");
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_cap_surfaces_as_rate_limited_without_waiting()
    {
        // Arrange
        _blog.Server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 600));

        // Act
        var act = async () => await Connector().ApplyAsync(Account(), PlatformAction.Publish, "9", CancellationToken.None);

        // Assert
        var failure = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        failure.Failure.Should().Be(PlatformFailure.RateLimited);
        failure.RetryAfter.Should().Be(TimeSpan.FromSeconds(600));
        _blog.Server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task A_burst_of_server_errors_shorter_than_the_retries_is_ridden_out()
    {
        // Arrange
        var id = _blog.Hold(1).Single();
        _blog.Server.Enqueue(new Fault.Status(503), new Fault.Status(502), new Fault.Status(500));

        // Act
        await Connector().ApplyAsync(Account(), PlatformAction.Publish, Id(id), CancellationToken.None);

        // Assert
        _blog.Server.RequestCount.Should().Be(4);
        _blog.StatusOf(id).Should().Be("approved");
    }

    [Fact]
    public async Task A_burst_of_server_errors_longer_than_the_retries_surfaces_as_transient()
    {
        // Arrange
        _blog.Server.Enqueue(Enumerable.Range(0, 4).Select(_ => (Fault)new Fault.Status(503)).ToArray());

        // Act
        var act = async () => await Connector().FetchAsync(Account(), null, 10, CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Transient);
        _blog.Server.RequestCount.Should().Be(4, "one call and three retries");
    }

    [Fact]
    public async Task A_blog_that_does_not_answer_times_out_as_transient()
    {
        // Arrange
        var options = PlatformKit.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetries = 1;
        _blog.Server.Enqueue(new Fault.Hang(), new Fault.Hang());

        // Act
        var act = async () => await Connector(options).TestAsync(Account(), CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Transient);
        _blog.Server.RequestCount.Should().Be(2);
    }

    [Theory]
    [InlineData("[{\"id\": 3, \"content\": ")]
    [InlineData("[{\"id\": 3, \"content\": {\"rendered\": \"<p>hi</p>\"}}]")]
    [InlineData("{\"comments\": []}")]
    public async Task An_answer_that_is_not_JSON_or_not_WordPress_shape_surfaces_as_malformed_without_retrying(string body)
    {
        // Arrange
        _blog.Server.Enqueue(new Fault.Malformed(body));

        // Act
        var act = async () => await Connector().FetchAsync(Account(), null, 10, CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Malformed);
        _blog.Server.RequestCount.Should().Be(1);
    }

    [Theory]
    [InlineData(401, "incorrect_password", PlatformFailure.Unauthorized)]
    [InlineData(401, "rest_not_logged_in", PlatformFailure.Unauthorized)]
    [InlineData(403, "rest_cannot_edit", PlatformFailure.Unauthorized)]
    [InlineData(400, "rest_cannot_read", PlatformFailure.Unauthorized)]
    [InlineData(404, "rest_comment_invalid_id", PlatformFailure.NotFound)]
    [InlineData(410, "rest_already_trashed", PlatformFailure.NotFound)]
    [InlineData(404, "rest_no_route", PlatformFailure.Rejected)]
    [InlineData(400, "rest_invalid_param", PlatformFailure.Rejected)]
    public async Task WordPress_errors_map_to_failures_with_its_message_and_are_not_retried(int status, string code, PlatformFailure expected)
    {
        // Arrange
        _blog.Server.Enqueue(new Fault.Status(status, Body: WordPressError(code, "<strong>Error:</strong> Sorry &amp; no.", status)));

        // Act
        var act = async () => await Connector().ApplyAsync(Account(), PlatformAction.Publish, "12", CancellationToken.None);

        // Assert
        var failure = (await act.Should().ThrowAsync<PlatformCallException>()).Which;
        failure.Failure.Should().Be(expected);
        failure.Status.Should().Be(status);
        failure.Message.Should().Be($"WordPress answered {status}: Error: Sorry & no. ({code})");
        failure.Message.Should().NotContain(Password);
        _blog.Server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task An_account_without_an_application_password_needs_reconnecting_without_a_call()
    {
        // Arrange
        var account = Account() with { Credentials = new PlatformCredentials(Username: User) };

        // Act
        var act = async () => await Connector().TestAsync(account, CancellationToken.None);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Unauthorized);
        _blog.Server.RequestCount.Should().Be(0);
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
