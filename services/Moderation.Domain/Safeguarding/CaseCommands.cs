using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding.Evidence;
using Moderation.Domain.Screening;
using Npgsql;

namespace Moderation.Domain.Safeguarding;

public sealed record CaseOutcome(OutcomeKind Kind, SafeguardingCase? Case = null, string? Detail = null)
{
    public static CaseOutcome Done(SafeguardingCase c) => new(OutcomeKind.Ok, c);

    /// <summary>The same answer whether the case does not exist or the caller may not know it does.</summary>
    public static readonly CaseOutcome NotFound = new(OutcomeKind.NotFound, Detail: "No such case among yours.");

    public static CaseOutcome Conflict(string detail) => new(OutcomeKind.Conflict, Detail: detail);

    public static CaseOutcome Invalid(string detail) => new(OutcomeKind.Invalid, Detail: detail);

    public static CaseOutcome Forbidden(string detail) => new(OutcomeKind.Forbidden, Detail: detail);

    public Outcome AsOutcome() => new(Kind, null, Detail);
}

/// <summary>What opens a case: who, about what, and the evidence to add to the item's own.</summary>
public sealed record CaseOpening(
    Guid SchoolId,
    Guid? ItemId,
    string Category,
    CaseSeverity Severity,
    CaseSource Source,
    bool AboutHeadteacher,
    string Summary,
    Actor RaisedBy,
    EvidenceInput Evidence);

/// <summary>
/// Opening, acknowledging, noting, referring, holding and closing safeguarding cases. Every change runs in one
/// transaction with its audit entry (the school's hash chain) and notifications; the case's xmin stops two people
/// changing it at once.
/// </summary>
/// <param name="connectors">What each platform can do; without it, a published item's takedown is only recorded, not queued.</param>
public sealed class CaseCommands(ModerationDbContext db, Notifier notifier, TimeProvider time, Platforms.PlatformConnectors? connectors = null)
{
    public const string Stage = "safeguarding";
    public const int MaxSummaryLength = 2000;
    public const int MaxNoteLength = 8000;
    public const int MaxReasonLength = 500;

    /// <summary>
    /// Opens a case in the caller's transaction (the caller saves), or returns the item's open case, raising its
    /// severity if this concern is graver. The evidence snapshot is taken now.
    /// </summary>
    public async Task<(SafeguardingCase Case, bool Created)> OpenAsync(CaseOpening opening, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(opening);
        ModerationItem? item = null;
        if (opening.ItemId is { } itemId)
        {
            item = await db.Items.FirstAsync(i => i.Id == itemId, ct);
            var open = await db.SafeguardingCases.FirstOrDefaultAsync(c => c.ItemId == itemId && c.ClosedAt == null, ct);
            if (open is not null)
            {
                var graver = opening.Severity > open.Severity;
                if (graver)
                {
                    open.Severity = opening.Severity;
                }

                await AuditLog.AppendAsync(db, open.SchoolId, opening.RaisedBy, "case-concern-added", now, itemId,
                    detail: $"case {open.Id}: {opening.Source} {opening.Category} ({opening.Severity}){(graver ? "; severity raised" : "")}", cancellationToken: ct);
                return (open, false);
            }
        }

        var route = await CaseRoute.LoadAsync(db, opening.SchoolId, opening.Category, opening.AboutHeadteacher, now, ct);
        var c = new SafeguardingCase
        {
            Id = Guid.CreateVersion7(now),
            SchoolId = opening.SchoolId,
            ItemId = opening.ItemId,
            Category = opening.Category,
            Severity = opening.Severity,
            Source = opening.Source,
            AboutHeadteacher = opening.AboutHeadteacher,
            Summary = opening.Summary.Trim(),
            RaisedById = opening.RaisedBy.UserId,
            RaisedBy = opening.RaisedBy.Name,
            RaisedAt = now,
            Status = CaseStatus.Open,
            OwnerId = route.FirstOwner,
            AckDueAt = CaseChain.AckDueAt(now, opening.Severity, route.Settings, route.SchoolHours),
        };
        db.SafeguardingCases.Add(c);
        await EvidenceCapture.CaptureAsync(db, c, item, opening.Evidence, now, ct);
        if (item is not null)
        {
            await KeepOffThePublicPageAsync(c, item, opening, now, ct);
        }

        var due = ItemRouter.Local(c.AckDueAt.Value);
        await AuditLog.AppendAsync(db, c.SchoolId, opening.RaisedBy, "case-opened", now, c.ItemId,
            detail: $"case {c.Id}: {c.Category} ({c.Severity}) from {c.Source}; to {route.People.NameOf(c.OwnerId)}, acknowledge by {due}; evidence sha256 {c.EvidenceSha256}",
            cancellationToken: ct);

        // Screening's concern is already told to the DSLs and the headteacher by the consumer that opens the case.
        if (opening.Source != CaseSource.Screening && route.Steps.Count > 0)
        {
            await NotifyStepAsync(c, route.Steps[0], $"Safeguarding case opened: acknowledge by {due}",
                $"A safeguarding case ({Describe(c.Category)}, {c.Severity.ToString().ToLowerInvariant()}) was opened by {opening.RaisedBy.Name}. " +
                $"Acknowledge it in the app by {due} (London time), or it goes to the next person on the chain. Follow the school's safeguarding procedure.", now, ct);
        }

        return (c, true);
    }

    /// <summary>
    /// The item stays off the public page (DOMAIN.md "Safeguarding"): one still in review is escalated, so only the
    /// headteacher or DSL can decide it and routing gives it to them; one already approved or published is to be hidden
    /// on the platform. Screening's and a moderator's escalations have already escalated their item.
    /// </summary>
    private async Task KeepOffThePublicPageAsync(SafeguardingCase c, ModerationItem item, CaseOpening opening, DateTimeOffset now, CancellationToken ct)
    {
        if (item.State == ItemState.AwaitingReview && opening.Source == CaseSource.Raised && opening.RaisedBy.UserId is { } by)
        {
            var why = $"safeguarding case {c.Id} opened: held for the headteacher and DSL";
            await ItemTransitions.MoveAsync(db, item, ItemState.Escalated, opening.RaisedBy, "escalated", now, why, ct);
            Outbox.Enqueue(db, new ItemEscalated(item.Id, item.SchoolId, by, why, now), now);
        }
        else if (item.State is ItemState.Approved or ItemState.Actioned && item.RejectionReason is null && item.PendingAction is not (PlatformAction.Hide or PlatformAction.Delete))
        {
            item.PendingAction = PlatformAction.Hide;
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, opening.RaisedBy, "hide-requested", now, item.Id,
                detail: $"safeguarding case {c.Id} opened: to be hidden on the platform", cancellationToken: ct);
            await QueueTakedownAsync(item, now, ct);
        }
    }

    /// <summary>
    /// A visitor's comment already public comes down at once: hidden where the platform can hide it, otherwise
    /// rejected or trashed (YouTube, a blog), both of which the platform can undo. The school's own posts are taken
    /// down by hand (the platforms' APIs are not used to delete the school's posts).
    /// </summary>
    private async Task QueueTakedownAsync(ModerationItem item, DateTimeOffset now, CancellationToken ct)
    {
        if (connectors is null || item.Kind == ItemKind.OutboundDraft || item.SocialAccountId is not { } account || item.Platform is not { } platform
            || await db.PlatformActions.AnyAsync(a => a.ItemId == item.Id && a.Purpose == Platforms.ActionPurpose.Takedown, ct))
        {
            return;
        }

        var capabilities = connectors.CapabilitiesOf(platform);
        var action = capabilities.HasFlag(Platforms.PlatformCapabilities.Hide) ? PlatformAction.Hide
            : capabilities.HasFlag(Platforms.PlatformCapabilities.Delete) ? PlatformAction.Delete
            : PlatformAction.None;
        if (action != PlatformAction.None)
        {
            Platforms.PlatformActions.Queue(db, item.Id, item.SchoolId, account, action, Platforms.ActionPurpose.Takedown, now);
        }
    }

    /// <summary>The headteacher or a DSL opens a case by hand, about an item of the school or about something seen elsewhere.</summary>
    public async Task<CaseOutcome> RaiseAsync(StaffMember staff, CaseOpening opening, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(staff);
        ArgumentNullException.ThrowIfNull(opening);
        if (!staff.BelongsTo(opening.SchoolId))
        {
            return new CaseOutcome(OutcomeKind.NotFound, Detail: "No such school among yours.");
        }

        if (!staff.IsInAny(Roles.SafeguardingLeads))
        {
            return CaseOutcome.Forbidden("Only the headteacher or a DSL opens a safeguarding case by hand; anyone on the queue can escalate an item.");
        }

        if (opening.AboutHeadteacher && staff.Roles.Contains(Roles.Headteacher))
        {
            return CaseOutcome.Invalid("aboutHeadteacher: a headteacher cannot open a case about the headteacher; the DSL or chair of governors does.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (opening.ItemId is { } itemId)
        {
            if (!await db.Items.AnyAsync(i => i.Id == itemId && i.SchoolId == opening.SchoolId, ct))
            {
                return CaseOutcome.Invalid("itemId: no such item in this school.");
            }

            if (await db.SafeguardingCases.AnyAsync(c => c.ItemId == itemId && c.ClosedAt == null, ct))
            {
                return CaseOutcome.Conflict("The item already has an open case; add to that case instead.");
            }
        }

        try
        {
            var (c, _) = await OpenAsync(opening, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return CaseOutcome.Done(c);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CaseOutcome.Conflict("The item changed at the same moment; reload it and try again.");
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return CaseOutcome.Conflict("The item already has an open case; add to that case instead.");
        }
    }

    public Task<CaseOutcome> AcknowledgeAsync(Guid caseId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.AcknowledgedAt is { } at)
            {
                return CaseOutcome.Conflict($"The case was already acknowledged at {ItemRouter.Local(at)}.");
            }

            if (c.Status == CaseStatus.Closed)
            {
                return CaseOutcome.Conflict("The case is closed.");
            }

            var late = c.AckDueAt < now ? $", {(int)(now - c.AckDueAt.Value).TotalMinutes} minute(s) after the time limit" : "";
            await MarkAcknowledgedAsync(db, c, staff, now, late, ct);
            await AcknowledgeItemAsync(c, staff, now, ct);
            return null;
        });

    /// <summary>
    /// The item's acknowledgement (routing) and the case's are one act: whichever a DSL or headteacher uses, both are
    /// recorded, so neither chain moves the concern on after someone has taken it.
    /// </summary>
    public static async Task AcknowledgeOpenCaseOfItemAsync(ModerationDbContext db, Guid itemId, StaffMember staff, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(staff);
        var c = await db.SafeguardingCases.FirstOrDefaultAsync(x => x.ItemId == itemId && x.ClosedAt == null && x.AcknowledgedAt == null, ct);
        if (c is null || !CaseAccess.CanSee(staff, c))
        {
            return;
        }

        await MarkAcknowledgedAsync(db, c, staff, now, " with its item", ct);
    }

    /// <summary>The acknowledger takes the case, and it stops moving on.</summary>
    private static async Task MarkAcknowledgedAsync(ModerationDbContext db, SafeguardingCase c, StaffMember staff, DateTimeOffset now, string how, CancellationToken ct)
    {
        c.AcknowledgedAt = now;
        c.AcknowledgedById = staff.UserId;
        c.OwnerId = staff.UserId;
        c.Status = CaseStatus.Acknowledged;
        await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-acknowledged", now, c.ItemId, detail: $"case {c.Id} acknowledged{how}", cancellationToken: ct);
    }

    private async Task AcknowledgeItemAsync(SafeguardingCase c, StaffMember staff, DateTimeOffset now, CancellationToken ct)
    {
        if (c.ItemId is not { } itemId)
        {
            return;
        }

        var item = await db.Items.FirstAsync(i => i.Id == itemId, ct);
        if (item.Safeguarding && item.AcknowledgedAt is null && ItemLifecycle.IsOpen(item.State))
        {
            item.AcknowledgedAt = now;
            item.AcknowledgedById = staff.UserId;
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, staff.AsActor(), "acknowledged", now, item.Id,
                detail: "safeguarding item acknowledged with its case; the time limit no longer moves it on", cancellationToken: ct);
        }
    }

    public async Task<(CaseOutcome Outcome, CaseNote? Note)> AddNoteAsync(Guid caseId, StaffMember staff, string text, CancellationToken ct)
    {
        CaseNote? note = null;
        var outcome = await ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            note = new CaseNote { Id = Guid.CreateVersion7(now), CaseId = c.Id, AuthorId = staff.UserId, Author = staff.Name, At = now, Text = text.Trim() };
            db.CaseNotes.Add(note);

            // The note's words stay out of the audit chain, which administrators can verify: only that it was written.
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-note-added", now, c.ItemId,
                detail: $"case {c.Id}: confidential note {note.Id}", cancellationToken: ct);
            return null;
        });
        return (outcome, note);
    }

    public async Task<(CaseOutcome Outcome, CaseReferral? Referral)> AddReferralAsync(
        Guid caseId, StaffMember staff, ReferralAgency agency, DateTimeOffset madeAt, string? reference, string? outcomeText, CancellationToken ct)
    {
        CaseReferral? referral = null;
        var outcome = await ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (madeAt > now + TimeSpan.FromMinutes(5))
            {
                return CaseOutcome.Invalid("madeAt: a referral cannot be recorded as made in the future.");
            }

            if (madeAt < c.RaisedAt - TimeSpan.FromDays(7))
            {
                return CaseOutcome.Invalid("madeAt: that is more than a week before the case was raised.");
            }

            referral = new CaseReferral
            {
                Id = Guid.CreateVersion7(now),
                CaseId = c.Id,
                Agency = agency,
                MadeAt = madeAt,
                MadeById = staff.UserId,
                MadeBy = staff.Name,
                Reference = Blank(reference),
                Outcome = Blank(outcomeText),
                OutcomeAt = Blank(outcomeText) is null ? null : now,
                RecordedAt = now,
            };
            db.CaseReferrals.Add(referral);
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-referral-recorded", now, c.ItemId,
                detail: $"case {c.Id}: referral {referral.Id} to {agency} made {ItemRouter.Local(madeAt)}, reference {referral.Reference ?? "none yet"}", cancellationToken: ct);
            return null;
        });
        return (outcome, referral);
    }

    public async Task<(CaseOutcome Outcome, CaseReferral? Referral)> UpdateReferralAsync(
        Guid caseId, Guid referralId, StaffMember staff, string? reference, string? outcomeText, CancellationToken ct)
    {
        CaseReferral? referral = null;
        var outcome = await ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            referral = await db.CaseReferrals.FirstOrDefaultAsync(r => r.Id == referralId && r.CaseId == c.Id, ct);
            if (referral is null)
            {
                return new CaseOutcome(OutcomeKind.NotFound, Detail: "No such referral on this case.");
            }

            referral.Reference = Blank(reference) ?? referral.Reference;
            if (Blank(outcomeText) is { } o)
            {
                referral.Outcome = o;
                referral.OutcomeAt = now;
            }

            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-referral-updated", now, c.ItemId,
                detail: $"case {c.Id}: referral {referral.Id} to {referral.Agency}, reference {referral.Reference ?? "none yet"}{(Blank(outcomeText) is null ? "" : ", outcome recorded")}",
                cancellationToken: ct);
            return null;
        });
        return (outcome, referral);
    }

    public Task<CaseOutcome> SetLegalHoldAsync(Guid caseId, StaffMember staff, bool hold, string reason, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.LegalHold == hold)
            {
                return CaseOutcome.Conflict(hold ? "The case is already under legal hold." : "The case is not under legal hold.");
            }

            c.LegalHold = hold;
            c.LegalHoldAt = now;
            c.LegalHoldById = staff.UserId;
            c.LegalHoldReason = reason.Trim();
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), hold ? "case-legal-hold-set" : "case-legal-hold-released", now, c.ItemId,
                detail: $"case {c.Id}: {c.LegalHoldReason}", cancellationToken: ct);
            return null;
        });

    /// <summary>
    /// The case team sets what the case is: an escalation arrives unclassified, and a concern can turn out graver (or
    /// about the headteacher). A case still waiting for acknowledgement restarts its new chain at the first step,
    /// keeping its deadline; one now about suspected child sexual abuse material has its stored media wiped.
    /// </summary>
    public Task<CaseOutcome> ClassifyAsync(Guid caseId, StaffMember staff, string category, CaseSeverity severity, bool aboutHeadteacher, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.Status == CaseStatus.Closed)
            {
                return CaseOutcome.Conflict("The case is closed.");
            }

            if (aboutHeadteacher && staff.Roles.Contains(Roles.Headteacher))
            {
                return CaseOutcome.Invalid("aboutHeadteacher: a headteacher cannot mark a case as about the headteacher; the DSL or chair of governors does.");
            }

            var was = $"{c.Category} ({c.Severity}){(c.AboutHeadteacher ? ", about the headteacher" : "")}";
            var rerouted = c.Category != category || c.AboutHeadteacher != aboutHeadteacher;
            var withhold = CaseCategories.WithholdsMedia(category) && !CaseCategories.WithholdsMedia(c.Category);
            (c.Category, c.Severity, c.AboutHeadteacher) = (category, severity, aboutHeadteacher);
            var detail = $"case {c.Id}: {was} now {c.Category} ({c.Severity}){(c.AboutHeadteacher ? ", about the headteacher" : "")}";
            if (withhold)
            {
                var before = c.EvidenceSha256;
                var wiped = await EvidenceCapture.WithholdMediaAsync(db, c, ct);
                detail += $"; {wiped} stored media part(s) wiped and withheld, bundle sha256 {before} now {c.EvidenceSha256}";
            }

            if (rerouted && c.Status == CaseStatus.Open)
            {
                var route = await CaseRoute.LoadAsync(db, c, ct);
                if (route.FirstOwner != c.OwnerId)
                {
                    (c.ChainStep, c.OwnerId) = (0, route.FirstOwner);
                    detail += $"; now with {route.People.NameOf(c.OwnerId)}";
                    await NotifyStepAsync(c, route.Steps[0], $"Safeguarding case passed to you: acknowledge by {ItemRouter.Local(c.AckDueAt!.Value)}",
                        $"A safeguarding case ({Describe(c.Category)}, {c.Severity.ToString().ToLowerInvariant()}) was reclassified by {staff.Name} and now comes to you as {route.Steps[0].Role}. " +
                        $"Acknowledge it in the app by {ItemRouter.Local(c.AckDueAt!.Value)} (London time).", now, ct);
                }
            }

            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-classified", now, c.ItemId, detail: detail, cancellationToken: ct);
            return null;
        });

    /// <summary>The first of two people asks to close the case, with its outcome.</summary>
    public Task<CaseOutcome> RequestClosureAsync(Guid caseId, StaffMember staff, string outcomeText, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.Status != CaseStatus.Acknowledged)
            {
                return CaseOutcome.Conflict(c.Status switch
                {
                    CaseStatus.Open => "The case has not been acknowledged yet; acknowledge it before closing it.",
                    CaseStatus.ClosurePending => "A closure is already waiting for a second person's sign-off.",
                    _ => "The case is closed.",
                });
            }

            c.Status = CaseStatus.ClosurePending;
            c.ClosureRequestedAt = now;
            c.ClosureRequestedById = staff.UserId;
            c.ClosureOutcome = outcomeText.Trim();
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-closure-requested", now, c.ItemId,
                detail: $"case {c.Id}: waiting for a second person's sign-off", cancellationToken: ct);
            return null;
        });

    /// <summary>A second person signs the closure off; the one who asked for it cannot.</summary>
    public Task<CaseOutcome> SignOffClosureAsync(Guid caseId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.Status != CaseStatus.ClosurePending)
            {
                return CaseOutcome.Conflict(c.Status == CaseStatus.Closed ? "The case is already closed." : "Nobody has asked to close the case.");
            }

            if (c.ClosureRequestedById == staff.UserId)
            {
                return CaseOutcome.Forbidden("Closing a case takes two people: someone other than the person who asked to close it must sign it off.");
            }

            c.Status = CaseStatus.Closed;
            c.ClosedAt = now;
            c.ClosedById = staff.UserId;
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-closed", now, c.ItemId,
                detail: $"case {c.Id}: closure asked for by {c.ClosureRequestedById} signed off", cancellationToken: ct);
            return null;
        });

    /// <summary>The requester (or the other person) sends a pending closure back, for example to add a referral first.</summary>
    public Task<CaseOutcome> WithdrawClosureAsync(Guid caseId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(caseId, staff, ct, async (c, now) =>
        {
            if (c.Status != CaseStatus.ClosurePending)
            {
                return CaseOutcome.Conflict("There is no closure waiting for sign-off.");
            }

            c.Status = CaseStatus.Acknowledged;
            c.ClosureRequestedAt = null;
            c.ClosureRequestedById = null;
            c.ClosureOutcome = null;
            await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), "case-closure-withdrawn", now, c.ItemId, detail: $"case {c.Id}", cancellationToken: ct);
            return null;
        });

    /// <summary>Records a view or export of a case's evidence in the audit chain; the caller has checked who may.</summary>
    public async Task AuditEvidenceAccessAsync(SafeguardingCase c, StaffMember staff, string action, string detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(staff);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AuditLog.AppendAsync(db, c.SchoolId, staff.AsActor(), action, now, c.ItemId, detail: $"case {c.Id}: {detail}", cancellationToken: ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A case the person may see, untracked; null whether it is missing or hidden from them.</summary>
    public Task<SafeguardingCase?> FindVisibleAsync(Guid caseId, StaffMember staff, CancellationToken ct) =>
        CaseAccess.Visible(db.SafeguardingCases.AsNoTracking(), staff).FirstOrDefaultAsync(c => c.Id == caseId, ct);

    public static async Task<SafeguardingSettings> SettingsAsync(ModerationDbContext db, Guid schoolId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var json = await db.SafeguardingSettings.AsNoTracking().Where(s => s.SchoolId == schoolId).Select(s => s.Settings).FirstOrDefaultAsync(ct);
        return json is null ? SafeguardingSettings.Defaults : SafeguardingSettings.FromJson(json);
    }

    internal async Task NotifyStepAsync(SafeguardingCase c, ChainStep step, string title, string body, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var person in step.People)
        {
            await notifier.NotifyAsync(db, new NotificationRequest(c.SchoolId, person, NotificationKind.SafeguardingConcern, c.ItemId, title, body), now, ct);
        }
    }

    public static string Describe(string category) => category switch
    {
        CaseCategories.ChildSexualAbuse => "suspected child sexual abuse material",
        CaseCategories.ThreatToLife => "a threat to life or safety",
        CaseCategories.AllegationAgainstStaff => "an allegation against staff",
        CaseCategories.Unclassified => "not yet categorised",
        _ => category.ToLowerInvariant(),
    };

    /// <summary>Maps screening's severity onto a case's: a severe finding is an immediate risk.</summary>
    public static CaseSeverity FromScreening(string severity) => severity switch
    {
        nameof(FindingSeverity.Severe) => CaseSeverity.Critical,
        nameof(FindingSeverity.Warning) => CaseSeverity.High,
        _ => CaseSeverity.Medium,
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private async Task<CaseOutcome> ChangeAsync(Guid caseId, StaffMember staff, CancellationToken ct, Func<SafeguardingCase, DateTimeOffset, Task<CaseOutcome?>> change)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var c = await CaseAccess.Visible(db.SafeguardingCases, staff).FirstOrDefaultAsync(x => x.Id == caseId, ct);
        if (c is null)
        {
            return CaseOutcome.NotFound;
        }

        try
        {
            var refusal = await change(c, time.GetUtcNow());
            if (refusal is not null)
            {
                return refusal;
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return CaseOutcome.Done(c);
        }
        catch (DbUpdateConcurrencyException)
        {
            return CaseOutcome.Conflict("Someone else changed this case at the same moment; reload it and try again.");
        }
    }
}
