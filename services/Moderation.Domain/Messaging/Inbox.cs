using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;

namespace Moderation.Domain.Messaging;

public static class Inbox
{
    /// <summary>
    /// Records that <paramref name="consumer"/> handled this message, inside the caller's transaction. False means it
    /// already had: the caller commits and returns without doing the work again.
    /// </summary>
    public static async Task<bool> TryAcceptAsync(
        ModerationDbContext db, string consumer, ConsumeContext context, DateTimeOffset now)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException("Messages without a MessageId cannot be deduplicated and are refused.");
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The inbox row is written in the consumer's transaction.");
        }

        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox (consumer, message_id, received_at) VALUES ({consumer}, {messageId}, {now}) ON CONFLICT DO NOTHING",
            context.CancellationToken);
        return inserted == 1;
    }
}
