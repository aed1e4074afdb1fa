using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.Meta;

/// <summary>An answer of the fake Graph: a status, a JSON body and any headers (Meta's usage headers).</summary>
public sealed record GraphAnswer(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static GraphAnswer Ok(string body) => new(200, body);

    /// <summary>Meta's error shape, as the Graph sends it.</summary>
    public static GraphAnswer Error(int status, int code, string message, int? subcode = null, string type = "OAuthException", IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, JsonSerializer.Serialize(new
        {
            error = new Dictionary<string, object?> { ["message"] = message, ["type"] = type, ["code"] = code, ["error_subcode"] = subcode, ["fbtrace_id"] = "AbCdEf123" }
                .Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value),
        }), headers);
}

/// <summary>
/// The Graph API on a loopback port, answering the routes a test sets with the shapes Meta documents. Anything not
/// set is answered as Meta answers an unknown object: 400, code 100, subcode 33.
/// </summary>
public sealed class FakeGraph : IAsyncDisposable
{
    public const string Version = "v21.0";
    private readonly ConcurrentDictionary<string, Func<HttpRequest, GraphAnswer>> _routes = new(StringComparer.Ordinal);

    private FakeGraph(FakePlatformServer server) => Server = server;

    public FakePlatformServer Server { get; }

    public Uri ApiBaseUrl => new(Server.BaseUrl, $"{Version}/");

    public static async Task<FakeGraph> StartAsync()
    {
        FakeGraph? graph = null;
        var server = await FakePlatformServer.StartAsync((app, _) => app.Map("/{**path}", (HttpContext context) => graph!.AnswerAsync(context)));
        graph = new FakeGraph(server);
        return graph;
    }

    /// <summary>Answers <paramref name="method"/> on <c>/v21.0/<paramref name="path"/></c>.</summary>
    public void On(string method, string path, Func<HttpRequest, GraphAnswer> answer) => _routes[$"{method} /{Version}/{path}"] = answer;

    public void On(string method, string path, string json) => On(method, path, _ => GraphAnswer.Ok(json));

    public ConnectedAccount Account(Platform platform, string externalId, string handle = "@school", string token = "page-token-123") =>
        PlatformKit.Account(platform, ApiBaseUrl, new PlatformCredentials(AccessToken: token), externalId, handle);

    public IReadOnlyList<FakeRequest> To(string path, string? method = null) =>
        Server.Requests.Where(r => r.Path == $"/{Version}/{path}" && (method is null || r.Method == method)).ToList();

    /// <summary>A form-encoded request body as fields.</summary>
    public static Dictionary<string, string> Form(FakeRequest request) =>
        QueryHelpers.ParseQuery(request.Body).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public static Dictionary<string, string> Query(FakeRequest request) =>
        QueryHelpers.ParseQuery(request.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    private async Task AnswerAsync(HttpContext context)
    {
        var key = $"{context.Request.Method} {context.Request.Path.Value}";
        var answer = _routes.TryGetValue(key, out var route)
            ? route(context.Request)
            : GraphAnswer.Error(400, 100, $"Unsupported request. Object with ID '{context.Request.Path.Value}' does not exist", 33, "GraphMethodException");
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(answer.Body);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
