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
        if (eventData.Context is { } context
            && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
        {
            await context.Database.ExecuteSqlRawAsync($"NOTIFY {Outbox.Channel}", cancellationToken);
        }

        return result;
    }
}
