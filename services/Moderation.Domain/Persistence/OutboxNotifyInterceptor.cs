using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Moderation.Domain.Messaging;

namespace Moderation.Domain.Persistence;

/// <summary>
/// Sends NOTIFY in the same transaction that adds outbox rows. PostgreSQL delivers it only on commit, so the relay
/// wakes exactly when there is something committed to send.
/// </summary>
internal sealed class OutboxNotifyInterceptor : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && AddsOutboxRows(context))
        {
            if (context is ModerationDbContext { InWriteBatch: true } batch)
            {
                // A write batch sends one NOTIFY for all its writes, just before it commits.
                batch.OutboxNotifyPending = true;
            }
            else
            {
                await Outbox.NotifyAsync(context, cancellationToken);
            }
        }

        return result;
    }

    /// <summary>Outbox rows are only ever added, so this looks without detecting changes (SaveChanges detects them right after this, once).</summary>
    private static bool AddsOutboxRows(DbContext context) => context.Added<OutboxMessage>().Count > 0;
}
