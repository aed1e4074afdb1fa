using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Platforms;

/// <summary>What one poll of one account did.</summary>
public sealed record PollReport(Guid AccountId, string Outcome, int Read, int New, int Pages)
{
    public override string ToString() => $"{Outcome}: {Read} read, {New} new, {Pages} page(s)";
}

/// <summary>
/// Reads an account's pending comments since its stored cursor and ingests them. The cursor is saved after each page,
/// so a poll cut short resumes where it stopped; a first poll (no cursor) reads at most
/// <see cref="PlatformOptions.BackfillLimit"/> of the most recent. Public comments on a pre-moderated account are
/// hidden on arrival (the hide is queued with the item). Expired credentials mark the account for reconnection.
/// </summary>
public sealed class AccountPoller(
    ModerationDbContext db,
    PlatformConnectors connectors,
    AccountConnections connections,
    ItemIntake intake,
    Notifier notifier,
    TimeProvider time,
    IOptions<PlatformOptions> options,
    ILogger<AccountPoller> logger)
{
    private readonly PlatformOptions _options = options.Value;

    public async Task<PollReport> PollAsync(Guid accountId, CancellationToken ct)
    {
        var account = await db.SocialAccounts.FirstOrDefaultAsync(a => a.Id == accountId, ct);
        if (account is null || account.ConnectionStatus != ConnectionStatus.Connected)
        {
            return new PollReport(accountId, account is null ? "no such account" : $"skipped: {account.ConnectionStatus}", 0, 0, 0);
        }

        if (!connectors.TryGet(account.Platform, out var connector) || !connector.Capabilities.HasFlag(PlatformCapabilities.Poll))
        {
            return new PollReport(accountId, $"skipped: {account.Platform} is not polled", 0, 0, 0);
        }

        int read = 0, created = 0, pages = 0;
        try
        {
            var connected = connections.Open(account);
            var cursor = account.PollCursor;
            FetchResult page;
            do
            {
                page = await connector.FetchAsync(connected, cursor, _options.BackfillLimit, ct);
                pages++;
                foreach (var comment in page.Comments)
                {
                    read++;
                    var (_, isNew) = await intake.IngestAsync(Inbound(account, comment), ct);
                    created += isNew ? 1 : 0;
                }

                cursor = page.NextCursor ?? cursor;
                await db.SocialAccounts.Where(a => a.Id == account.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.PollCursor, cursor), ct);
            }
            while (page.More && pages < _options.MaxPagesPerPoll);

            var now = time.GetUtcNow();
            await db.SocialAccounts.Where(a => a.Id == account.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.LastPolledAt, now).SetProperty(a => a.LastPollCount, created), ct);
            logger.LogInformation("Polled {Platform} account {Handle}: {Read} read, {New} new.", account.Platform, account.Handle, read, created);
            return new PollReport(accountId, "polled", read, created, pages);
        }
        catch (Exception ex) when (ex is PlatformCallException { Failure: PlatformFailure.Unauthorized } or CredentialsUnreadableException)
        {
            var now = time.GetUtcNow();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AccountTrouble.NeedsReconnectionAsync(db, notifier, account, ex.Message, now, ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            logger.LogWarning("Polling {Platform} account {Handle}: credentials refused ({Error}).", account.Platform, account.Handle, ex.Message);
            return new PollReport(accountId, "needs reconnection", read, created, pages);
        }
        catch (PlatformCallException ex)
        {
            await AccountTrouble.RecordErrorAsync(db, account.Id, $"Polling failed: {ex.Message}", time.GetUtcNow(), ct);
            logger.LogWarning("Polling {Platform} account {Handle} failed: {Error}", account.Platform, account.Handle, ex.Message);
            return new PollReport(accountId, $"failed: {ex.Failure}", read, created, pages);
        }
    }

    public static InboundItem Inbound(SocialAccount account, PlatformComment comment) => new(
        account.Id,
        comment.Kind,
        comment.PlatformItemId,
        comment.AuthorName,
        comment.AuthorPlatformId,
        comment.Text,
        comment.PostedAt,
        comment.Url,
        comment.ParentId,
        comment.RawJson,
        HideOnArrival: comment.PubliclyVisible);
}
