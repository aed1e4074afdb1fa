using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Npgsql;

namespace Moderation.Domain.Routing;

/// <summary>
/// What people do to an item's assignment: an administrator reassigns it, a DSL or headteacher acknowledges a
/// safeguarding item. Each runs in one transaction through <see cref="ItemRouter"/>, guarded by the row version.
/// </summary>
public sealed class AssignmentCommands(ModerationDbContext db, ItemRouter router, TimeProvider time)
{
    public const int MaxReasonLength = 500;

    public Task<Outcome> ReassignAsync(Guid itemId, StaffMember staff, Guid userId, string reason, CancellationToken ct) =>
        ChangeAsync(itemId, staff, ct, async (item, now) =>
        {
            if (!staff.Roles.Contains(Roles.Administrator))
            {
                return Outcome.Forbidden("Only an administrator may reassign items.");
            }

            if (!ItemLifecycle.IsOpen(item.State) || item.State is ItemState.Received or ItemState.Screening)
            {
                return Outcome.Conflict($"The item is {item.State}; only items awaiting review or escalated can be reassigned.");
            }

            var staffOfSchool = await SchoolRouting.StaffAsync(db, item.SchoolId, ct);
            var needed = item.Safeguarding || item.State == ItemState.Escalated ? Roles.EscalationReviewers
                : item.Kind == ItemKind.OutboundDraft ? Roles.DraftApprovers
                : Roles.Reviewers;
            if (!staffOfSchool.TryGetValue(userId, out var target))
            {
                return Outcome.Invalid($"userId: {userId} is not a member of the item's school.");
            }

            if (!target.Roles.Overlaps(needed))
            {
                return Outcome.Invalid($"userId: {target.Name} cannot decide this item; it needs one of: {string.Join(", ", needed)}.");
            }

            if (item.DraftAuthorId == userId)
            {
                return Outcome.Invalid($"userId: {target.Name} wrote this draft and may not approve it.");
            }

            if (item.AssignedToId == userId)
            {
                return Outcome.Conflict($"The item is already assigned to {target.Name}.");
            }

            var outcome = await router.ReassignToAsync(item, userId, reason.Trim(), staff.AsActor(), now, ct);
            return outcome.Result == RoutingResult.Conflict ? Concurrent : null;
        });

    public Task<Outcome> AcknowledgeAsync(Guid itemId, StaffMember staff, CancellationToken ct) =>
        ChangeAsync(itemId, staff, ct, async (item, now) =>
        {
            if (!staff.IsInAny(Roles.EscalationReviewers))
            {
                return Outcome.Forbidden("Only the DSL or the headteacher acknowledge safeguarding items.");
            }

            if (!item.Safeguarding)
            {
                return Outcome.Conflict("Only safeguarding items need an acknowledgement.");
            }

            if (item.AcknowledgedAt is { } at)
            {
                return Outcome.Conflict($"The item was already acknowledged at {ItemRouter.Local(at)}.");
            }

            if (!ItemLifecycle.IsOpen(item.State))
            {
                return Outcome.Conflict($"The item is {item.State}; there is nothing left to acknowledge.");
            }

            if (item.AssignedToId != staff.UserId &&
                (await router.TakeOnAcknowledgementAsync(item, staff.AsActor(), now, ct)).Result == RoutingResult.Conflict)
            {
                return Concurrent;
            }

            item.AcknowledgedAt = now;
            item.AcknowledgedById = staff.UserId;
            item.UpdatedAt = now;
            await AuditLog.AppendAsync(db, item.SchoolId, staff.AsActor(), "acknowledged", now, item.Id,
                detail: "safeguarding item acknowledged; the time limit no longer moves it on", cancellationToken: ct);
            await Safeguarding.CaseCommands.AcknowledgeOpenCaseOfItemAsync(db, item.Id, staff, now, ct);
            return null;
        });

    private static readonly Outcome Concurrent =
        Outcome.Conflict("Someone else changed this item's assignment at the same moment; reload to see who has it.");

    private async Task<Outcome> ChangeAsync(Guid itemId, StaffMember staff, CancellationToken ct, Func<ModerationItem, DateTimeOffset, Task<Outcome?>> change)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var item = await db.Items.FirstOrDefaultAsync(i => i.Id == itemId && staff.SchoolIds.Contains(i.SchoolId), ct);
        if (item is null)
        {
            return Outcome.NotFound;
        }

        try
        {
            var refusal = await change(item, time.GetUtcNow());
            if (refusal is not null)
            {
                return refusal;
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Outcome.Done(item);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Concurrent;
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Concurrent;
        }
    }
}
