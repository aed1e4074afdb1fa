using System.Diagnostics;
using Moderation.Domain.Platforms;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms;

/// <summary>What the poller does with a connector: reads on while it has more, up to the page limit, and keeps the last cursor.</summary>
public static class PollRun
{
    public static async Task<(List<PlatformComment> Comments, string? Cursor, bool More)> PollAsync(
        IPlatformConnector connector, ConnectedAccount account, string? cursor, int maxPages = 10, int limit = 100)
    {
        var comments = new List<PlatformComment>();
        var more = true;
        for (var page = 0; page < maxPages && more; page++)
        {
            var result = await connector.FetchAsync(account, cursor, limit, CancellationToken.None);
            comments.AddRange(result.Comments);
            cursor = result.NextCursor ?? cursor;
            more = result.More;
        }

        return (comments, cursor, more);
    }
}

/// <summary>
/// What every polling connector must do, through that connector's own calls against its fake platform. Polling: a
/// bounded backfill on first connection, a stored cursor that reads every newer comment over several pages, and a run
/// cut short by the poller's page limit that resumes without losing what arrived meanwhile. Failures: 429 with
/// <c>Retry-After</c> (honoured within the cap, surfaced beyond it), bursts of 5xx, a platform that never answers,
/// malformed JSON, and the plain 401, 403 and 404. A connector's test class derives from this and says how to add a
/// pending comment, how to read and how to act; each test gets a fresh server and a fresh resilience pipeline.
/// </summary>
public abstract class ConnectorContractTests : IAsyncLifetime
{
    protected FakePlatformServer Server { get; private set; } = null!;

    /// <summary>Where the connector's read (a poll) goes.</summary>
    protected abstract string ReadPath { get; }

    /// <summary>Where the connector's moderation action goes.</summary>
    protected abstract string ActPath { get; }

    protected abstract Task<FakePlatformServer> StartServerAsync();

    protected abstract IPlatformConnector Connector(PlatformHttp http);

    protected abstract ConnectedAccount Account();

    /// <summary>Adds a pending comment on the fake platform, newer than all before it; returns its platform id.</summary>
    protected abstract string AddPending(string text);

    /// <summary>A poll that reads JSON.</summary>
    protected virtual Task ReadAsync(IPlatformConnector connector) => connector.FetchAsync(Account(), null, 10, CancellationToken.None);

    /// <summary>A moderation action on an existing comment.</summary>
    protected abstract Task ActAsync(IPlatformConnector connector);

    public async Task InitializeAsync() => Server = await StartServerAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    [Fact]
    public async Task First_connection_reads_at_most_the_limit_of_the_most_recent_comments_newest_first()
    {
        // Arrange
        var ids = Enumerable.Range(0, 40).Select(i => AddPending($"comment {i}")).ToList();

        // Act
        var result = await Connector(PlatformKit.Http()).FetchAsync(Account(), null, 10, CancellationToken.None);

        // Assert
        result.Comments.Select(c => c.PlatformItemId).Should().Equal(Enumerable.Reverse(ids).Take(10));
        result.More.Should().BeFalse();
        result.NextCursor.Should().NotBeNull();
        Server.RequestsTo(ReadPath).Should().ContainSingle();
    }

    [Fact]
    public async Task A_stored_cursor_reads_every_newer_comment_over_several_pages_and_not_the_older_ones()
    {
        // Arrange
        var old = Enumerable.Range(0, 5).Select(i => AddPending($"old {i}")).ToList();
        var connector = Connector(PlatformKit.Http());
        var backfill = await connector.FetchAsync(Account(), null, 100, CancellationToken.None);
        var fresh = Enumerable.Range(0, 230).Select(i => AddPending($"new {i}")).ToList();
        var before = Server.RequestsTo(ReadPath).Count;

        // Act
        var (comments, _, more) = await PollRun.PollAsync(connector, Account(), backfill.NextCursor);

        // Assert: the newest old one may come again (ingest is idempotent); none older.
        more.Should().BeFalse();
        comments.Select(c => c.PlatformItemId).Should().OnlyHaveUniqueItems().And.Contain(fresh).And.NotContain(old.SkipLast(1));
        Server.RequestsTo(ReadPath).Should().HaveCount(before + 3);
    }

    [Fact]
    public async Task A_run_cut_short_by_the_page_limit_resumes_and_loses_nothing_that_arrived_meanwhile()
    {
        // Arrange
        AddPending("before connecting");
        var connector = Connector(PlatformKit.Http());
        var backfill = await connector.FetchAsync(Account(), null, 100, CancellationToken.None);
        var firstWave = Enumerable.Range(0, 150).Select(i => AddPending($"first wave {i}")).ToList();
        var (cutShort, stored, more) = await PollRun.PollAsync(connector, Account(), backfill.NextCursor, maxPages: 1);
        var secondWave = Enumerable.Range(0, 3).Select(i => AddPending($"second wave {i}")).ToList();

        // Act
        var (rest, storedAfter, _) = await PollRun.PollAsync(connector, Account(), stored);
        var (next, _, _) = await PollRun.PollAsync(connector, Account(), storedAfter);

        // Assert
        more.Should().BeTrue();
        cutShort.Should().HaveCount(100);
        cutShort.Concat(rest).Concat(next).Select(c => c.PlatformItemId).Should().Contain(firstWave).And.Contain(secondWave);
    }

    [Fact]
    public async Task A_429_with_a_Retry_After_within_the_cap_is_waited_out_and_the_call_succeeds()
    {
        // Arrange
        Server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 1) { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http());
        var clock = Stopwatch.StartNew();

        // Act
        await ReadAsync(connector);

        // Assert: asked again, and not before the platform said it could be.
        Server.RequestsTo(ReadPath).Should().HaveCount(2);
        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task A_429_with_a_Retry_After_beyond_the_cap_surfaces_as_rate_limited_without_waiting()
    {
        // Arrange
        Server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 600) { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http());

        // Act
        var act = () => ReadAsync(connector);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.RateLimited);
        thrown.Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(600));
        Server.RequestsTo(ReadPath).Should().ContainSingle();
    }

    [Fact]
    public async Task A_burst_of_5xx_within_the_retries_ends_in_success()
    {
        // Arrange
        Server.Enqueue(new Fault.Status(503) { PathContains = ActPath }, new Fault.Status(500) { PathContains = ActPath }, new Fault.Status(502) { PathContains = ActPath });
        var connector = Connector(PlatformKit.Http());

        // Act
        await ActAsync(connector);

        // Assert
        Server.RequestsTo(ActPath).Should().HaveCount(4);
    }

    [Fact]
    public async Task A_burst_of_5xx_longer_than_the_retries_surfaces_as_transient()
    {
        // Arrange
        var options = PlatformKit.FastOptions();
        Server.Enqueue(Enumerable.Range(0, options.MaxRetries + 2).Select(_ => (Fault)new Fault.Status(503) { PathContains = ActPath }).ToArray());
        var connector = Connector(PlatformKit.Http(options));

        // Act
        var act = () => ActAsync(connector);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Transient);
        Server.RequestsTo(ActPath).Should().HaveCount(options.MaxRetries + 1);
    }

    [Fact]
    public async Task A_platform_that_does_not_answer_is_cut_off_and_asked_again()
    {
        // Arrange
        var options = PlatformKit.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        Server.Enqueue(new Fault.Hang { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http(options));

        // Act
        await ReadAsync(connector);

        // Assert
        Server.RequestsTo(ReadPath).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_platform_that_never_answers_surfaces_as_transient()
    {
        // Arrange
        var options = PlatformKit.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxRetries = 1;
        Server.Enqueue(new Fault.Hang { PathContains = ReadPath }, new Fault.Hang { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http(options));

        // Act
        var act = () => ReadAsync(connector);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.Transient);
        thrown.Which.Message.Should().Contain("did not answer");
    }

    [Fact]
    public async Task Malformed_JSON_surfaces_as_malformed_and_is_not_retried()
    {
        // Arrange
        Server.Enqueue(new Fault.Malformed { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http());

        // Act
        var act = () => ReadAsync(connector);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Malformed);
        Server.RequestsTo(ReadPath).Should().ContainSingle();
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task A_bare_401_or_403_means_the_account_needs_reconnecting_and_is_not_retried(int status)
    {
        // Arrange
        Server.Enqueue(new Fault.Status(status) { PathContains = ReadPath });
        var connector = Connector(PlatformKit.Http());

        // Act
        var act = () => ReadAsync(connector);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Failure.Should().Be(PlatformFailure.Unauthorized);
        thrown.Which.Status.Should().Be(status);
        Server.RequestsTo(ReadPath).Should().ContainSingle();
    }

    [Fact]
    public async Task A_404_on_an_action_means_the_comment_is_gone()
    {
        // Arrange
        Server.Enqueue(new Fault.Status(404) { PathContains = ActPath });
        var connector = Connector(PlatformKit.Http());

        // Act
        var act = () => ActAsync(connector);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.NotFound);
    }

    [Fact]
    public async Task The_access_token_goes_in_the_Authorization_header_and_never_in_the_URL()
    {
        // Arrange
        var connector = Connector(PlatformKit.Http());

        // Act
        await ReadAsync(connector);
        await ActAsync(connector);

        // Assert
        var token = Account().Credentials.AccessToken!;
        Server.Requests.Should().OnlyContain(r => r.Authorization == "Bearer " + token && !r.PathAndQuery.Contains(token));
    }
}
