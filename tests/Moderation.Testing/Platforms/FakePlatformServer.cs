using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Moderation.Testing.Platforms;

/// <summary>One request a fake platform received, read whole.</summary>
public sealed record FakeRequest(string Method, string Path, string Query, string? Authorization, string? ContentType, string Body)
{
    public string PathAndQuery => Path + Query;
}

/// <summary>A fault the fake answers the next matching request with, instead of its normal answer.</summary>
public abstract record Fault
{
    /// <summary>Only requests whose path contains this (null: any).</summary>
    public string? PathContains { get; init; }

    /// <summary>Answers with a status, optional <c>Retry-After</c> (seconds) and body.</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null, string Body = "{}") : Fault;

    /// <summary>Answers 200 with a body that is not JSON.</summary>
    public sealed record Malformed(string Body = "{\"data\": [ this is not json") : Fault;

    /// <summary>Never answers: the request waits until the client gives up.</summary>
    public sealed record Hang : Fault;
}

/// <summary>
/// A platform's API on a loopback port (real Kestrel, real HTTP), for connector tests. The test maps the platform's
/// routes with its published request and response shapes; faults queued with <see cref="Enqueue"/> are answered first,
/// one per request, so tests can script bursts of 5xx, 429 with <c>Retry-After</c>, timeouts and malformed JSON.
/// Every request is recorded.
/// </summary>
public sealed class FakePlatformServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakePlatformServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    /// <summary>Released once per request, after it is recorded.</summary>
    public SemaphoreSlim Arrived { get; } = new(0);

    public int RequestCount => Requests.Count;

    /// <summary>While true, the platform is down: every request is answered 503 (and recorded), whatever is queued.</summary>
    public bool Down { get; set; }

    public IReadOnlyList<FakeRequest> RequestsTo(string pathContains, string? method = null) =>
        Requests.Where(r => r.Path.Contains(pathContains, StringComparison.Ordinal) && (method is null || r.Method == method)).ToList();

    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    /// <summary>Starts the server; <paramref name="map"/> adds the platform's routes (request bodies are already recorded and rewound).</summary>
    public static async Task<FakePlatformServer> StartAsync(Action<WebApplication, FakePlatformServer> map, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new FakePlatformServer(app);
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            server.Requests.Enqueue(new FakeRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                context.Request.Headers.Authorization, context.Request.ContentType, body));
            server.Arrived.Release();
            if (server.Down)
            {
                await server.AnswerAsync(context, new Fault.Status(503, Body: """{"error":{"message":"Service temporarily unavailable","code":2}}"""));
                return;
            }

            if (server.TakeFault(context.Request.Path.Value ?? "") is { } fault)
            {
                await server.AnswerAsync(context, fault);
                return;
            }

            await next(context);
        });
        map(app, server);
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    private Fault? TakeFault(string path)
    {
        if (!_faults.TryPeek(out var next) || (next.PathContains is { } part && !path.Contains(part, StringComparison.Ordinal)))
        {
            return null;
        }

        return _faults.TryDequeue(out var fault) ? fault : null;
    }

    private async Task AnswerAsync(HttpContext context, Fault fault)
    {
        switch (fault)
        {
            case Fault.Status status:
                context.Response.StatusCode = status.Code;
                if (status.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(status.Body);
                break;
            case Fault.Malformed malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(malformed.Body);
                break;
            case Fault.Hang:
                await Task.WhenAny(_stopping.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Arrived.Dispose();
    }
}
