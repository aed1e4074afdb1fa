using System.Text.Json;
using MassTransit;
using Moderation.Contracts;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Messaging;

public static class Outbox
{
    public const string Channel = "moderation_outbox";

    internal static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, Type> s_contracts = typeof(ItemReceived).Assembly
        .GetTypes()
        .Where(t => t.IsPublic && t.Namespace == typeof(ItemReceived).Namespace)
        .ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    /// <summary>Adds a message to the outbox; it is sent only if the surrounding transaction commits.</summary>
    public static OutboxMessage Enqueue<T>(ModerationDbContext db, T message, DateTimeOffset now, DateTimeOffset? dueAt = null)
        where T : class
    {
        if (!s_contracts.ContainsKey(typeof(T).FullName!))
        {
            throw new ArgumentException($"{typeof(T).FullName} is not a contract in Moderation.Contracts.", nameof(message));
        }

        var row = new OutboxMessage
        {
            MessageId = NewId.NextGuid(),
            Type = typeof(T).FullName!,
            Payload = JsonSerializer.Serialize(message, s_json),
            CreatedAt = now,
            DueAt = dueAt ?? now,
        };
        db.Outbox.Add(row);
        return row;
    }

    internal static (object Message, Type Type) Deserialize(OutboxMessage row)
    {
        if (!s_contracts.TryGetValue(row.Type, out var type))
        {
            throw new InvalidOperationException($"Outbox row {row.Seq} names an unknown contract '{row.Type}'.");
        }

        var message = JsonSerializer.Deserialize(row.Payload, type, s_json)
            ?? throw new InvalidOperationException($"Outbox row {row.Seq} has an empty payload.");
        return (message, type);
    }
}
