using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Quartz;

namespace Moderation.Worker.Platforms;

/// <summary>Polls one account. One job per account on the clustered scheduler: never two polls of one account at once.</summary>
[DisallowConcurrentExecution]
internal sealed class AccountPollJob(AccountPoller poller) : IJob
{
    public const string Group = "platform-poll";
    public const string AccountIdKey = "accountId";

    public static JobKey KeyFor(Guid accountId) => new(accountId.ToString(), Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var accountId = Guid.Parse(context.MergedJobDataMap.GetString(AccountIdKey)!);
        var report = await poller.PollAsync(accountId, cancellationToken);
        context.Result = report.ToString();
    }
}

/// <summary>
/// Keeps one polling job per connected, pollable account, at the account's interval, and removes the jobs of accounts
/// that were disconnected. Runs on the clustered scheduler, so the jobs are shared by every worker replica.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class PollScheduleJob(ModerationDbContext db, PlatformConnectors connectors, IOptions<PlatformOptions> options) : IJob
{
    public static readonly JobKey Key = new("poll-schedule", AccountPollJob.Group + "-schedule");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var scheduler = context.Scheduler;
        var accounts = await db.SocialAccounts.AsNoTracking()
            .Where(a => a.ConnectionStatus == ConnectionStatus.Connected)
            .Select(a => new { a.Id, a.Platform, a.PollIntervalSeconds })
            .ToListAsync(cancellationToken);
        var wanted = accounts
            .Where(a => connectors.CapabilitiesOf(a.Platform).HasFlag(PlatformCapabilities.Poll))
            .ToDictionary(a => AccountPollJob.KeyFor(a.Id), a => a.PollIntervalSeconds is { } s ? TimeSpan.FromSeconds(s) : options.Value.DefaultPollInterval);
        int added = 0, changed = 0, removed = 0;
        foreach (var key in await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(AccountPollJob.Group), cancellationToken))
        {
            if (!wanted.ContainsKey(key))
            {
                await scheduler.DeleteJob(key, cancellationToken);
                removed++;
            }
        }

        foreach (var (key, interval) in wanted)
        {
            var triggerKey = new TriggerKey(key.Name, AccountPollJob.Group);
            var existing = await scheduler.GetTrigger(triggerKey, cancellationToken) as ISimpleTrigger;
            if (existing is not null && existing.RepeatInterval == interval)
            {
                continue;
            }

            var job = JobBuilder.Create<AccountPollJob>().WithIdentity(key).UsingJobData(AccountPollJob.AccountIdKey, key.Name).StoreDurably().Build();
            var trigger = TriggerBuilder.Create().WithIdentity(triggerKey).ForJob(key).StartNow()
                .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                .Build();
            await scheduler.ScheduleJob(job, trigger, new ScheduleJobOptions { Replace = true }, cancellationToken);
            if (existing is null)
            {
                added++;
            }
            else
            {
                changed++;
            }
        }

        context.Result = $"{wanted.Count} account(s) polled: {added} added, {changed} changed, {removed} removed";
    }
}
