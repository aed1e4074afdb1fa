using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Npgsql;

namespace Moderation.Domain.Items;

/// <summary>An inbound comment or post as a connector hands it over.</summary>
/// <param name="HideOnArrival">The platform already shows it and the account is pre-moderated: hide it there first (fail closed).</param>
public sealed record InboundItem(
    Guid SocialAccountId,
    ItemKind Kind,
    string PlatformItemId,
    string? AuthorName,
    string? AuthorPlatformId,
    string Text,
    DateTimeOffset? PostedAt,
    string? Url = null,
    string? ParentId = null,
    string? RawJson = null,
    bool HideOnArrival = false);

/// <summary>How items enter the queue: staff drafts from the API, inbound items from connectors and seeds.</summary>
/// <param name="connectors">What each platform can publish; without it (tools that only ingest), drafts are not checked against it.</param>
/// <param name="screening">With <paramref name="batches"/>, screens and routes a draft as it is submitted (ADR 0607); without them, a draft is screened apart.</param>
public sealed class ItemIntake(
    ModerationDbContext db,
    TimeProvider time,
    PlatformConnectors? connectors = null,
    ItemScreening? screening = null,
    SchoolWriteBatches? batches = null,
    ILogger<ItemIntake>? logger = null)
{
    public const int MaxTextLength = 63_206;

    public async Task<Outcome> SubmitDraftAsync(
        StaffMember author, Guid schoolId, string text, IReadOnlyCollection<Guid> targetAccountIds, IReadOnlyList<PhotoUpload> photos, CancellationToken ct)
    {
        if (!author.BelongsTo(schoolId))
        {
            return Outcome.NotFound;
        }

        if (!author.IsInAny([Roles.Author, Roles.Administrator, Roles.Headteacher]))
        {
            return Outcome.Forbidden("Your role may not submit drafts.");
        }

        if (string.IsNullOrWhiteSpace(text) && photos.Count == 0)
        {
            return Outcome.Invalid("A draft needs text or at least one photo.");
        }

        if (text.Length > MaxTextLength)
        {
            return Outcome.Invalid($"The text is longer than {MaxTextLength} characters.");
        }

        if (targetAccountIds.Count == 0)
        {
            return Outcome.Invalid("Choose at least one of the school's accounts to publish to.");
        }

        if (photos.Count > ImageFormats.MaxPhotosPerDraft)
        {
            return Outcome.Invalid($"A draft can carry at most {ImageFormats.MaxPhotosPerDraft} photos.");
        }

        // With what the school's screening profile must match, read in the same query (one round trip fewer a draft).
        var read = await (
                from a in db.SocialAccounts.AsNoTracking()
                join s in db.Schools on a.SchoolId equals s.Id
                where a.SchoolId == schoolId && targetAccountIds.Contains(a.Id)
                select new { Account = a, Profile = new SchoolScreeningProfiles.Key(s.ScreeningVersion, s.NamePolicy, s.ConsentModel) })
            .ToListAsync(ct);
        var targets = read.Select(r => r.Account).ToList();
        var accounts = targets.Select(a => a.Id).ToList();
        var unknown = targetAccountIds.Except(accounts).ToList();
        if (unknown.Count > 0)
        {
            return Outcome.Invalid($"Not accounts of this school: {string.Join(", ", unknown)}.");
        }

        var unable = connectors is null
            ? []
            : targets.Where(a => !connectors.CapabilitiesOf(a.Platform).Supports(PlatformAction.Publish, ownPost: true, photos: photos.Count > 0)).ToList();
        if (unable.Count > 0)
        {
            var what = photos.Count > 0 ? "posts with photos" : "text-only posts";
            return Outcome.Invalid($"{string.Join(" and ", unable.Select(a => $"{a.Platform} ({a.Handle})"))} cannot take {what} through its API; choose other accounts.");
        }

        var contentTypes = new string[photos.Count];
        for (var i = 0; i < photos.Count; i++)
        {
            var photo = photos[i];
            if (ImageFormats.DetectContentType(photo.Content) is not { } contentType)
            {
                return Outcome.Invalid($"'{photo.FileName}' is not a JPEG, PNG, WebP or HEIC image.");
            }

            if (photo.Content.LongLength > ImageFormats.MaxPhotoBytes)
            {
                return new Outcome(OutcomeKind.Invalid, Detail: $"'{photo.FileName}' is larger than {ImageFormats.MaxPhotoBytes / (1024 * 1024)} MB.");
            }

            contentTypes[i] = contentType;
        }

        var now = time.GetUtcNow();
        var itemId = Guid.CreateVersion7(now);
        var mediaIds = photos.Select(_ => Guid.CreateVersion7(now)).ToArray();
        var hashes = photos.Select(p => Convert.ToHexStringLower(SHA256.HashData(p.Content))).ToArray();
        // Built afresh for each attempt to store it: a write batch that runs again starts from the draft as submitted.
        ModerationItem Draft()
        {
            var item = new ModerationItem
            {
                Id = itemId,
                SchoolId = schoolId,
                Kind = ItemKind.OutboundDraft,
                State = ItemState.Received,
                Text = text,
                DraftAuthorId = author.UserId,
                AuthorName = author.Name,
                ReceivedAt = now,
                UpdatedAt = now,
            };
            for (var i = 0; i < photos.Count; i++)
            {
                item.Media.Add(new ItemMedia
                {
                    Id = mediaIds[i],
                    ItemId = itemId,
                    FileName = Path.GetFileName(photos[i].FileName),
                    ContentType = contentTypes[i],
                    Length = photos[i].Content.LongLength,
                    Sha256 = hashes[i],
                    Content = photos[i].Content,
                });
            }

            item.Targets.AddRange(accounts.Select(a => new DraftTarget { ItemId = itemId, SocialAccountId = a }));
            return item;
        }

        var actor = author.AsActor();
        var submitted = $"{photos.Count} photo(s), {accounts.Count} account(s)";
        var channels = ItemChannels.Of(null, targets.Select(a => a.Platform));
        if (screening is not null && batches is not null && await ScreenAndRouteAsync(Draft, channels, read[0].Profile, actor, submitted, now, ct) is { } routed)
        {
            return Outcome.Done(routed);
        }

        // Screened apart, by the worker's screening stage, from an ItemReceived message.
        var draft = Draft();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Items.Add(draft);
        await AuditLog.AppendAsync(db, schoolId, actor, "draft-submitted", now, draft.Id, null, ItemState.Received.ToString(), submitted, ct);
        Outbox.Enqueue(db, new ItemReceived(draft.Id, schoolId, draft.Kind.ToString(), now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Outcome.Done(draft);
    }

    /// <summary>
    /// Screens a draft as it is submitted and stores it screened and routed, in the school's next write batch
    /// (ADR 0607): it reaches its approver with no message, inbox row or second read of its photos. Null if that could
    /// not be done (the school's profile could not be read, say); nothing is then stored, and the caller stores the
    /// draft to be screened apart. A draft is never stored unscreened without its <see cref="ItemReceived"/> message.
    /// </summary>
    private async Task<ModerationItem?> ScreenAndRouteAsync(
        Func<ModerationItem> draft, IReadOnlyCollection<Consent.ConsentChannel> channels, SchoolScreeningProfiles.Key profileKey, Actor actor, string submitted,
        DateTimeOffset now, CancellationToken ct)
    {
        var snapshot = draft();
        try
        {
            // Before the transaction: screening is a pure function of the draft and the school, and may wait on the classifier.
            var profile = await screening!.ProfileAsync(db, snapshot.SchoolId, profileKey, ct);
            var result = await screening.ScreenAsync(db, profile, snapshot, ct, channels);
            return await batches!.RunAsync(snapshot.SchoolId, async (services, batchCt) =>
            {
                var batchDb = services.GetRequiredService<ModerationDbContext>();
                var item = draft();
                batchDb.Items.Add(item);
                // Its photos are the ones submitted.
                batchDb.PhotosLoaded(item);
                batchDb.HeldInTransaction.ReadUnderLock(batchDb, item.Id);
                await AuditLog.AppendAsync(batchDb, item.SchoolId, actor, "draft-submitted", now, item.Id, null, ItemState.Received.ToString(), submitted, batchCt);
                // Screened and routed when the batch writes it, not when it was submitted: its times say how long that took.
                await ItemScreening.StoreAsync(services, batchDb, item, result, rescreen: false, time.GetUtcNow(), batchCt);
                return item;
            }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger?.LogWarning(ex, "Draft {ItemId} of school {SchoolId} could not be screened as it was submitted; it is stored to be screened apart.", snapshot.Id, snapshot.SchoolId);
            return null;
        }
    }

    /// <summary>
    /// Stores an inbound item once: a second delivery of the same (account, platform item id) returns the stored item's id
    /// and publishes nothing.
    /// </summary>
    public async Task<(Guid ItemId, bool Created)> IngestAsync(InboundItem inbound, CancellationToken ct)
    {
        // In a caller's transaction (a school's write batch, ADR 0601) the item joins it; otherwise it has its own.
        var own = db.Database.CurrentTransaction is null;
        await using var tx = own ? await db.Database.BeginTransactionAsync(ct) : null;
        var (account, stored, now) = await InsertAsync(inbound, ct);
        if (stored is null)
        {
            // Nothing was written: the conflict inserted no row.
            var existing = await db.Items.Where(i => i.SocialAccountId == account.Id && i.PlatformItemId == inbound.PlatformItemId)
                .Select(i => i.Id).FirstAsync(ct);
            return (existing, false);
        }

        Outbox.Enqueue(db, new ItemReceived(stored.Id, account.SchoolId, inbound.Kind.ToString(), now), now);
        if (!db.InWriteBatch)
        {
            // A write batch saves after each write (ADR 0601): a delivery's comments for one school then go to the
            // database as one batched command instead of one round trip each.
            await db.SaveChangesAsync(ct);
        }

        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return (stored.Id, true);
    }

    /// <summary>
    /// Stores inbound items once each, for a caller that screens and routes them in the same transaction (ADR 0604),
    /// so nothing is published. Nothing is written yet: each new item is added to the context as received, with its
    /// "received" entry and any hide on arrival, and counts as read under its lock (no other transaction can see it
    /// before this one commits); the caller's screening and routing then change it in memory, and the save inserts it
    /// once, in its final state (ADR 0608), instead of inserting it and updating it. The result has one entry per
    /// inbound item, in order: null where the item was stored before (or came earlier in the list).
    /// </summary>
    /// <param name="startTogether">Collects their hides on arrival for the caller to start together (ADR 0605).</param>
    /// <param name="accountsRead">The items' accounts, if the caller has just read them (a webhook body's, read once for all its schools).</param>
    public async Task<IReadOnlyList<ModerationItem?>> IngestToScreenAsync(
        IReadOnlyList<InboundItem> inbound, ICollection<PlatformActionRecord>? startTogether, CancellationToken ct,
        IReadOnlyDictionary<Guid, SocialAccount>? accountsRead = null)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("An item screened on intake is stored in the caller's transaction.");
        }

        var accounts = await AccountsAsync(inbound, ct, accountsRead);
        // Every writer of items takes its school's chain lock before it inserts (InsertAsync too), so an (account,
        // platform item id) not stored now cannot be stored by anyone else before this transaction commits. (If it
        // ever were, the unique index fails this save, and the caller stores the items the two-stage way.)
        await AuditLog.LockChainsAsync(db, accounts.Values.Select(a => a.SchoolId), ct);
        var accountIds = accounts.Keys.ToArray();
        var platformIds = inbound.Select(i => i.PlatformItemId).Distinct(StringComparer.Ordinal).ToArray();
        var seen = (await db.Items.AsNoTracking()
                .Where(i => i.SocialAccountId != null && accountIds.Contains(i.SocialAccountId.Value) && platformIds.Contains(i.PlatformItemId!))
                .Select(i => new { Account = i.SocialAccountId!.Value, PlatformItemId = i.PlatformItemId! })
                .ToListAsync(ct))
            .Select(k => (k.Account, k.PlatformItemId))
            .ToHashSet();

        var now = time.GetUtcNow();
        var stored = new ModerationItem?[inbound.Count];
        for (var i = 0; i < inbound.Count; i++)
        {
            var account = accounts[inbound[i].SocialAccountId];
            if (!seen.Add((account.Id, inbound[i].PlatformItemId)))
            {
                continue;
            }

            var item = NewItem(inbound[i], account, now);
            db.Items.Add(item);
            // A comment has no photos.
            db.PhotosLoaded(item);
            db.HeldInTransaction.ReadUnderLock(db, item.Id);
            await StoredAsync(item, inbound[i], account, now, startTogether, ct);
            stored[i] = item;
        }

        return stored;
    }

    private async Task<(SocialAccount Account, ModerationItem? Stored, DateTimeOffset Now)> InsertAsync(InboundItem inbound, CancellationToken ct)
    {
        var accounts = await AccountsAsync([inbound], ct);
        var account = accounts[inbound.SocialAccountId];
        // Before the insert, as every writer of items does (see IngestToScreenAsync).
        await AuditLog.LockChainAsync(db, account.SchoolId, ct);
        var now = time.GetUtcNow();
        var row = NewItem(inbound, account, now);
        var inserted = await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO items (id, school_id, social_account_id, kind, state, platform, platform_item_id, author_name,
                               author_platform_id, text, received_at, updated_at, pending_action, platform_url,
                               platform_parent_id, platform_payload)
            VALUES (@id, @school_id, @social_account_id, @kind, @state, @platform, @platform_item_id, @author_name,
                    @author_platform_id, @text, @received_at, @updated_at, @pending_action, @platform_url,
                    @platform_parent_id, @platform_payload)
            ON CONFLICT (social_account_id, platform_item_id) DO NOTHING
            """,
            [
            new NpgsqlParameter("id", row.Id),
            new NpgsqlParameter("school_id", row.SchoolId),
            new NpgsqlParameter("social_account_id", row.SocialAccountId!.Value),
            Text("kind", row.Kind.ToString()),
            Text("state", row.State.ToString()),
            Text("platform", row.Platform!.Value.ToString()),
            Text("platform_item_id", row.PlatformItemId),
            Text("author_name", row.AuthorName),
            Text("author_platform_id", row.AuthorPlatformId),
            Text("text", row.Text),
            new NpgsqlParameter("received_at", row.ReceivedAt),
            new NpgsqlParameter("updated_at", row.UpdatedAt),
            Text("pending_action", row.PendingAction.ToString()),
            Text("platform_url", row.PlatformUrl),
            Text("platform_parent_id", row.PlatformParentId),
            Text("platform_payload", row.PlatformPayload),
            ],
            ct);
        if (inserted == 0)
        {
            // Stored before: the conflict inserted no row.
            return (account, null, now);
        }

        await StoredAsync(row, inbound, account, now, null, ct);
        return (account, row, now);
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    /// <summary>An inbound item as it is first stored, received and not yet screened.</summary>
    private static ModerationItem NewItem(InboundItem inbound, SocialAccount account, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        SchoolId = account.SchoolId,
        SocialAccountId = account.Id,
        Kind = inbound.Kind,
        State = ItemState.Received,
        Platform = account.Platform,
        PlatformItemId = inbound.PlatformItemId,
        AuthorName = inbound.AuthorName,
        AuthorPlatformId = inbound.AuthorPlatformId,
        Text = inbound.Text,
        ReceivedAt = inbound.PostedAt ?? now,
        UpdatedAt = now,
        PendingAction = PlatformAction.None,
        PlatformUrl = inbound.Url,
        PlatformParentId = inbound.ParentId,
        PlatformPayload = inbound.RawJson,
    };

    /// <summary>What both ways of ingesting write with a newly stored item: its "received" entry and any hide on arrival.</summary>
    private async Task StoredAsync(
        ModerationItem item, InboundItem inbound, SocialAccount account, DateTimeOffset now, ICollection<PlatformActionRecord>? startTogether, CancellationToken ct)
    {
        await AuditLog.AppendAsync(db, account.SchoolId, Actor.System($"ingest:{account.Platform}"), "received", now, item.Id, null, ItemState.Received.ToString(), null, ct);
        if (inbound.HideOnArrival && account.PreModerated)
        {
            // Stored with the item, so the hide happens even if this process dies before it is sent.
            PlatformActions.Queue(db, item.Id, account.SchoolId, account.Id, PlatformAction.Hide, ActionPurpose.Arrival, now, startTogether);
        }
    }

    private async Task<Dictionary<Guid, SocialAccount>> AccountsAsync(
        IReadOnlyList<InboundItem> inbound, CancellationToken ct, IReadOnlyDictionary<Guid, SocialAccount>? read = null)
    {
        var accounts = new Dictionary<Guid, SocialAccount>();
        foreach (var accountId in inbound.Select(i => i.SocialAccountId).Distinct())
        {
            accounts[accountId] = read?.GetValueOrDefault(accountId) ?? await AccountAsync(accountId, ct);
        }

        return accounts;
    }

    /// <summary>A delivery's comments are mostly for one account: in a write batch it is read once (ADR 0601).</summary>
    private async Task<SocialAccount> AccountAsync(Guid accountId, CancellationToken ct) =>
        await db.OncePerBatchAsync("social-account", accountId,
            () => db.SocialAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, ct))
        ?? throw new ArgumentException($"Unknown social account {accountId}.", nameof(accountId));
}
