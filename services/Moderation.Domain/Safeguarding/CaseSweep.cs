using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Audit;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;

namespace Moderation.Domain.Safeguarding;

/// <summary>What one run of the acknowledgement sweep did.</summary>
public sealed record CaseSweepReport(int Reescalated, int Exhausted, int Conflicts)
{
    public override string ToString() => $"{Reescalated} case(s) re-escalated, {Exhausted} at the end of their chain, {Conflicts} conflict(s)";
}

/// <summary>
/// Moves every case that nobody acknowledged in time to the next step of its chain (<see cref="CaseChain"/>), with a new
/// time limit and a notification to everyone on that step. A case at the end of its chain stays with its last step,
/// who are told again. Each case is its own transaction; a case changed meanwhile is left alone.
/// </summary>
public sealed class CaseSweep(ModerationDbContext db, CaseCommands commands, TimeProvider time, ILogger<CaseSweep> logger)
{
    public async Task<CaseSweepReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.SafeguardingCases.AsNoTracking()
            .Where(c => c.Status == CaseStatus.Open && c.AckDueAt != null && c.AckDueAt <= now)
            .OrderBy(c => c.AckDueAt).Select(c => c.Id).Take(200).ToListAsync(ct);
        int moved = 0, exhausted = 0, conflicts = 0;
        foreach (var id in due)
        {
            db.ChangeTracker.Clear();
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var c = await db.SafeguardingCases.FirstAsync(x => x.Id == id, ct);
                if (c.Status != CaseStatus.Open || c.AckDueAt > now)
                {
                    continue;
                }

                if (await MoveOnAsync(c, now, ct))
                {
                    moved++;
                }
                else
                {
                    exhausted++;
                }

                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (Exception ex) when (RoutingSweep.IsConflict(ex))
            {
                logger.LogDebug(ex, "Case sweep: case {CaseId} changed under us", id);
                conflicts++;
            }
        }

        db.ChangeTracker.Clear();
        var report = new CaseSweepReport(moved, exhausted, conflicts);
        if (due.Count > 0)
        {
            logger.LogInformation("Safeguarding case sweep at {Now}: {Report}", now, report);
        }

        return report;
    }

    private async Task<bool> MoveOnAsync(SafeguardingCase c, DateTimeOffset now, CancellationToken ct)
    {
        // The chain is the one the case started on, so its step numbers keep their meaning.
        var (settings, schoolHours, people, steps) = await CaseRoute.LoadAsync(db, c, ct);
        var previous = c.OwnerId;
        var next = c.ChainStep + 1;
        var movesOn = next < steps.Count;
        if (movesOn)
        {
            c.ChainStep = next;
            c.OwnerId = steps[next].People[0];
        }

        c.AckDueAt = CaseChain.AckDueAt(now, c.Severity, settings, schoolHours) is var d && d > now ? d : now + settings.AcknowledgeWithin(c.Severity);
        var dueText = ItemRouter.Local(c.AckDueAt.Value);
        await AuditLog.AppendAsync(db, c.SchoolId, Actor.System(CaseCommands.Stage), movesOn ? "case-reescalated" : "case-ack-overdue", now, c.ItemId,
            detail: movesOn
                ? $"case {c.Id} not acknowledged by {people.NameOf(previous)} in time: to the {steps[next].Role}, {people.NameOf(c.OwnerId)}; acknowledge by {dueText}"
                : $"case {c.Id} still not acknowledged and nobody is left on its chain; {people.NameOf(c.OwnerId)} is told again; acknowledge by {dueText}",
            cancellationToken: ct);
        if (steps.Count > 0)
        {
            var step = steps[Math.Min(c.ChainStep, steps.Count - 1)];
            await commands.NotifyStepAsync(c, step, $"Safeguarding case not acknowledged: acknowledge by {dueText}",
                $"A safeguarding case ({CaseCommands.Describe(c.Category)}, {c.Severity.ToString().ToLowerInvariant()}) raised at {ItemRouter.Local(c.RaisedAt)} " +
                $"was not acknowledged in time and now comes to you as {step.Role}. Acknowledge it in the app by {dueText} (London time). Follow the school's safeguarding procedure.",
                now, ct);
        }

        return movesOn;
    }
}

public static class SafeguardingSetup
{
    /// <summary>Cases, their sweep and the retention purge, for the API and the worker.</summary>
    public static IHostApplicationBuilder AddModerationSafeguarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CaseCommands>();
        builder.Services.AddScoped<CaseSweep>();
        builder.Services.AddScoped<Retention.RetentionPurger>();
        return builder;
    }
}
