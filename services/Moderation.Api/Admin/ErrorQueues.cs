using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Moderation.Domain.Messaging;

namespace Moderation.Api.Admin;

public sealed record ErrorQueueSummary(string Name, long Messages);

public sealed record FaultedMessage(
    string? MessageId,
    string? MessageType,
    Guid? SchoolId,
    string? ExceptionType,
    string? FaultMessage,
    string? FaultedAt,
    int RedeliveryCount,
    JsonElement? Message);

/// <summary>
/// Reads MassTransit's <c>*_error</c> queues through RabbitMQ's management API. Peeking requeues every message it
/// reads, so inspecting loses nothing.
/// </summary>
public sealed class ErrorQueues(HttpClient http, IOptions<RabbitMqOptions> options)
{
    private readonly string _vhost = Uri.EscapeDataString(options.Value.VirtualHost);

    public static void Configure(IServiceProvider services, HttpClient http)
    {
        var o = services.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
        http.BaseAddress = new Uri($"http://{o.Host}:{o.ManagementPort}/api/");
        http.Timeout = TimeSpan.FromSeconds(10);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.Username}:{o.Password}")));
    }

    public async Task<IReadOnlyList<ErrorQueueSummary>> ListAsync(CancellationToken ct)
    {
        var queues = await http.GetFromJsonAsync<JsonElement[]>($"queues/{_vhost}?columns=name,messages", ct) ?? [];
        return [.. queues
            .Select(q => new ErrorQueueSummary(q.GetProperty("name").GetString()!, q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0))
            .Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal))
            .OrderBy(q => q.Name, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<FaultedMessage>?> PeekAsync(string queue, int count, CancellationToken ct)
    {
        if (!queue.EndsWith("_error", StringComparison.Ordinal) || (await ListAsync(ct)).All(q => q.Name != queue))
        {
            return null;
        }

        using var response = await http.PostAsJsonAsync(
            $"queues/{_vhost}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 100_000 },
            ct);
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<JsonElement[]>(ct) ?? [];
        return [.. messages.Select(ToFaulted)];
    }

    private static FaultedMessage ToFaulted(JsonElement m)
    {
        var props = m.GetProperty("properties");
        var headers = props.TryGetProperty("headers", out var h) ? h : default;
        string? Header(string name) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(name, out var v) ? v.ToString() : null;

        JsonElement? envelope = null;
        try
        {
            envelope = JsonDocument.Parse(m.GetProperty("payload").GetString() ?? "").RootElement;
        }
        catch (JsonException)
        {
            // Not JSON: shown without a body.
        }

        JsonElement? message = envelope is { } e && e.TryGetProperty("message", out var body) ? body : null;
        Guid? schoolId = message is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("schoolId", out var sid) && sid.TryGetGuid(out var g) ? g : null;
        var messageId = envelope is { } e1 && e1.TryGetProperty("messageId", out var id) ? id.GetString() : null;
        var type = envelope is { } e2 && e2.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array && types.GetArrayLength() > 0
            ? types[0].GetString()
            : null;
        var redeliveries = int.TryParse(Header("MT-Redelivery-Count"), out var r) ? r : 0;
        return new FaultedMessage(messageId, type, schoolId, Header("MT-Fault-ExceptionType"), Header("MT-Fault-Message"), Header("MT-Fault-Timestamp"), redeliveries, message);
    }
}
