namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// Picks the owner of one item. The routes, in order:
/// <list type="bullet">
/// <item>Ordinary items: the people on duty in precedence order, skipping anyone who has had the item, is absent or
/// is at their cap (the item overflows to the next); then the escalation levels in order, caps ignored; then a last
/// resort.</item>
/// <item>Safeguarding items skip the rota: the DSLs, then the deputy DSLs, then the headteacher (the last escalation
/// level), then a last resort. They never go to an ordinary moderator or an intermediate escalation level.</item>
/// </list>
/// The last resort is the first person on the route (from the headteacher back) who is not absent, even if they have
/// had the item; failing that, the first at all. Anything past the rota's own people raises an alert, and no owner
/// at all is returned only with an alert.
/// </summary>
public static class AssignmentPlanner
{
    public static AssignmentDecision Choose(AssignmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.IsSafeguarding ? ChooseSafeguarding(request) : ChooseFromRota(request);
    }

    private static AssignmentDecision ChooseFromRota(AssignmentRequest request)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.EscalateFromLevel);
        if (request.EscalateFromLevel > 0)
        {
            return Escalate(request, request.EscalateFromLevel - 1, AlertReasons.RepeatLimitReached, null);
        }

        Guid? overflowFrom = null;
        bool anyOnDuty = false, anyAtCap = false;
        var seen = new HashSet<Guid>();
        foreach (var candidate in request.OnDuty)
        {
            if (!seen.Add(candidate.UserId) || request.Absent.Contains(candidate.UserId))
            {
                continue;
            }

            anyOnDuty = true;
            if (request.AlreadyTried.Contains(candidate.UserId))
            {
                continue;
            }

            if (candidate.Workload.AtCap)
            {
                anyAtCap = true;
                overflowFrom ??= candidate.UserId;
                continue;
            }

            var (reason, explanation) = (overflowFrom, candidate.CoveringFor) switch
            {
                ({ } full, { } absent) => (AssignmentReason.Overflow, $"overflow from {full}, who is at their cap; on duty as cover for {absent}"),
                ({ } full, null) => (AssignmentReason.Overflow, $"overflow from {full}, who is at their cap"),
                (null, { } absent) => (AssignmentReason.Cover, $"on duty as cover for {absent}"),
                _ => (AssignmentReason.OnDuty, "on duty"),
            };
            return new AssignmentDecision
            {
                UserId = candidate.UserId,
                Reason = reason,
                CoveringFor = candidate.CoveringFor,
                OverflowFrom = overflowFrom,
                Explanation = explanation,
            };
        }

        var cause = !anyOnDuty ? AlertReasons.NobodyOnDuty
            : anyAtCap ? AlertReasons.EveryoneAtCap
            : AlertReasons.EveryoneOnDutyTried;
        return Escalate(request, 0, cause, overflowFrom);
    }

    private static AssignmentDecision Escalate(AssignmentRequest request, int firstLevel, AlertReasons cause, Guid? overflowFrom)
    {
        var levels = request.Escalation.Levels;
        for (var level = firstLevel; level < levels.Count; level++)
        {
            if (FirstAvailable(levels[level], request) is { } user)
            {
                var last = level == levels.Count - 1;
                return new AssignmentDecision
                {
                    UserId = user,
                    Reason = AssignmentReason.Escalation,
                    EscalationLevel = level + 1,
                    OverflowFrom = overflowFrom,
                    Alerts = cause | (last ? AlertReasons.ReachedHeadteacher : AlertReasons.None),
                    Explanation = $"escalation level {level + 1}{(last ? " (headteacher)" : "")}: {Describe(cause)}",
                };
            }
        }

        var route = levels.Reverse().SelectMany(l => l).Concat(request.OnDuty.Select(c => c.UserId));
        return LastResort(route, request, cause, overflowFrom);
    }

    private static AssignmentDecision ChooseSafeguarding(AssignmentRequest request)
    {
        var leads = request.Safeguarding;
        if (FirstAvailable(leads.Dsls, request) is { } dsl)
        {
            return new AssignmentDecision { UserId = dsl, Reason = AssignmentReason.SafeguardingDsl, Explanation = "safeguarding: the DSL" };
        }

        if (FirstAvailable(leads.Deputies, request) is { } deputy)
        {
            return new AssignmentDecision { UserId = deputy, Reason = AssignmentReason.SafeguardingDeputy, Explanation = "safeguarding: a deputy DSL, no DSL available" };
        }

        var levels = request.Escalation.Levels;
        var headteachers = levels.Count > 0 ? levels[^1] : [];
        if (FirstAvailable(headteachers, request) is { } head)
        {
            return new AssignmentDecision
            {
                UserId = head,
                Reason = AssignmentReason.Escalation,
                EscalationLevel = levels.Count,
                Alerts = AlertReasons.SafeguardingLeadsUnavailable | AlertReasons.ReachedHeadteacher,
                Explanation = "safeguarding: the headteacher, no DSL or deputy available",
            };
        }

        return LastResort(headteachers.Concat(leads.Deputies).Concat(leads.Dsls), request, AlertReasons.SafeguardingLeadsUnavailable, null);
    }

    private static AssignmentDecision LastResort(IEnumerable<Guid> route, AssignmentRequest request, AlertReasons cause, Guid? overflowFrom)
    {
        var people = route.Distinct().ToList();
        var chosen = people.Where(p => !request.Absent.Contains(p)).Select(p => (Guid?)p).FirstOrDefault()
            ?? people.Select(p => (Guid?)p).FirstOrDefault();
        if (chosen is null)
        {
            return new AssignmentDecision
            {
                Reason = AssignmentReason.NoOwner,
                Alerts = cause | AlertReasons.NoOwner,
                Explanation = $"nobody can hold this item: {Describe(cause)}",
            };
        }

        return new AssignmentDecision
        {
            UserId = chosen,
            Reason = AssignmentReason.LastResort,
            OverflowFrom = overflowFrom,
            Alerts = cause | AlertReasons.RoutesExhausted,
            Explanation = $"every route tried or absent ({Describe(cause)}); held by {chosen} as a last resort",
        };
    }

    private static Guid? FirstAvailable(IEnumerable<Guid> people, AssignmentRequest request)
    {
        foreach (var person in people)
        {
            if (!request.AlreadyTried.Contains(person) && !request.Absent.Contains(person))
            {
                return person;
            }
        }

        return null;
    }

    private static string Describe(AlertReasons cause) => cause switch
    {
        AlertReasons.NobodyOnDuty => "nobody on duty",
        AlertReasons.EveryoneAtCap => "everyone on duty is at their cap",
        AlertReasons.EveryoneOnDutyTried => "everyone on duty has had it",
        AlertReasons.SafeguardingLeadsUnavailable => "no DSL or deputy available",
        AlertReasons.RepeatLimitReached => "overdue with the rota as often as the school allows",
        _ => cause.ToString(),
    };
}
