using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Queue;

public enum BulkVerb
{
    Approve,
    Reject,
}

/// <summary>What happened to one item of a bulk decision.</summary>
/// <param name="Done">True when the decision was recorded; otherwise <paramref name="Detail"/> says why not.</param>
public sealed record BulkItemResult(Guid ItemId, bool Done, string Detail);

public sealed record BulkResult(BulkVerb Verb, int Decided, int Refused, IReadOnlyList<BulkItemResult> Items);

/// <summary>
/// Approves or rejects several items that screened clear. The server checks every item again, whatever the page
/// showed, and each decision then goes through <see cref="ItemDecisions"/> exactly as a single decision does (its own
/// transaction, audit entry and outgoing message), guarded by the version read for the check, so an item that changed
/// in between is refused rather than decided on stale facts.
/// </summary>
public sealed class BulkDecisions(ModerationDbContext db, ItemDecisions decisions)
{
    public const int MaxItems = 100;

    /// <summary>Null with the reason when the request itself is bad (nothing is decided then).</summary>
    public static string? Validate(BulkVerb verb, IReadOnlyCollection<Guid> ids, RejectionReason? reason, string? note)
    {
        if (ids.Count == 0)
        {
            return "Choose at least one item.";
        }

        if (ids.Count > MaxItems)
        {
            return $"At most {MaxItems} items at once.";
        }

        if (verb == BulkVerb.Reject && reason is null)
        {
            return $"A rejection needs a reason: one of {string.Join(", ", Enum.GetNames<RejectionReason>())}.";
        }

        if (verb == BulkVerb.Reject && reason == RejectionReason.Other && string.IsNullOrWhiteSpace(note))
        {
            return "A rejection for reason 'Other' needs a note.";
        }

        return null;
    }

    public async Task<BulkResult> DecideAsync(StaffMember me, BulkVerb verb, IReadOnlyCollection<Guid> ids, RejectionReason? reason, string? note, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        var facts = await QueueClearance.FactsAsync(db, distinct, me.SchoolIds, ct);
        var results = new List<BulkItemResult>(distinct.Count);
        foreach (var id in distinct)
        {
            if (!facts.TryGetValue(id, out var f))
            {
                results.Add(new BulkItemResult(id, false, "No such item in your schools."));
                continue;
            }

            var refusals = QueueClearance.Refusals(f);
            if (refusals.Count > 0)
            {
                results.Add(new BulkItemResult(id, false, "Not screened clear: " + string.Join("; ", refusals) + ". Decide it on its own page."));
                continue;
            }

            var outcome = verb == BulkVerb.Approve
                ? await decisions.ApproveAsync(id, me, null, f.Version, ct)
                : await decisions.RejectAsync(id, me, reason!.Value, note, f.Version, ct);
            results.Add(outcome.Kind == OutcomeKind.Ok
                ? new BulkItemResult(id, true, verb == BulkVerb.Approve ? "Approved." : $"Rejected ({reason}).")
                : new BulkItemResult(id, false, outcome.Detail ?? outcome.Kind.ToString()));
        }

        return new BulkResult(verb, results.Count(r => r.Done), results.Count(r => !r.Done), results);
    }
}
