using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Routing;

public enum RoutingResult
{
    /// <summary>The item got its first owner.</summary>
    Assigned,

    /// <summary>The item moved to the next person on duty, or to the person an administrator chose.</summary>
    Reassigned,

    /// <summary>The item went up the escalation policy (or on to a deputy DSL or the headteacher).</summary>
    Escalated,

    /// <summary>Nobody else can take it: it stays where it is with a new due time (and an alert).</summary>
    Kept,

    /// <summary>Someone else changed the item first; nothing was written.</summary>
    Conflict,
}

/// <summary>What routing did to one item.</summary>
public sealed record RoutingOutcome(RoutingResult Result, Guid? UserId, DateTimeOffset? DueAt, string Explanation, bool AlertRaised);

/// <summary>
/// Assigns an item now: on arrival from screening, when the sweep finds it overdue, and when an administrator or an
/// acknowledging DSL takes it. Each runs in the caller's transaction and writes the assignment, the item's owner and
/// due time, the audit entry, the notification and any alert together; the caller saves and commits.
/// </summary>
/// <remarks>
/// Routing for one school is serialised by the school's audit-chain lock (ADR 0606), so workloads and caps are read
/// after the previous routing committed. The item's row version is checked under that lock, and again when the caller
/// saves, so two sweepers (or a sweeper and an administrator) cannot both hand the same item on: the loser writes
/// nothing.
/// </remarks>
public sealed class ItemRouter(ModerationDbContext db, IRotaStore rotas, Notifier notifier, RoutingInputs inputs)
{
    public const string Stage = "routing";

    private static readonly string[] s_safeguarding = [.. RiskCategories.Safeguarding];

    // Kept, not looked up per call: CultureInfo.GetCultureInfo takes a process-wide lock, which every routed item's due
    // time contended for (docs/benchmarks.md, issue 9, ninth pass).
    private static readonly CultureInfo s_british = CultureInfo.GetCultureInfo("en-GB");

    private enum Step
    {
        Arrival,
        Overdue,
        Manual,
        Acknowledged,
        HandEscalated,
    }

    private sealed record Choice(Guid? UserId, string Reason, int EscalationLevel, AlertReasons Alerts, string Explanation, Guid? AssignedById = null);

    /// <summary>
    /// The first routing of a screened item: the rota, or the DSL for a safeguarding concern. A caller that has just
    /// screened the item passes its findings' <paramref name="knownCategories"/>, which are then not read back.
    /// </summary>
    public async Task<RoutingOutcome> AssignOnArrivalAsync(
        ModerationItem item, DateTimeOffset now, CancellationToken ct, IReadOnlySet<string>? knownCategories = null)
    {
        if (await OpenAsync(item, ct, knownCategories) is not { } opened)
        {
            return Conflicted();
        }

        var (routing, categories) = opened;
        item.Safeguarding = categories.Overlaps(s_safeguarding);
        if (item.Safeguarding && item.State == ItemState.AwaitingReview)
        {
            // Only the headteacher and the DSL decide escalated items, so no moderator can approve it from the queue.
            await ItemTransitions.MoveAsync(db, item, ItemState.Escalated, Actor.System(Stage), "escalated", now,
                "safeguarding concern: straight to the DSL, not the rota", ct);
        }

        var decision = AssignmentPlanner.Choose(await RequestAsync(item, routing, [], 0, now, ct));
        return await RecordAsync(item, routing, categories, FromDecision(decision, routing), Step.Arrival, now, Actor.System(Stage), ct);
    }

    /// <summary>
    /// An overdue item: to the next person on duty who has not had it, until it has moved as often as the school
    /// allows; then up the escalation policy one level at a time. A safeguarding item goes from the DSL to a deputy,
    /// then the headteacher.
    /// </summary>
    public async Task<RoutingOutcome> HandOnOverdueAsync(ModerationItem item, DateTimeOffset now, CancellationToken ct)
    {
        if (await OpenAsync(item, ct) is not { } opened)
        {
            return Conflicted();
        }

        var (routing, categories) = opened;
        var tried = await db.ItemAssignments.Where(a => a.ItemId == item.Id && a.UserId != null).Select(a => a.UserId!.Value).Distinct().ToListAsync(ct);
        var escalateFrom = !item.Safeguarding && item.AssignedToId is not null &&
            (item.EscalationLevel > 0 || item.ReassignmentCount >= routing.Settings.MaxReassignments)
            ? item.EscalationLevel + 1
            : 0;
        var decision = AssignmentPlanner.Choose(await RequestAsync(item, routing, tried, escalateFrom, now, ct));
        return await RecordAsync(item, routing, categories, FromDecision(decision, routing), Step.Overdue, now, Actor.System(Stage), ct);
    }

    /// <summary>An administrator gives the item to <paramref name="userId"/>; the caller has checked they may hold it.</summary>
    public async Task<RoutingOutcome> ReassignToAsync(ModerationItem item, Guid userId, string reason, Actor by, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (await OpenAsync(item, ct) is not { } opened)
        {
            return Conflicted();
        }

        var (routing, categories) = opened;
        var choice = new Choice(userId, "Manual", 0, AlertReasons.None, $"reassigned by {by.Name}: {reason}", by.UserId);
        return await RecordAsync(item, routing, categories, choice, Step.Manual, now, by, ct);
    }

    /// <summary>
    /// Someone escalated the item by hand: it goes to the first of the headteacher (the escalation policy's people who
    /// may decide escalated items) and then the DSLs who is not absent and did not escalate it; to one of them who is
    /// absent, with an alert, if that is all there is; and stays where it is, with an alert, if there is nobody.
    /// </summary>
    public async Task<RoutingOutcome> HandOnEscalationAsync(ModerationItem item, string reason, Actor by, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(by);
        if (await OpenAsync(item, ct) is not { } opened)
        {
            return Conflicted();
        }

        var (routing, categories) = opened;
        var absent = (await RotasOfAsync(item.SchoolId, ct)).SelectMany(r => r.AbsentAt(now)).ToHashSet();
        bool MayDecideEscalated(Guid user) =>
            user != item.DraftAuthorId && routing.Staff.TryGetValue(user, out var staff) && staff.Roles.Overlaps(Accounts.Roles.EscalationReviewers);
        var route = routing.Escalation.Levels.SelectMany(l => l).Concat(routing.Leads.Dsls).Where(MayDecideEscalated).Distinct().ToList();
        var why = $"escalated by {by.Name}: {reason}";
        var choice = route.FirstOrDefault(u => u != by.UserId && !absent.Contains(u)) is var present && present != Guid.Empty
            ? new Choice(present, nameof(AssignmentReason.Escalation), routing.Escalation.Levels.Count, AlertReasons.None, why)
            : route.FirstOrDefault(u => u != by.UserId) is var anyone && anyone != Guid.Empty
                ? new Choice(anyone, nameof(AssignmentReason.LastResort), routing.Escalation.Levels.Count, AlertReasons.RoutesExhausted,
                    $"{why}; everyone who decides escalated items is absent")
                : new Choice(item.AssignedToId, nameof(AssignmentReason.NoOwner), item.EscalationLevel, AlertReasons.RoutesExhausted,
                    $"{why}; the school has no headteacher or DSL to take it");
        return await RecordAsync(item, routing, categories, choice, Step.HandEscalated, now, by, ct);
    }

    /// <summary>A DSL or headteacher acknowledging a safeguarding item that is with someone else takes it.</summary>
    public async Task<RoutingOutcome> TakeOnAcknowledgementAsync(ModerationItem item, Actor by, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(by);
        if (!await LockAsync(item, ct))
        {
            return Conflicted();
        }

        var routing = await RoutingOfAsync(item.SchoolId, ct);
        var choice = new Choice(by.UserId, "Acknowledged", item.EscalationLevel, AlertReasons.None, $"{by.Name} acknowledged it and took it");
        return await RecordAsync(item, routing, new HashSet<string>(), choice, Step.Acknowledged, now, by, ct);
    }

    private async Task<RoutingOutcome> RecordAsync(
        ModerationItem item, SchoolRouting routing, IReadOnlySet<string> categories, Choice choice, Step step, DateTimeOffset now, Actor actor, CancellationToken ct)
    {
        var due = DueAt(item, routing, categories, now);
        var dueText = Local(due);
        // Alerts are raised only by routing, so an item never routed before has none open.
        var mayHaveAlert = item.AssignedAt is not null;
        if (item.AssignedAt is not null && choice.UserId == item.AssignedToId)
        {
            item.DueAt = due;
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, actor, "assignment-kept", now, item.Id,
                detail: $"stays with {routing.NameOf(choice.UserId)}, nobody else can take it: {choice.Explanation}; due again {dueText}", cancellationToken: ct);
            var kept = await RaiseAlertAsync(item, routing, choice, mayHaveAlert, now, ct);
            return new RoutingOutcome(RoutingResult.Kept, choice.UserId, due, choice.Explanation, kept);
        }

        // End the current assignment before adding the next: only one may be open (a unique index), so a racing
        // writer fails here or on save rather than leaving two owners.
        // An item never routed (AssignedAt is set by every routing step and never cleared) has no assignment to end.
        if (item.AssignedAt is not null)
        {
            await db.ItemAssignments.Where(a => a.ItemId == item.Id && a.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.EndedAt, now), ct);
        }

        db.ItemAssignments.Add(new ItemAssignment
        {
            Id = Guid.CreateVersion7(now),
            ItemId = item.Id,
            SchoolId = item.SchoolId,
            UserId = choice.UserId,
            Reason = choice.Reason,
            EscalationLevel = choice.EscalationLevel,
            AssignedAt = now,
            DueAt = due,
            AssignedById = choice.AssignedById,
            Explanation = Truncate(choice.Explanation, 1000),
        });

        var previous = item.AssignedToId;
        var escalated = choice.Reason is nameof(AssignmentReason.Escalation) or nameof(AssignmentReason.LastResort) or nameof(AssignmentReason.SafeguardingDeputy);
        var result = step switch
        {
            Step.Arrival => RoutingResult.Assigned,
            Step.Overdue when escalated => RoutingResult.Escalated,
            Step.HandEscalated => RoutingResult.Escalated,
            _ => RoutingResult.Reassigned,
        };
        item.ReassignmentCount = step == Step.Overdue && result == RoutingResult.Reassigned && choice.EscalationLevel == item.EscalationLevel
            ? item.ReassignmentCount + 1
            : 0;
        item.EscalationLevel = choice.EscalationLevel;
        if (ItemTransitions.InOwnersQueue(item.State))
        {
            db.HeldInTransaction.CountOpenItem(db, previous, -1);
            db.HeldInTransaction.CountOpenItem(db, choice.UserId, 1);
        }

        item.AssignedToId = choice.UserId;
        item.AssignedAt = now;
        item.DueAt = due;
        item.UpdatedAt = now;

        var action = result switch
        {
            RoutingResult.Assigned => "assigned",
            RoutingResult.Escalated => "assignment-escalated",
            _ => step == Step.Acknowledged ? "taken-on-acknowledgement" : "reassigned",
        };
        var from = previous is null ? "" : $" from {routing.NameOf(previous)}";
        await AuditLog.AppendAsync(db, item.SchoolId, actor, action, now, item.Id,
            detail: $"to {routing.NameOf(choice.UserId)}{from}: {choice.Explanation}; due {dueText}", cancellationToken: ct);

        // A safeguarding item's arrival is told to the DSLs and the headteacher by the safeguarding-concern consumer,
        // with the acknowledgement deadline; a second message to the same person would only be noise.
        if (choice.UserId is { } owner && step != Step.Acknowledged && !(step == Step.Arrival && item.Safeguarding))
        {
            await notifier.NotifyAsync(db, OwnerNotice(item, routing, owner, previous, result, step, choice, dueText), now, ct);
        }

        var alerted = await RaiseAlertAsync(item, routing, choice, mayHaveAlert, now, ct);
        return new RoutingOutcome(result, choice.UserId, due, choice.Explanation, alerted);
    }

    private NotificationRequest OwnerNotice(
        ModerationItem item, SchoolRouting routing, Guid owner, Guid? previous, RoutingResult result, Step step, Choice choice, string dueText)
    {
        var what = Describe(item);
        if (item.Safeguarding)
        {
            return new NotificationRequest(item.SchoolId, owner, result == RoutingResult.Escalated ? NotificationKind.Escalated : NotificationKind.Reassigned, item.Id,
                $"Safeguarding concern passed to you: acknowledge by {dueText}",
                $"Screening flagged {what} as a safeguarding concern. It is yours to own: acknowledge it in the app by {dueText} (London time), " +
                "or it goes to the deputy DSL and then the headteacher. Follow the school's safeguarding procedure.");
        }

        var why = step switch
        {
            Step.Manual or Step.HandEscalated => choice.Explanation,
            Step.Overdue => $"it was overdue with {routing.NameOf(previous)}",
            _ => Reason(item, choice),
        };
        return result switch
        {
            RoutingResult.Assigned => new NotificationRequest(item.SchoolId, owner, NotificationKind.Assigned, item.Id,
                $"New item to review: {what}", $"{Capitalise(what)} is yours to review ({why}). Please decide by {dueText} (London time)."),
            RoutingResult.Escalated => new NotificationRequest(item.SchoolId, owner, NotificationKind.Escalated, item.Id,
                $"Item escalated to you: {what}", $"{Capitalise(what)} has been escalated to you: {why}. Please decide by {dueText} (London time)."),
            _ => new NotificationRequest(item.SchoolId, owner, NotificationKind.Reassigned, item.Id,
                $"Item passed to you: {what}", $"{Capitalise(what)} has been passed to you: {why}. Please decide by {dueText} (London time)."),
        };
    }

    /// <summary>
    /// Records an alert for administrators and the headteacher, unless one is already open for the item. A school-wide
    /// cause alone (nobody on duty, everyone at their cap) for an item that got an owner is folded into the school's
    /// open alert for that cause raised within <see cref="AlertQuietPeriod"/>, if there is one: its count goes up, the
    /// item's audit entry says so, and nobody is told again. So a burst is one alert with a count, told once, and a
    /// cause that lasts is raised and told again each quarter of an hour. Any other alert is the item's own, and told.
    /// </summary>
    private async Task<bool> RaiseAlertAsync(
        ModerationItem item, SchoolRouting routing, Choice choice, bool mayHaveAlert, DateTimeOffset now, CancellationToken ct)
    {
        if (choice.Alerts == AlertReasons.None ||
            (mayHaveAlert && await db.Alerts.AnyAsync(a => a.ItemId == item.Id && a.ResolvedAt == null, ct)))
        {
            return false;
        }

        var what = Describe(item);
        var message = choice.UserId is null
            ? $"Nobody can hold {what}: {choice.Explanation}. Add someone to the rota or the escalation policy."
            : $"{Capitalise(what)} went to {routing.NameOf(choice.UserId)}: {choice.Explanation}.";
        var schoolWide = (choice.Alerts & ~(AlertReasons.NobodyOnDuty | AlertReasons.EveryoneAtCap)) == AlertReasons.None;
        var open = schoolWide ? await OpenSchoolWideAsync(item.SchoolId, choice.Alerts, now, ct) : null;
        if (open is not null && choice.UserId is not null)
        {
            open.ItemCount++;
            open.LastRaisedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, Actor.System(Stage), "alert-folded", now, item.Id,
                detail: $"{open.Reasons}: counted in the alert raised {Local(open.RaisedAt)} ({open.ItemCount} so far): {message}", cancellationToken: ct);
            return true;
        }

        var alert = new RoutingAlert
        {
            Id = Guid.CreateVersion7(now),
            SchoolId = item.SchoolId,
            ItemId = item.Id,
            Reasons = choice.Alerts.ToString(),
            Message = Truncate(message, 1000),
            RaisedAt = now,
        };
        db.Alerts.Add(alert);
        await AuditLog.AppendAsync(db, item.SchoolId, Actor.System(Stage), "alert-raised", now, item.Id, detail: $"{alert.Reasons}: {alert.Message}", cancellationToken: ct);
        if (open is not null)
        {
            // An item nobody holds keeps an alert of its own; the cause itself was told with the open one.
            return true;
        }

        if (schoolWide)
        {
            db.HeldInTransaction.Keep(db, OpenAlertKey(choice.Alerts), item.SchoolId, alert);
        }

        foreach (var recipient in routing.AlertRecipients)
        {
            await notifier.NotifyAsync(db, new NotificationRequest(item.SchoolId, recipient, NotificationKind.Alert, item.Id,
                $"Routing alert: {what}", message), now, ct);
        }

        return true;
    }

    private static string OpenAlertKey(AlertReasons reasons) => $"open-alert:{reasons}";

    /// <summary>
    /// The school's open alert for this school-wide cause raised within <see cref="AlertQuietPeriod"/>, tracked to be
    /// folded into: the one this transaction raised or folded into already, else the newest such row.
    /// </summary>
    private async Task<RoutingAlert?> OpenSchoolWideAsync(Guid schoolId, AlertReasons reasons, DateTimeOffset now, CancellationToken ct)
    {
        var key = OpenAlertKey(reasons);
        if (db.HeldInTransaction.KeptRow<RoutingAlert>(db, key, schoolId) is { } kept)
        {
            return kept;
        }

        var name = reasons.ToString();
        var since = now - AlertQuietPeriod;
        var open = await db.Alerts
            .Where(a => a.SchoolId == schoolId && a.Reasons == name && a.ResolvedAt == null && a.RaisedAt > since)
            .OrderByDescending(a => a.RaisedAt)
            .FirstOrDefaultAsync(ct);
        if (open is not null)
        {
            db.HeldInTransaction.Keep(db, key, schoolId, open);
        }

        return open;
    }

    /// <summary>How long a school-wide routing alert, while open, takes in the same cause's later items (see <see cref="RaiseAlertAsync"/>).</summary>
    public static readonly TimeSpan AlertQuietPeriod = TimeSpan.FromMinutes(15);

    private async Task<AssignmentRequest> RequestAsync(
        ModerationItem item, SchoolRouting routing, IReadOnlyCollection<Guid> tried, int escalateFrom, DateTimeOffset now, CancellationToken ct)
    {
        var definitions = await RotasOfAsync(item.SchoolId, ct);
        IReadOnlyList<Shift> shifts;
        try
        {
            shifts = ScheduleCalculator.OnDutyForSchool(definitions, item.SchoolId, now);
        }
        catch (ArgumentException)
        {
            // A rota that cannot be scheduled has nobody on duty: the item escalates with an alert rather than waiting.
            shifts = [];
        }

        // Only people who may decide the item can own it. A staff draft is approved by an administrator or the
        // headteacher, never its author: its route is those approvers from the escalation policy, not the rota.
        var mayDecide = MayDecide(item, routing);
        var escalation = new EscalationPolicy([.. routing.Escalation.Levels.Select(l => (IReadOnlyList<Guid>)[.. l.Where(mayDecide)]).Where(l => l.Count > 0)]);
        IEnumerable<Guid> candidates = item.Kind == ItemKind.OutboundDraft
            ? escalation.Levels.SelectMany(l => l).Distinct()
            : shifts.Select(s => s.UserId).Where(mayDecide);
        var ids = candidates.Distinct().ToList();
        var open = await OpenItemsAsync(routing, ids, ct);
        var cap = routing.Settings.OpenItemCap;
        var onDuty = item.Kind == ItemKind.OutboundDraft
            ? ids.Select(u => new DutyCandidate(u, new Workload(open.GetValueOrDefault(u), cap))).ToList()
            : DutyCandidate.FromShifts(shifts.Where(s => mayDecide(s.UserId)), u => new Workload(open.GetValueOrDefault(u), cap));
        return new AssignmentRequest
        {
            OnDuty = onDuty,
            Escalation = item.Safeguarding ? routing.Escalation : escalation,
            IsSafeguarding = item.Safeguarding,
            Safeguarding = routing.Leads,
            AlreadyTried = tried.ToHashSet(),
            Absent = definitions.SelectMany(r => r.AbsentAt(now)).ToHashSet(),
            EscalateFromLevel = escalateFrom,
        };
    }

    /// <summary>
    /// Each candidate's open items (in review or escalated, in any school). In a school's write batch (ADR 0601) the
    /// whole staff's are read once per transaction, under the school's chain lock, and then counted as the
    /// transaction assigns and moves items, so that the batch's items need not be saved one by one for the next to
    /// see them. Anywhere else, or if the transaction has unsaved changes to owned items when it would first read
    /// them, they are read each time.
    /// </summary>
    private async Task<IReadOnlyDictionary<Guid, int>> OpenItemsAsync(SchoolRouting routing, List<Guid> ids, CancellationToken ct)
    {
        if (!db.InWriteBatch)
        {
            return await ReadOpenItemsAsync(ids, ct);
        }

        var kept = db.HeldInTransaction.OpenItems(db);
        if (kept is not null && ids.All(kept.ContainsKey))
        {
            return kept;
        }

        var unsavedOwned = db.ChangedItems().Any(e => e.Entity.AssignedToId is not null || e.Property(i => i.AssignedToId).OriginalValue is not null);
        if (unsavedOwned)
        {
            return await ReadOpenItemsAsync(ids, ct);
        }

        // The school's whole staff, read once; in a batch across schools (ADR 0609), the next school's staff are read
        // when its first item is routed, and kept with the others'. Those already kept keep their counts.
        var missing = routing.Staff.Keys.Union(ids).Where(u => kept is null || !kept.ContainsKey(u)).ToList();
        var read = await ReadOpenItemsAsync(missing, ct);
        kept ??= db.HeldInTransaction.KeepOpenItems(db, new Dictionary<Guid, int>(missing.Count));
        foreach (var user in missing)
        {
            kept[user] = read.GetValueOrDefault(user);
        }

        return kept;
    }

    private Task<Dictionary<Guid, int>> ReadOpenItemsAsync(List<Guid> ids, CancellationToken ct) =>
        db.Items
            .Where(i => i.AssignedToId != null && ids.Contains(i.AssignedToId.Value) && (i.State == ItemState.AwaitingReview || i.State == ItemState.Escalated))
            .GroupBy(i => i.AssignedToId!.Value)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.UserId, x => x.Count, ct);

    /// <summary>Who may own the item: the roles that may decide it (ADR 0004), and never a draft's own author.</summary>
    private static Func<Guid, bool> MayDecide(ModerationItem item, SchoolRouting routing)
    {
        var roles = item.Kind == ItemKind.OutboundDraft ? Accounts.Roles.DraftApprovers : Accounts.Roles.Reviewers;
        return user => user != item.DraftAuthorId && routing.Staff.TryGetValue(user, out var staff) && staff.Roles.Overlaps(roles);
    }

    private static Choice FromDecision(AssignmentDecision decision, SchoolRouting routing)
    {
        var level = decision.EscalationLevel ?? (decision.Reason == AssignmentReason.LastResort && !IsSafeguardingReason(decision)
            ? routing.Escalation.Levels.Count
            : 0);
        return new Choice(decision.UserId, decision.Reason.ToString(), level, decision.Alerts, Humanise(decision.Explanation, routing));
    }

    private static bool IsSafeguardingReason(AssignmentDecision decision) =>
        decision.Alerts.HasFlag(AlertReasons.SafeguardingLeadsUnavailable);

    /// <summary>The planner explains itself with user ids; people read names.</summary>
    private static string Humanise(string explanation, SchoolRouting routing)
    {
        foreach (var staff in routing.Staff.Values)
        {
            explanation = explanation.Replace(staff.UserId.ToString(), staff.Name, StringComparison.OrdinalIgnoreCase);
        }

        return explanation;
    }

    private static string Reason(ModerationItem item, Choice choice) => choice.Reason switch
    {
        nameof(AssignmentReason.OnDuty) when item.Kind == ItemKind.OutboundDraft => "you approve the school's own posts",
        nameof(AssignmentReason.OnDuty) => "you are on duty",
        _ => choice.Explanation,
    };

    private static DateTimeOffset DueAt(ModerationItem item, SchoolRouting routing, IReadOnlySet<string> categories, DateTimeOffset now)
    {
        var settings = routing.Settings;
        return item.Safeguarding
            ? now + TimeSpan.FromMinutes(settings.SafeguardingAcknowledgeMinutes)
            : settings.RulesFor(item.Kind, categories).Select(r => DueTimeCalculator.DueAt(now, r, settings.SchoolHours)).Min();
    }

    /// <summary>
    /// The start of every routing step that reads the item's findings: the school's chain lock and the item's
    /// version checked, then the school's routing and the item's finding categories; null when someone changed the
    /// item first.
    /// </summary>
    private async Task<(SchoolRouting Routing, IReadOnlySet<string> Categories)?> OpenAsync(
        ModerationItem item, CancellationToken ct, IReadOnlySet<string>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!await LockAsync(item, ct))
        {
            return null;
        }

        return (await RoutingOfAsync(item.SchoolId, ct), categories ?? await CategoriesAsync(item, ct));
    }

    private async Task<IReadOnlySet<string>> CategoriesAsync(ModerationItem item, CancellationToken ct) =>
        (await db.ScreeningFindings.Where(f => f.ItemId == item.Id).Select(f => f.Category).Distinct().ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Takes the school's audit-chain lock, then checks nobody changed the item since the caller read it. The chain lock
    /// is what serialises a school's routing: every writer of the school's items takes it first and holds it to the
    /// commit. A second, routing-only lock taken after it never made anyone wait, and cost a round trip per
    /// transaction (ADR 0606).
    /// </summary>
    private async Task<bool> LockAsync(ModerationItem item, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Routing runs inside the caller's transaction.");
        }

        // Taken once per transaction: a school's write batch routes many of its items under the one lock.
        await AuditLog.LockChainAsync(db, item.SchoolId, ct);

        if (db.HeldInTransaction.ReadLocked(db, item.Id) && ReferenceEquals(db.TrackedItem(item.Id), item))
        {
            // This very instance was read with its row locked in this transaction: nobody can have changed it since.
            return true;
        }

        var version = await db.Items.Where(i => i.Id == item.Id).Select(i => (uint?)i.Version).FirstOrDefaultAsync(ct);
        return version == item.Version;
    }

    // Kept between transactions while nothing they are made of changes (ADR 0602); in a school's write batch (ADR 0601)
    // asked for once for the whole batch, as nothing in a batch changes them.
    private Task<SchoolRouting> RoutingOfAsync(Guid schoolId, CancellationToken ct) =>
        db.OncePerBatchAsync("routing", schoolId, () => inputs.GetAsync(db, "routing", schoolId, () => SchoolRouting.LoadAsync(db, schoolId, ct), ct));

    private Task<IReadOnlyList<RotaDefinition>> RotasOfAsync(Guid schoolId, CancellationToken ct) =>
        db.OncePerBatchAsync("rotas", schoolId, () => inputs.GetAsync(db, "rotas", schoolId, () => rotas.ForSchoolAsync(db, schoolId, ct), ct));

    private static RoutingOutcome Conflicted() =>
        new(RoutingResult.Conflict, null, null, "someone else changed the item first", false);

    /// <summary>What the item is, never what it says: notifications and alerts leave the app.</summary>
    public static string Describe(ModerationItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Kind switch
        {
            ItemKind.OutboundDraft => "a staff draft",
            ItemKind.InboundVisitorPost => item.Platform is { } p ? $"a visitor post on {p}" : "a visitor post",
            _ => item.Platform is { } p ? $"a comment on {p}" : "a comment",
        };
    }

    /// <summary>A due time as people read it: London wall-clock time.</summary>
    public static string Local(DateTimeOffset instant) =>
        LondonTime.ToLocal(instant).ToString("HH:mm 'on' ddd d MMM", s_british);

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
