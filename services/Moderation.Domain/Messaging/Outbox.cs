using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Persistence;
using Npgsql;

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
        var row = Row(message, now, dueAt);
        db.Outbox.Add(row);
        return row;
    }

    /// <summary>Wakes the relay when the caller's transaction commits (PostgreSQL delivers NOTIFY only then).</summary>
    public static Task NotifyAsync(DbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync($"NOTIFY {Channel}", cancellationToken);

    /// <summary>
    /// Adds many messages of one contract in one statement, in the caller's transaction (which must exist): the rows
    /// <see cref="Enqueue"/> would add, without tracking them. Wakes the relay on commit, as saving tracked rows does.
    /// </summary>
    public static async Task<IReadOnlyList<OutboxMessage>> EnqueueManyAsync<T>(
        ModerationDbContext db, IReadOnlyList<T> messages, DateTimeOffset now, CancellationToken cancellationToken)
        where T : class
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Outbox messages are written in the same transaction as the change they announce.");
        }

        var rows = messages.Select(m => Row(m, now, null)).ToList();
        if (rows.Count == 0)
        {
            return rows;
        }

        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO outbox (message_id, type, payload, created_at, due_at, attempts)
            SELECT u.message_id, @type, u.payload::jsonb, @now, @now, 0
            FROM unnest(@message_id, @payload) WITH ORDINALITY AS u(message_id, payload, n)
            ORDER BY u.n
            """,
            [
                new NpgsqlParameter("type", typeof(T).FullName!),
                new NpgsqlParameter("now", now),
                new NpgsqlParameter("message_id", rows.Select(r => r.MessageId).ToArray()),
                new NpgsqlParameter("payload", rows.Select(r => r.Payload).ToArray()),
            ],
            cancellationToken);
        await NotifyAsync(db, cancellationToken);
        return rows;
    }

    private static OutboxMessage Row<T>(T message, DateTimeOffset now, DateTimeOffset? dueAt)
        where T : class
    {
        if (!s_contracts.ContainsKey(typeof(T).FullName!))
        {
            throw new ArgumentException($"{typeof(T).FullName} is not a contract in Moderation.Contracts.", nameof(message));
        }

        return new OutboxMessage
        {
            MessageId = NewId.NextGuid(),
            Type = typeof(T).FullName!,
            Payload = JsonSerializer.Serialize(message, s_json),
            CreatedAt = now,
            DueAt = dueAt ?? now,
        };
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
