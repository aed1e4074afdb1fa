using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Photos;
using Npgsql;

namespace Moderation.Domain.Consent.Reconciliation;

/// <summary>Settings of consent reconciliation (configuration section <c>Consent:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Consent:Reconciliation";

    /// <summary>Whether this process runs the nightly job.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Quartz cron, in Europe/London time: 02:00 every night by default.</summary>
    public string Cron { get; set; } = "0 0 2 * * ?";

    /// <summary>A folder the MIS export is dropped in: <c>{DropFolder}/{school slug}/*.csv</c>. Empty: no folder.</summary>
    public string? DropFolder { get; set; }

    /// <summary>How long a worker holds a run before another may resume it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Items whose effects commit together with the checkpoint.</summary>
    public int BatchSize { get; set; } = 500;
}

public sealed record ConsentChange(Guid PupilId, string MisId, string Channel, string Change, string? From, string To, string? Restriction);

public sealed record ConsentState(Guid PupilId, string MisId, string Channel, string State, string? Restriction, bool NameRestricted, IReadOnlyList<string> Names);

public sealed record ReconciliationDiff(bool Baseline, IReadOnlyList<ConsentChange> Changes, IReadOnlyList<ConsentState> States);

public sealed record TakedownLine(Guid ItemId, string Platform, string Account, string Action, string Reason);

/// <summary>Something only a person can do. <paramref name="Link"/> is the published post, where one must be deleted by hand.</summary>
public sealed record HumanLine(Guid? ItemId, string What, string? Link = null);

/// <summary>What a run did, for the headteacher. Lists are capped; the counts on the run are complete.</summary>
public sealed record ReconciliationReport(
    string Source,
    bool Baseline,
    IReadOnlyList<ConsentChange> Changes,
    IReadOnlyList<Guid> Rescreened,
    IReadOnlyList<TakedownLine> TakenDown,
    IReadOnlyList<HumanLine> NeedsHuman,
    IReadOnlyList<RosterError> Errors)
{
    public const int MaxListed = 500;

    public static ReconciliationReport Empty(string source) => new(source, false, [], [], [], [], []);
}

public enum StartOutcome
{
    Started,

    /// <summary>The school already has a run queued or running.</summary>
    AlreadyActive,
}

/// <summary>
/// Reconciles a school's queued and published photos with its latest consent list (ADR 0401). A run applies its file
/// (all or nothing, through <see cref="RosterImport"/>), diffs every pupil's consent state per channel against the last
/// snapshot, sends pending items with affected people back to screening, and takes down published posts whose tagged
/// people no longer have consent for the account's channel (or whose caption names a pupil restricted to "no name
/// with photo"). Effects commit in batches with the checkpoint, and a takedown is one row per item and account
/// (unique), so a resumed or repeated run never takes anything down twice.
/// </summary>
public sealed class ConsentReconciler(
    ModerationDbContext db,
    RosterImport import,
    Notifier notifier,
    TimeProvider time,
    IOptions<ReconciliationOptions> options,
    ILogger<ConsentReconciler> logger)
{
    public const string Stage = "consent-reconciliation";
    public const string Reason = "consent withdrawn";
    private static readonly Actor s_actor = Actor.System(Stage);
    private readonly ReconciliationOptions _options = options.Value;

    /// <summary>Where this reconciler's runs spent their time, by phase and step.</summary>
    public ReconciliationTimings Timings { get; } = new();

    /// <summary>Records a run; the school may have one queued or running at a time.</summary>
    public async Task<(StartOutcome Outcome, ConsentReconciliationRun Run)> StartAsync(
        Guid schoolId, ReconciliationTrigger trigger, string source, string requestedBy, string? csv, CancellationToken ct, bool publish = false)
    {
        var now = time.GetUtcNow();
        var run = new ConsentReconciliationRun
        {
            Id = Guid.CreateVersion7(now), SchoolId = schoolId, Trigger = trigger, Status = ReconciliationStatus.Queued,
            Phase = ReconciliationPhase.Start, Source = Truncate(source, 300), RequestedBy = Truncate(requestedBy, 200), CreatedAt = now, Csv = csv,
        };
        db.ConsentReconciliationRuns.Add(run);
        if (publish)
        {
            Outbox.Enqueue(db, new ConsentReconciliationRequested(run.Id, schoolId, now), now);
        }

        try
        {
            await db.SaveChangesAsync(ct);
            return (StartOutcome.Started, run);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            // The active run may have finished since; then the latest run stands for it.
            var active = await db.ConsentReconciliationRuns.AsNoTracking().Where(r => r.SchoolId == schoolId)
                .OrderByDescending(r => r.Status == ReconciliationStatus.Queued || r.Status == ReconciliationStatus.Running).ThenByDescending(r => r.CreatedAt)
                .FirstAsync(ct);
            return (StartOutcome.AlreadyActive, active);
        }
    }

    /// <summary>Runs (or resumes) a run to the end, unless another worker holds it. Returns false when it was not taken.</summary>
    public async Task<bool> ExecuteAsync(Guid runId, CancellationToken ct, int? stopAfterBatches = null)
    {
        if (!await ClaimAsync(runId, ct))
        {
            return false;
        }

        var run = await db.ConsentReconciliationRuns.FirstAsync(r => r.Id == runId, ct);
        try
        {
            using (Timings.Measure("diff"))
            {
                if (run.Phase == ReconciliationPhase.Start && !await DiffAsync(run, ct))
                {
                    return true;
                }
            }

            var diff = JsonSerializer.Deserialize<ReconciliationDiff>(run.Diff!, ScreeningJson.Options)!;
            var batches = 0;
            bool Stop() => stopAfterBatches is { } max && ++batches >= max;
            if (run.Phase == ReconciliationPhase.Diffed)
            {
                List<Guid> pending;
                using (Timings.Measure("rescreen: query"))
                {
                    pending = await RescreenCandidatesAsync(run, diff, ct);
                }

                foreach (var batch in pending.Chunk(_options.BatchSize))
                {
                    await RescreenBatchAsync(run, batch, ct);
                    if (Stop())
                    {
                        return true;
                    }
                }

                await EndRescreeningAsync(run, ct);
            }

            // Done but still running: a run an earlier version left between its last batch and its end.
            if (run.Phase is ReconciliationPhase.Rescreened or ReconciliationPhase.Done)
            {
                List<Candidate> candidates;
                using (Timings.Measure("takedown: query"))
                {
                    candidates = await TakedownCandidatesAsync(run, diff, ct);
                }

                var states = diff.States.ToDictionary(s => (s.PupilId, s.Channel));
                var policy = await db.Schools.AsNoTracking().Where(s => s.Id == run.SchoolId).Select(s => s.ConsentTakedownAction).FirstAsync(ct);
                var staff = candidates.Count == 0 ? null : await SchoolRouting.StaffAsync(db, run.SchoolId, ct);
                foreach (var batch in ByItems(candidates, _options.BatchSize))
                {
                    await TakedownBatchAsync(run, batch, states, policy, staff!, ct);
                    if (Stop())
                    {
                        return true;
                    }
                }

                using (Timings.Measure("finish"))
                {
                    await FinishAsync(run, diff, ct);
                }

                logger.LogInformation("Consent reconciliation run {RunId} finished: {Timings}", runId, Timings);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Consent reconciliation run {RunId} failed", runId);
            db.ChangeTracker.Clear();
            await db.ConsentReconciliationRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ReconciliationStatus.Failed)
                .SetProperty(r => r.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(r => r.FinishedAt, time.GetUtcNow())
                .SetProperty(r => r.Failure, Truncate(ex.Message, 2000)), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Runs that a dead worker left: queued and never started, or running with the lease run out.</summary>
    public async Task<IReadOnlyList<Guid>> AbandonedAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return await db.ConsentReconciliationRuns.AsNoTracking()
            .Where(r => (r.Status == ReconciliationStatus.Running && r.LeaseUntil < now) || (r.Status == ReconciliationStatus.Queued && r.CreatedAt < now - _options.Lease))
            .OrderBy(r => r.CreatedAt).Select(r => r.Id).ToListAsync(ct);
    }

    private async Task<bool> ClaimAsync(Guid runId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + _options.Lease;
        var taken = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE consent_reconciliation_runs SET status = {ReconciliationStatus.Running.ToString()}, lease_until = {until}, started_at = coalesce(started_at, {now})
            WHERE id = {runId} AND (status = {ReconciliationStatus.Queued.ToString()} OR (status = {ReconciliationStatus.Running.ToString()} AND lease_until < {now}))
            """,
            ct);
        return taken == 1;
    }

    // ---- The file and the diff ------------------------------------------------------------------------------------

    private async Task<bool> DiffAsync(ConsentReconciliationRun run, CancellationToken ct)
    {
        if (run.Csv is { } csv)
        {
            var imported = await import.ImportAsync(run.SchoolId, s_actor, new StringReader(csv), dryRun: false, ct);
            if (imported.Errors.Count > 0)
            {
                await RejectAsync(run, imported.Errors, ct);
                return false;
            }
        }

        var school = await db.Schools.AsNoTracking().FirstAsync(s => s.Id == run.SchoolId, ct);
        var diff = await ComputeDiffAsync(school, ItemChannels.Today(time), ct);
        run.Diff = JsonSerializer.Serialize(diff, ScreeningJson.Options);
        run.Added = diff.Changes.Count(c => c.Change == "added");
        run.Withdrawn = diff.Changes.Count(c => c.Change == "withdrawn");
        run.Restricted = diff.Changes.Count(c => c.Change == "restricted");
        run.Expired = diff.Changes.Count(c => c.Change == "expired");
        run.Phase = ReconciliationPhase.Diffed;
        run.Checkpoint = null;
        run.LeaseUntil = time.GetUtcNow() + _options.Lease;
        await db.SaveChangesAsync(ct);
        return true;
    }

    private async Task RejectAsync(ConsentReconciliationRun run, IReadOnlyList<RosterError> errors, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        run.Status = ReconciliationStatus.Rejected;
        run.Errors = JsonSerializer.Serialize(errors, ScreeningJson.Options);
        run.Report = JsonSerializer.Serialize(ReconciliationReport.Empty(run.Source) with { Errors = errors }, ScreeningJson.Options);
        run.FinishedAt = now;
        run.LeaseUntil = null;
        run.Csv = null;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await NotifyHeadteachersAsync(run.SchoolId, "Consent list rejected: nothing was applied",
            $"The consent list from {run.Source} has {errors.Count} bad row(s), so nothing was applied and nothing was taken down. The run's report lists each row.", now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Every pupil's state per channel today, compared with the last snapshot.</summary>
    public async Task<ReconciliationDiff> ComputeDiffAsync(School school, DateOnly today, CancellationToken ct)
    {
        var pupils = await db.Pupils.AsNoTracking().Where(p => p.SchoolId == school.Id).ToListAsync(ct);
        var consents = (await db.Consents.AsNoTracking().Where(c => db.Pupils.Any(p => p.Id == c.PupilId && p.SchoolId == school.Id)).ToListAsync(ct))
            .ToLookup(c => c.PupilId);
        var snapshot = await db.ConsentSnapshot.AsNoTracking().Where(e => e.SchoolId == school.Id)
            .ToDictionaryAsync(e => (e.PupilId, e.Channel), ct);
        var baseline = snapshot.Count == 0;
        var optIn = school.ConsentModel == ConsentModel.OptIn;
        var states = new List<ConsentState>();
        var changes = new List<ConsentChange>();
        foreach (var pupil in pupils)
        {
            var records = consents[pupil.Id].ToList();
            var entries = records.Select(c => new ConsentEntry(c.Channel.ToString(), c.Status.ToString(), c.Restriction, c.NeverPublish, c.EffectiveFrom, c.ExpiresOn)).ToList();
            var roster = new RosterConsent(pupil.Id, pupil.MisId, [], entries);
            var photo = new PhotoPeople(true, null, [new TaggedPerson(null, MisIdentifiers.UrnPrefix + pupil.MisId, PersonSource.PersonInImageWDetails)], 0, 0, null, PhotoLocation.None, null);
            string[] names = [.. new[] { $"{pupil.LegalForename} {pupil.Surname}", pupil.PreferredForename is { } p ? $"{p} {pupil.Surname}" : null, pupil.LegalForename, pupil.PreferredForename }.OfType<string>()];
            foreach (var channel in Enum.GetValues<ConsentChannel>())
            {
                var verdict = PhotoConsent.Decide(photo, [roster], channel.ToString(), today, optIn).People.Single();
                var state = verdict.Kind.ToString();
                var nameRestricted = verdict.Kind == PersonVerdictKind.Restricted && NameFolding.Fold(verdict.Restriction).Contains("name", StringComparison.Ordinal);
                states.Add(new ConsentState(pupil.Id, pupil.MisId, channel.ToString(), state, verdict.Restriction, nameRestricted, names));
                var old = snapshot.GetValueOrDefault((pupil.Id, channel));
                if (baseline || (old is not null && old.State == state && old.Restriction == verdict.Restriction))
                {
                    continue;
                }

                var expired = records.Any(c => c.Channel == channel && c.Status == ConsentStatus.Granted && c.ExpiresOn is { } end && end < today);
                string? change = verdict.Kind switch
                {
                    PersonVerdictKind.Objected or PersonVerdictKind.NeverPublish => "withdrawn",
                    PersonVerdictKind.Restricted => "restricted",
                    PersonVerdictKind.NoConsent when old is null => null,
                    PersonVerdictKind.NoConsent => expired ? "expired" : "withdrawn",
                    PersonVerdictKind.Allowed when old is null && !optIn && records.All(c => c.Channel != channel) => null,
                    _ => "added",
                };
                if (change is not null)
                {
                    changes.Add(new ConsentChange(pupil.Id, pupil.MisId, channel.ToString(), change, old?.State, state, verdict.Restriction));
                }
            }
        }

        return new ReconciliationDiff(baseline, changes, states);
    }

    // ---- Effects ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Pending items with an affected person, after the checkpoint, in id order: one set-based query for the phase, so
    /// the batches that follow do not each scan what is left of the school's items again.
    /// </summary>
    private async Task<List<Guid>> RescreenCandidatesAsync(ConsentReconciliationRun run, ReconciliationDiff diff, CancellationToken ct)
    {
        var pupils = diff.Changes.Select(c => c.PupilId).Distinct().ToArray();
        return pupils.Length == 0 ? [] : await db.QueryAsync(
            """
            SELECT i.id FROM items i
            WHERE i.id = ANY(ARRAY(SELECT tm.item_id FROM unnest($3::jsonb[]) f(people) JOIN item_media tm ON tm.people @> f.people))
              AND i.school_id = $1 AND i.state = 'AwaitingReview' AND i.id > $2
            ORDER BY i.id
            """,
            r => r.GetGuid(0), ct, run.SchoolId, run.Checkpoint ?? Guid.Empty, Tags(pupils));
    }

    /// <summary>
    /// One batch of pending items back to screening, set-based: one update (only items still awaiting review move),
    /// one insert of their audit entries with the chain's hashes computed in one pass, one insert of their messages.
    /// </summary>
    private async Task RescreenBatchAsync(ConsentReconciliationRun run, Guid[] ids, CancellationToken ct)
    {
        if (!ItemLifecycle.CanMove(ItemState.AwaitingReview, ItemState.Screening))
        {
            throw new InvalidTransitionException(ItemState.AwaitingReview, ItemState.Screening);
        }

        var write = Timings.Measure("rescreen: write");
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var report = ReadReport(run);
        var rescreened = report.Rescreened.ToList();

        // The chain's lock first, then the rows: the order every writer takes them in.
        await AuditLog.LockChainAsync(db, run.SchoolId, ct);
        var moved = await db.QueryAsync(
            """
            UPDATE items SET state = 'Screening', updated_at = $1
            WHERE id = ANY($2) AND school_id = $3 AND state = 'AwaitingReview'
            RETURNING id, kind
            """,
            r => (Id: r.GetGuid(0), Kind: r.GetString(1)), ct, now, ids, run.SchoolId);
        var order = ids.Select((id, n) => (id, n)).ToDictionary(x => x.id, x => x.n);
        moved.Sort((a, b) => order[a.Id].CompareTo(order[b.Id]));
        await AuditLog.AppendManyAsync(db, run.SchoolId,
            [.. moved.Select(m => new AuditRecord(s_actor, "rescreen-consent-changed", now, m.Id, nameof(ItemState.AwaitingReview), nameof(ItemState.Screening),
                "the consent of someone in its photos changed"))],
            ct);
        await Outbox.EnqueueManyAsync(db, [.. moved.Select(m => new ItemReceived(m.Id, run.SchoolId, m.Kind, now))], now, ct);
        run.Rescreened += moved.Count;
        foreach (var (id, _) in moved)
        {
            Add(rescreened, id);
        }

        run.Checkpoint = ids[^1];
        run.ProgressDone += ids.Length;
        run.Report = JsonSerializer.Serialize(report with { Rescreened = rescreened }, ScreeningJson.Options);
        run.LeaseUntil = now + _options.Lease;
        write.Dispose();
        using var save = Timings.Measure("rescreen: save");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Forget(run);
    }

    /// <summary>Pending items are done: published posts are next, from the start.</summary>
    private async Task EndRescreeningAsync(ConsentReconciliationRun run, CancellationToken ct)
    {
        run.Phase = ReconciliationPhase.Rescreened;
        run.Checkpoint = null;
        run.LeaseUntil = time.GetUtcNow() + _options.Lease;
        await db.SaveChangesAsync(ct);
        Forget(run);
    }

    private sealed record Candidate(Guid ItemId, Guid AccountId, Platform Platform, string Handle, Guid PupilId, string Source, string? Url, string? PostId);

    /// <summary>
    /// Published posts (per account) with a pupil who is blocked or name-restricted now and no takedown yet, after the
    /// checkpoint, in item order: one set-based query for the phase.
    /// </summary>
    private async Task<List<Candidate>> TakedownCandidatesAsync(ConsentReconciliationRun run, ReconciliationDiff diff, CancellationToken ct)
    {
        var pupils = diff.States.Where(s => Blocks(s) || s.NameRestricted).Select(s => s.PupilId).Distinct().ToArray();
        return pupils.Length == 0 ? [] : await db.QueryAsync(
            """
            SELECT i.id, pa.social_account_id, sa.platform, sa.handle, (p->>'pupilId')::uuid, coalesce(p->>'source', ''), pa.result_url, pa.result_platform_id
            FROM items i
            JOIN platform_actions pa ON pa.item_id = i.id AND pa.purpose = 'Decision' AND pa.action = 'Publish' AND pa.status = 'Done'
            JOIN social_accounts sa ON sa.id = pa.social_account_id
            JOIN item_media m ON m.item_id = i.id
            CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(m.people) = 'array' THEN m.people ELSE '[]'::jsonb END) p
            WHERE i.id = ANY(ARRAY(SELECT tm.item_id FROM unnest($4::jsonb[]) f(people) JOIN item_media tm ON tm.people @> f.people))
              AND i.school_id = $1 AND i.kind = 'OutboundDraft' AND i.id > $2 AND p->>'pupilId' = ANY($3)
              AND NOT EXISTS (SELECT 1 FROM platform_actions t WHERE t.item_id = i.id AND t.social_account_id = pa.social_account_id AND t.purpose = 'Takedown')
            ORDER BY i.id
            """,
            r => new Candidate(r.GetGuid(0), r.GetGuid(1), Enum.Parse<Platform>(r.GetString(2)), r.GetString(3), r.GetGuid(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7)),
            ct, run.SchoolId, run.Checkpoint ?? Guid.Empty, pupils.Select(p => p.ToString()).ToArray(), Tags(pupils));
    }

    /// <summary>
    /// One containment pattern per pupil, <c>[{"pupilId": "…"}]</c>, which the GIN index over the people answers. The
    /// queries take the tagged photos' items as <c>id = ANY(ARRAY(…))</c>: as a join, PostgreSQL guesses thousands of
    /// photos per pupil and walks every item and action in the school, three times slower at the benchmark's scale.
    /// </summary>
    private static string[] Tags(IEnumerable<Guid> pupils) =>
        [.. pupils.Select(p => JsonSerializer.Serialize(new[] { new { pupilId = p } }))];

    /// <summary>The candidates a batch at a time: at most <paramref name="size"/> items, each item's rows together.</summary>
    private static IEnumerable<List<Candidate>> ByItems(List<Candidate> candidates, int size)
    {
        var batch = new List<Candidate>();
        var items = 0;
        foreach (var c in candidates)
        {
            if (batch.Count == 0 || batch[^1].ItemId != c.ItemId)
            {
                if (items == size)
                {
                    yield return batch;
                    batch = [];
                    items = 0;
                }

                items++;
            }

            batch.Add(c);
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>
    /// One batch of published posts to take down, set-based: one insert of the takedowns (and one of the messages that
    /// start them), one of their audit entries with the chain's hashes computed in one pass, and one alert per person.
    /// </summary>
    private async Task TakedownBatchAsync(
        ConsentReconciliationRun run, List<Candidate> rows, Dictionary<(Guid, string), ConsentState> states, PlatformAction policy,
        IReadOnlyDictionary<Guid, SchoolStaff> staff, CancellationToken ct)
    {
        var write = Timings.Measure("takedown: write");
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var report = ReadReport(run);
        var takenDown = report.TakenDown.ToList();
        var human = report.NeedsHuman.ToList();
        await AuditLog.LockChainAsync(db, run.SchoolId, ct);
        var load = Timings.Measure("takedown: write: load");
        var itemIds = rows.Select(r => r.ItemId).Distinct().ToList();
        var items = await db.Items.AsNoTracking().Where(i => itemIds.Contains(i.Id))
            .Select(i => new { i.Id, Text = i.ApprovedText ?? i.RedactedText ?? i.Text, i.DecidedById }).ToDictionaryAsync(i => i.Id, ct);

        // The candidates were read when the phase began: anything taken down since (a safeguarding case, say) is left.
        var already = (await db.QueryAsync(
            "SELECT item_id, social_account_id FROM platform_actions WHERE item_id = ANY($1) AND purpose = 'Takedown'",
            r => (r.GetGuid(0), r.GetGuid(1)), ct, itemIds.ToArray())).ToHashSet();
        load.Dispose();
        var actions = new List<PlatformActionRecord>();
        var audits = new List<AuditRecord>();
        var alerts = new List<(Guid ItemId, Guid? Approver, bool ByHand)>();
        foreach (var group in rows.GroupBy(r => (r.ItemId, r.AccountId)))
        {
            var first = group.First();
            if (already.Contains(group.Key) || !items.TryGetValue(first.ItemId, out var item))
            {
                continue;
            }

            var channel = ItemChannels.Of(first.Platform).ToString();
            var reasons = group.Select(c => states.GetValueOrDefault((c.PupilId, channel)) is { } s ? Violation(s, c.Source, item.Text) : null)
                .OfType<string>().Distinct().ToList();
            if (reasons.Count == 0)
            {
                continue;
            }

            var why = $"{Reason}: {string.Join("; ", reasons)}";
            var action = OwnPostTakedown(first.Platform, policy);
            var record = new PlatformActionRecord
            {
                Id = Guid.CreateVersion7(now), ItemId = first.ItemId, SchoolId = run.SchoolId, SocialAccountId = first.AccountId,
                Action = action ?? PlatformAction.Delete, Purpose = ActionPurpose.Takedown, Status = ActionStatus.Pending, CreatedAt = now, NextAttemptAt = now,
            };
            if (action is { } a)
            {
                run.TakenDown++;
                Add(takenDown, new TakedownLine(first.ItemId, first.Platform.ToString(), first.Handle, a.ToString(), why));
            }
            else
            {
                // Stored as a failed takedown so the post shows it, and the next run does not ask again.
                var post = PostReference(first);
                record.Status = ActionStatus.Failed;
                record.LastError = Truncate($"needs a human: delete by hand the post on {first.Platform} ({first.Handle}), {post}; the service cannot take down the school's own posts there", 1000);
                run.NeedsHuman++;
                Add(human, new HumanLine(first.ItemId, $"delete by hand: the post on {first.Platform} ({first.Handle}), {post}. {why}", first.Url));
            }

            actions.Add(record);
            audits.Add(new AuditRecord(s_actor, "consent-takedown", now, first.ItemId,
                Detail: Truncate($"{(action is { } x ? x.ToString() : "by hand")} on {first.Platform} ({first.Handle}): {why}", 1000)));
            alerts.Add((first.ItemId, item.DecidedById, action is null));
        }

        using (Timings.Measure("takedown: write: actions"))
        {
            await PlatformActions.InsertManyAsync(db, actions, now, ct);
        }

        using (Timings.Measure("takedown: write: audit"))
        {
            await AuditLog.AppendManyAsync(db, run.SchoolId, audits, ct);
        }

        using (Timings.Measure("takedown: write: alerts"))
        {
            await AlertModeratorsAsync(run.SchoolId, staff, alerts, now, ct);
        }
        run.Checkpoint = rows[^1].ItemId;
        run.ProgressDone += itemIds.Count;
        run.Report = JsonSerializer.Serialize(report with { TakenDown = takenDown, NeedsHuman = human }, ScreeningJson.Options);
        run.LeaseUntil = now + _options.Lease;
        write.Dispose();
        using var save = Timings.Measure("takedown: save");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Forget(run);
    }

    /// <summary>Where a person finds the post: its link, or (where the platform gave none) its id there.</summary>
    private static string PostReference(Candidate c) =>
        c.Url is { Length: > 0 } url ? url
        : c.PostId is { Length: > 0 } id ? $"no link was recorded; its id on {c.Platform} is {id}"
        : "no link was recorded";

    private static bool Blocks(ConsentState s) => s.State is nameof(PersonVerdictKind.Objected) or nameof(PersonVerdictKind.NeverPublish) or nameof(PersonVerdictKind.NoConsent);

    /// <summary>Why a published photo with this pupil breaks their consent on this channel, or null when it does not.</summary>
    public static string? Violation(ConsentState state, string source, string text)
    {
        if (Blocks(state))
        {
            return state.State switch
            {
                nameof(PersonVerdictKind.NoConsent) => $"{state.MisId} has no consent for {state.Channel} (expired or withdrawn)",
                nameof(PersonVerdictKind.NeverPublish) => $"{state.MisId} must never be published",
                _ => $"{state.MisId} objected to {state.Channel}",
            };
        }

        if (state.NameRestricted && (source is nameof(PersonSource.Caption) or nameof(PersonSource.AltText) || Names(state, text)))
        {
            return $"{state.MisId} is restricted to '{state.Restriction}' and the caption names them";
        }

        return null;
    }

    private static bool Names(ConsentState state, string text)
    {
        var folded = NameFolding.WordPadded(text);
        return state.Names.Select(NameFolding.Fold).Where(n => n.Length > 0).Any(n => NameFolding.NamesWhole(folded, n));
    }

    /// <summary>
    /// What the platform can do to the school's own post: Facebook hides or deletes a Page post by its id; the other
    /// connectors act only on others' comments, so a person deletes the post by hand.
    /// </summary>
    public static PlatformAction? OwnPostTakedown(Platform platform, PlatformAction policy) => platform switch
    {
        Platform.Facebook => policy == PlatformAction.Delete ? PlatformAction.Delete : PlatformAction.Hide,
        _ => null,
    };

    /// <summary>
    /// Tells the person who approved each post (or, failing that, the administrators), once per batch rather than once
    /// per post: a withdrawal can touch hundreds of posts, and the report lists them all.
    /// </summary>
    private async Task AlertModeratorsAsync(
        Guid schoolId, IReadOnlyDictionary<Guid, SchoolStaff> staff, List<(Guid ItemId, Guid? Approver, bool ByHand)> alerts, DateTimeOffset now, CancellationToken ct)
    {
        if (alerts.Count == 0)
        {
            return;
        }

        var admins = staff.Values.Where(s => s.Roles.Contains(Roles.Administrator)).Select(s => s.UserId).ToList();
        var byRecipient = alerts
            .SelectMany(a => (a.Approver is { } id && staff.ContainsKey(id) ? [id] : admins).Select(user => (User: user, Alert: a)))
            .GroupBy(x => x.User, x => x.Alert);
        foreach (var group in byRecipient)
        {
            var list = group.DistinctBy(a => a.ItemId).ToList();
            var byHand = list.Count(a => a.ByHand);
            var body = $"{list.Count} published post(s) show a pupil whose consent was withdrawn; the service is taking them down."
                + (byHand > 0 ? $" {byHand} of them are on a platform where the service cannot: delete those by hand now." : "")
                + " Open the item(s) and the reconciliation report.";
            await notifier.NotifyAsync(db, new NotificationRequest(schoolId, group.Key, NotificationKind.Alert, list[0].ItemId,
                "Consent withdrawn: a published post must come down", body), now, ct);
        }
    }

    private async Task NotifyHeadteachersAsync(Guid schoolId, string title, string body, DateTimeOffset now, CancellationToken ct)
    {
        var staff = await SchoolRouting.StaffAsync(db, schoolId, ct);
        foreach (var head in staff.Values.Where(s => s.Roles.Contains(Roles.Headteacher)))
        {
            await notifier.NotifyAsync(db, new NotificationRequest(schoolId, head.UserId, NotificationKind.Alert, null, title, body), now, ct);
        }
    }

    // ---- The end -----------------------------------------------------------------------------------------------------

    private async Task FinishAsync(ConsentReconciliationRun run, ReconciliationDiff diff, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var report = ReadReport(run);
        var human = report.NeedsHuman.ToList();
        var unclear = await db.QueryAsync(
            """
            SELECT DISTINCT i.id, m.verdict IS NULL OR m.people IS NULL FROM items i JOIN item_media m ON m.item_id = i.id
            WHERE i.school_id = $1 AND i.state IN ('AwaitingReview', 'Escalated') AND (m.people IS NULL OR m.people @> '[{"verdict":"unknown"}]')
            ORDER BY i.id LIMIT 100
            """,
            r => (Id: r.GetGuid(0), Unreadable: r.GetBoolean(1)), ct, run.SchoolId);
        foreach (var (id, unreadable) in unclear)
        {
            Add(human, new HumanLine(id, unreadable ? "a pending photo's metadata could not be read: check who is in it" : "a pending photo tags someone who is not on the roster"));
        }

        await db.ConsentSnapshot.Where(e => e.SchoolId == run.SchoolId).ExecuteDeleteAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO consent_snapshot_entries (school_id, pupil_id, channel, state, restriction)
            SELECT @school, u.pupil_id, u.channel, u.state, u.restriction FROM unnest(@pupil_id, @channel, @state, @restriction) AS u(pupil_id, channel, state, restriction)
            """,
            [
                new NpgsqlParameter("school", run.SchoolId),
                new NpgsqlParameter("pupil_id", diff.States.Select(s => s.PupilId).ToArray()),
                new NpgsqlParameter("channel", diff.States.Select(s => Enum.Parse<ConsentChannel>(s.Channel).ToString()).ToArray()),
                new NpgsqlParameter("state", diff.States.Select(s => s.State).ToArray()),
                ArrayParameters.Texts("restriction", diff.States.Select(s => TruncateOrNull(s.Restriction, 200))),
            ],
            ct);
        var final = report with { Baseline = diff.Baseline, Changes = [.. diff.Changes.Take(ReconciliationReport.MaxListed)], NeedsHuman = human };
        run.Report = JsonSerializer.Serialize(final, ScreeningJson.Options);
        run.Status = ReconciliationStatus.Succeeded;
        run.Phase = ReconciliationPhase.Done;
        run.FinishedAt = now;
        run.LeaseUntil = null;
        run.Csv = null;
        run.NeedsHuman = human.Count;
        if (diff.Changes.Count > 0 || run.TakenDown > 0 || human.Count > 0)
        {
            await NotifyHeadteachersAsync(run.SchoolId, "Consent reconciliation report",
                $"{run.Added} added, {run.Withdrawn} withdrawn, {run.Restricted} restricted, {run.Expired} expired; {run.Rescreened} pending item(s) screened again; "
                + $"{run.TakenDown} published post(s) being taken down; {human.Count} thing(s) need a person. The full report is under Consent → Reconciliation runs.", now, ct);
        }

        await AuditLog.AppendAsync(db, run.SchoolId, s_actor, "consent-reconciled", now,
            detail: $"run {run.Id}: {run.Added} added, {run.Withdrawn} withdrawn, {run.Restricted} restricted, {run.Expired} expired, {run.Rescreened} rescreened, {run.TakenDown} taken down",
            cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Lets go of a committed batch's entities, so each batch costs the same however far the run has got.</summary>
    private void Forget(ConsentReconciliationRun run)
    {
        db.ChangeTracker.Clear();
        db.Attach(run);
    }

    private static ReconciliationReport ReadReport(ConsentReconciliationRun run) =>
        run.Report is { } json ? JsonSerializer.Deserialize<ReconciliationReport>(json, ScreeningJson.Options)! : ReconciliationReport.Empty(run.Source);

    private static void Add<T>(List<T> list, T line)
    {
        if (list.Count < ReconciliationReport.MaxListed)
        {
            list.Add(line);
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    private static string? TruncateOrNull(string? s, int max) => s is null ? null : Truncate(s, max);
}
