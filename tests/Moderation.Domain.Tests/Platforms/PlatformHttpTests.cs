using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms;

/// <summary>
/// The retry rules every connector shares: a request that creates something is repeated only when it surely never
/// arrived, so a post is never published twice.
/// </summary>
public sealed class PlatformHttpTests : IAsyncLifetime
{
    private FakePlatformServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await FakePlatformServer.StartAsync((app, _) => app.MapPost("/posts", () => Results.Json(new { id = "1" })));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ConnectedAccount Account(Uri? baseUrl = null) =>
        PlatformKit.Account(Platform.Blog, baseUrl ?? _server.BaseUrl, new PlatformCredentials(AccessToken: "t"));

    private static Func<HttpRequestMessage> Post(ConnectedAccount account) => () => new HttpRequestMessage(HttpMethod.Post, new Uri(account.ApiBaseUrl, "posts"));

    [Fact]
    public async Task A_repeatable_request_rides_out_a_5xx()
    {
        // Arrange
        var http = PlatformKit.Http();
        _server.Enqueue(new Fault.Status(503));
        var account = Account();

        // Act
        var answer = await http.SendAsync(account, Post(account), CancellationToken.None);

        // Assert
        answer.Status.Should().Be(HttpStatusCode.OK);
        _server.RequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_post_that_got_a_5xx_is_not_repeated_and_fails_as_uncertain()
    {
        // Arrange
        var http = PlatformKit.Http();
        _server.Enqueue(new Fault.Status(502));
        var account = Account();

        // Act
        var act = () => http.SendAsync(account, Post(account), CancellationToken.None, repeatable: false);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Uncertain.Should().BeTrue();
        thrown.Which.Failure.Should().Be(PlatformFailure.Transient);
        _server.RequestCount.Should().Be(1, "a second post could be a duplicate");
    }

    [Fact]
    public async Task A_post_that_timed_out_is_not_repeated_and_fails_as_uncertain()
    {
        // Arrange
        var options = PlatformKit.FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        var http = PlatformKit.Http(options);
        _server.Enqueue(new Fault.Hang());
        var account = Account();

        // Act
        var act = () => http.SendAsync(account, Post(account), CancellationToken.None, repeatable: false);

        // Assert
        (await act.Should().ThrowAsync<PlatformCallException>()).Which.Uncertain.Should().BeTrue();
        _server.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task A_post_refused_with_429_surely_never_took_effect_and_is_repeated_after_Retry_After()
    {
        // Arrange
        var http = PlatformKit.Http();
        _server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 0));
        var account = Account();

        // Act
        var answer = await http.SendAsync(account, Post(account), CancellationToken.None, repeatable: false);

        // Assert
        answer.Status.Should().Be(HttpStatusCode.OK);
        _server.RequestCount.Should().Be(2);
    }

    [Fact]
    public async Task A_post_to_a_closed_port_never_arrived_so_it_is_retried_and_fails_as_certain()
    {
        // Arrange
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();
        var http = PlatformKit.Http();
        var account = Account(closed);

        // Act
        var act = () => http.SendAsync(account, Post(account), CancellationToken.None, repeatable: false);

        // Assert
        var thrown = await act.Should().ThrowAsync<PlatformCallException>();
        thrown.Which.Uncertain.Should().BeFalse("the connection was refused: nothing reached the platform");
        thrown.Which.IsTransient.Should().BeTrue();
    }
}
