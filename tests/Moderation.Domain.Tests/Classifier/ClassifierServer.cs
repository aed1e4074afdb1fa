using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Moderation.Domain.Tests.Classifier;

/// <summary>One request the fake classifier received: its parsed body and the headers that matter.</summary>
internal sealed record ReceivedRequest(JsonElement Body, string? Authorization, string? ContentType)
{
    public string Text => Body.GetProperty("text").GetString()!;
}

/// <summary>
/// A real classifier endpoint on a loopback port (Kestrel), so the whole HTTP path runs: the handler decides each
/// answer, and every request is counted and kept.
/// </summary>
internal sealed class ClassifierServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    private ClassifierServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    /// <summary>Released once for every request, after it is recorded and before it is answered.</summary>
    public SemaphoreSlim Arrived { get; } = new(0);

    /// <summary>Completed when the server has stopped; handlers that hang wait on it (or on the client going away).</summary>
    public Task Stopping => _stopping.Task;

    /// <summary>A server whose handler answers each request; the request is read and recorded first.</summary>
    public static async Task<ClassifierServer> StartAsync(Func<ReceivedRequest, HttpContext, ClassifierServer, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new ClassifierServer(app);
        app.MapPost("/classify", async (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requests);
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var received = new ReceivedRequest(body.RootElement.Clone(), context.Request.Headers.Authorization, context.Request.ContentType);
            server.Received.Enqueue(received);
            server.Arrived.Release();
            await handle(received, context, server);
        });
        await app.StartAsync();
        server.Url = new Uri(new Uri(app.Urls.Single()), "/classify");
        return server;
    }

    /// <summary>Answers 200 with the JSON the function writes for the text it was sent.</summary>
    public static Task<ClassifierServer> AnsweringAsync(Func<string, string> json) =>
        StartAsync((request, context, _) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(json(request.Text));
        });

    /// <summary>Answers every request with this status and body.</summary>
    public static Task<ClassifierServer> RespondingAsync(int status, string body = "") =>
        StartAsync((_, context, _) =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync(body);
        });

    /// <summary>Never answers: each request waits until the client gives up or the server stops.</summary>
    public static Task<ClassifierServer> HangingAsync() =>
        StartAsync(async (_, context, server) =>
        {
            await Task.WhenAny(server.Stopping, Task.Delay(Timeout.Infinite, context.RequestAborted));
        });

    /// <summary>A loopback URL on which nothing listens.</summary>
    public static Uri ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/classify");
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Arrived.Dispose();
    }
}
