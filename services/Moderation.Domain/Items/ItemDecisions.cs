using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Items;

public enum OutcomeKind
{
    Ok,
    NotFound,
    Forbidden,
    Conflict,
    Invalid,
}

public sealed record Outcome(OutcomeKind Kind, ModerationItem? Item = null, string? Detail = null)
{
    public static Outcome Done(ModerationItem item) => new(OutcomeKind.Ok, item);

    public static readonly Outcome NotFound = new(OutcomeKind.NotFound, Detail: "No such item in your schools.");

    public static Outcome Forbidden(string detail) => new(OutcomeKind.Forbidden, Detail: detail);

    public static Outcome Conflict(string detail) => new(OutcomeKind.Conflict, Detail: detail);

    public static Outcome Invalid(string detail) => new(OutcomeKind.Invalid, Detail: detail);
}

/// <summary>
/// What a person may do to an item: approve, reject, escalate, claim and release. Each runs in one transaction with
/// its audit entry and outgoing message, and is guarded by the row's xmin so two people cannot both decide.
/// </summary>
/// <param name="connectors">What each platform allows; without it, others' comments are treated as not editable.</param>
public sealed class ItemDecisions(ModerationDbContext db, TimeProvider time, Platforms.PlatformConnectors? connectors = null)
{
    public Task<Outcome> ApproveAsync(Guid itemId, StaffMember staff, string? editedText, uint? expectedVersion, CancellationToken ct) =>
        DecideAsync(itemId, staff, expectedVersion, ct, async (item, now) =>
        {
            if (editedText is not null && string.IsNullOrWhiteSpace(editedText))
            {
                return Outcome.Invalid("Edited text cannot be empty; reject the item instead.");
            }

            var editable = item.Platform is { } platform && connectors?.CapabilitiesOf(platform).HasFlag(Platforms.PlatformCapabilities.EditComments) == true;
            if (item.Kind != ItemKind.OutboundDraft && !editable && (editedText is not null || (item.RedactedText is { } shown && shown != item.Text)))
            {
                // Most platforms don't let the school rewrite someone else's comment: approving shows it exactly as written.
                return Outcome.Invalid(editedText is not null
                    ? $"{item.Platform} does not let the school edit someone else's comment; approve it as written or reject it."
                    : $"This comment names a pupil in full, and approving it would show it on {item.Platform} as written. Reject it (reason PupilIdentifiable) instead.");
            }

            // Unedited, what is published is the text with pupils' names redacted, never the sealed original.
            item.ApprovedText = editedText ?? (item.RedactedText is { } redacted && redacted != item.Text ? redacted : null);
            item.PendingAction = ApprovalAction(item);
            await RecordDecisionAsync(item, staff, now, ItemState.Approved, "approved", editedText is null ? null : "text edited before approval", ct);
            return null;
        });

    public Task<Outcome> RejectAsync(Guid itemId, StaffMember staff, RejectionReason reason, string? note, uint? expectedVersion, CancellationToken ct) =>
        DecideAsync(itemId, staff, expectedVersion, ct, async (item, now) =>
        {
            if (reason == RejectionReason.Other && string.IsNullOrWhiteSpace(note))
            {
                return Outcome.Invalid("A rejection for reason 'Other' needs a note.");
            }

            item.RejectionReason = reason;
            item.DecisionNote = note;
            item.PendingAction = RejectionAction(item);
            await RecordDecisionAsync(item, staff, now, ItemState.Rejected, "rejected", $"reason: {reason}", ct);
            return null;
        });

    public async Task<Outcome> EscalateAsync(Guid itemId, StaffMember staff, string reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Outcome.Invalid("Say why the item is escalated.");
        }

        return await ChangeAsync(itemId, staff, null, ct, async (item, now) =>
        {
            if (!staff.IsInAny(Roles.QueueViewers))
            {
                return Outcome.Forbidden("Your role may not escalate items.");
            }

            await ItemTransitions.MoveAsync(db, item, ItemState.Escalated, staff.AsActor(), "escalated", now, reason, ct);
            Outbox.Enqueue(db, new ItemEscalated(item.Id, item.SchoolId, staff.UserId, reason, now), now);
            return null;
        });
    }

    /// <summary>The original text is sealed behind the redactions: reading it takes a role and a reason, and is audited.</summary>
    public async Task<Outcome> RevealOriginalAsync(Guid itemId, StaffMember staff, string reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Outcome.Invalid("Say why you need to see the original text; the reason is recorded.");
        }

        return await ChangeAsync(itemId, staff, null, ct, async (item, now) =>
        {
            if (!staff.IsInAny(Roles.OriginalReaders))
            {
                return Outcome.Forbidden("Only an administrator, the headteacher or the DSL may read the original text.");
            }

            await AuditLog.AppendAsync(db, item.SchoolId, staff.AsActor(), "original-revealed", now, item.Id, detail: reason.Trim(), cancellationToken: ct);
            return null;
        });
    }

    public Task<Outcome> ClaimAsync(Guid itemId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(itemId, staff, null, ct, async (item, now) =>
        {
            if (!staff.IsInAny(Roles.QueueViewers))
            {
                return Outcome.Forbidden("Your role may not claim items.");
            }

            if (!ItemLifecycle.IsOpen(item.State))
            {
                return Outcome.Conflict($"The item is {item.State} and can no longer be claimed.");
            }

            if (item.ClaimedById is { } holder && holder != staff.UserId && item.ClaimExpiresAt > now)
            {
                return Outcome.Conflict("Someone else is viewing this item.");
            }

            // A claim is a viewing lease of the school's length; the routing sweep puts it back in the queue when it runs out.
            var settings = await Routing.SchoolRouting.SettingsAsync(db, item.SchoolId, ct);
            item.ClaimedById = staff.UserId;
            item.ClaimExpiresAt = now + TimeSpan.FromMinutes(settings.ClaimLeaseMinutes);
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, staff.AsActor(), "claimed", now, item.Id, cancellationToken: ct);
            return null;
        });

    public Task<Outcome> ReleaseAsync(Guid itemId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(itemId, staff, null, ct, async (item, now) =>
        {
            if (item.ClaimedById != staff.UserId && !staff.Roles.Contains(Roles.Administrator))
            {
                return Outcome.Forbidden("Only the person holding the claim, or an administrator, can release it.");
            }

            item.ClaimedById = null;
            item.ClaimExpiresAt = null;
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, staff.AsActor(), "released", now, item.Id, cancellationToken: ct);
            return null;
        });

    private Task<Outcome> DecideAsync(
        Guid itemId, StaffMember staff, uint? expectedVersion, CancellationToken ct, Func<ModerationItem, DateTimeOffset, Task<Outcome?>> decide) =>
        ChangeAsync(itemId, staff, expectedVersion, ct, (item, now) =>
        {
            var refusal = MayDecide(item, staff);
            return refusal is not null ? Task.FromResult<Outcome?>(refusal) : decide(item, now);
        });

    /// <summary>Who may decide what (DOMAIN.md "People and what they do").</summary>
    internal static Outcome? MayDecide(ModerationItem item, StaffMember staff)
    {
        if (item.State == ItemState.Escalated)
        {
            return staff.IsInAny(Roles.EscalationReviewers) ? null : Outcome.Forbidden("Only the headteacher or the DSL decide escalated items.");
        }

        if (item.Kind == ItemKind.OutboundDraft)
        {
            if (item.DraftAuthorId == staff.UserId)
            {
                return Outcome.Forbidden("Nobody may approve or reject their own draft.");
            }

            return staff.IsInAny(Roles.DraftApprovers) ? null : Outcome.Forbidden("Only an administrator or the headteacher decide the school's own posts.");
        }

        return staff.IsInAny(Roles.Reviewers) ? null : Outcome.Forbidden("Your role may not approve or reject items.");
    }

    private async Task<Outcome> ChangeAsync(
        Guid itemId, StaffMember staff, uint? expectedVersion, CancellationToken ct, Func<ModerationItem, DateTimeOffset, Task<Outcome?>> change)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == itemId && staff.SchoolIds.Contains(i.SchoolId), ct);
        if (item is null)
        {
            return Outcome.NotFound;
        }

        if (expectedVersion is { } expected && expected != item.Version)
        {
            return Outcome.Conflict("The item changed since you loaded it; reload and decide again.");
        }

        var now = time.GetUtcNow();
        try
        {
            var refusal = await change(item, now);
            if (refusal is not null)
            {
                return refusal;
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Outcome.Done(item);
        }
        catch (InvalidTransitionException ex)
        {
            return Outcome.Conflict($"The item is {ex.From}; it cannot become {ex.To}.");
        }
        catch (DbUpdateConcurrencyException)
        {
            return Outcome.Conflict("Someone else acted on this item at the same moment; reload to see what they did.");
        }
    }

    private async Task RecordDecisionAsync(ModerationItem item, StaffMember staff, DateTimeOffset now, ItemState to, string action, string? detail, CancellationToken ct)
    {
        await ItemTransitions.MoveAsync(db, item, to, staff.AsActor(), action, now, detail, ct);
        item.DecidedById = staff.UserId;
        item.DecidedAt = now;
        item.ClaimedById = null;
        item.ClaimExpiresAt = null;
        Outbox.Enqueue(
            db,
            new ItemDecided(item.Id, item.SchoolId, to.ToString(), item.PendingAction.ToString(), staff.UserId, item.RejectionReason?.ToString(), now),
            now);
    }

    internal static PlatformAction ApprovalAction(ModerationItem item) => item.Kind switch
    {
        ItemKind.OutboundDraft => PlatformAction.Publish,
        _ => item.Platform switch
        {
            // Hidden on arrival under pre-moderation; approval shows them again.
            Platform.Facebook or Platform.Instagram or Platform.X => PlatformAction.Unhide,
            // Held for review by the platform itself; approval publishes them.
            _ => PlatformAction.Publish,
        },
    };

    internal static PlatformAction RejectionAction(ModerationItem item) => item.Kind switch
    {
        ItemKind.OutboundDraft => PlatformAction.None,
        _ => item.Platform switch
        {
            // X cannot delete others' replies; hiding is all the school can do.
            Platform.X => PlatformAction.Hide,
            _ => PlatformAction.Delete,
        },
    };
}
