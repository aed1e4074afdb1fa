using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Retention;
using Quartz;

namespace Moderation.Worker.Safeguarding;

/// <summary>Settings of the safeguarding jobs (configuration section <c>Safeguarding</c>).</summary>
public sealed class SafeguardingJobOptions
{
    public const string Section = "Safeguarding";

    /// <summary>Whether this process re-escalates unacknowledged cases on a schedule (tests may call the sweep directly).</summary>
    public bool SweepEnabled { get; set; } = true;
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether this process runs the nightly retention purge.</summary>
    public bool RetentionEnabled { get; set; } = true;

    /// <summary>Quartz cron, in Europe/London time: 02:30 every night by default.</summary>
    public string RetentionCron { get; set; } = "0 30 2 * * ?";
}

/// <summary>Runs <see cref="CaseSweep"/> on the clustered scheduler, once at a time.</summary>
[DisallowConcurrentExecution]
internal sealed class CaseSweepJob(CaseSweep sweep) : IJob
{
    public static readonly JobKey Key = new("case-sweep", "safeguarding");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        context.Result = (await sweep.RunAsync(cancellationToken)).ToString();
}

/// <summary>Runs <see cref="RetentionPurger"/> nightly; administrators can trigger it on demand by its key.</summary>
[DisallowConcurrentExecution]
internal sealed class RetentionJob(RetentionPurger purger) : IJob
{
    public static readonly JobKey Key = new("retention", "safeguarding");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        context.Result = (await purger.RunAsync(cancellationToken)).ToString();
}

public static class SafeguardingJobs
{
    /// <summary>Adds the case sweep and the retention purge to the worker's clustered scheduler.</summary>
    public static void Schedule(IQuartzBuilder q, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(q);
        var options = configuration.GetSection(SafeguardingJobOptions.Section).Get<SafeguardingJobOptions>() ?? new SafeguardingJobOptions();
        if (options.SweepEnabled)
        {
            q.ScheduleJob<CaseSweepJob>(
                trigger => trigger.WithIdentity("case-sweep", "safeguarding").StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(options.SweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(CaseSweepJob.Key).WithDescription("Re-escalates safeguarding cases nobody acknowledged in time"));
        }

        if (options.RetentionEnabled)
        {
            q.ScheduleJob<RetentionJob>(
                trigger => trigger.WithIdentity("retention", "safeguarding")
                    .WithCronSchedule(options.RetentionCron, c => c.InTimeZone(TimeZoneInfo.FindSystemTimeZoneById("Europe/London")).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                job => job.WithIdentity(RetentionJob.Key).WithDescription("Deletes what has passed its retention period, except under legal hold"));
        }
    }
}
