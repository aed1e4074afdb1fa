using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moderation.Testing;

/// <summary>A real HTTP endpoint on a loopback port standing in for a Teams or Slack incoming webhook.</summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;

    public WebhookSink()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port { get; }

    /// <summary>The URL a school would paste in: a path with a secret, as Slack and Teams give out.</summary>
    public string Url => $"http://127.0.0.1:{Port}/services/T000/B000/secret-token";

    public ConcurrentQueue<string> Bodies { get; } = new();

    /// <summary>The status every post is answered with.</summary>
    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    public int Posts => _posts;

    private int _posts;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref _posts);
            var answer = Answer;
            if (answer == HttpStatusCode.OK)
            {
                Bodies.Enqueue(body);
            }

            context.Response.StatusCode = (int)answer;
            var reply = Encoding.UTF8.GetBytes(answer == HttpStatusCode.OK ? "ok" : "invalid_token");
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (ObjectDisposedException)
        {
        }

        _listener.Close();
    }
}
