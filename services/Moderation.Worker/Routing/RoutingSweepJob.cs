using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Quartz;

namespace Moderation.Worker.Routing;

/// <summary>
/// Runs <see cref="RoutingSweep"/> on the clustered scheduler: one worker replica at a time, never two runs at once.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class RoutingSweepJob(RoutingSweep sweep) : IJob
{
    public static readonly JobKey Key = new("routing-sweep", "routing");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var report = await sweep.RunAsync(cancellationToken);
        context.Result = report.ToString();
    }
}

public static class RoutingSweepSetup
{
    /// <summary>
    /// Quartz with its job store in the moderation database (tables from migration <c>QuartzJobStore</c>), clustered
    /// so that every worker replica can run the sweep and the platform polls, and each run happens once.
    /// </summary>
    public static HostApplicationBuilder AddRoutingSweep(this HostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RoutingOptions.Section).Get<RoutingOptions>() ?? new RoutingOptions();
        var platforms = builder.Configuration.GetSection(PlatformOptions.Section).Get<PlatformOptions>() ?? new PlatformOptions();
        var connectionString = builder.Configuration.GetConnectionString(PersistenceSetup.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{PersistenceSetup.ConnectionName} is not set.");
        builder.AddQuartz("moderation", q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
            });
            if (options.SweepEnabled)
            {
                q.ScheduleJob<RoutingSweepJob>(
                    trigger => trigger.WithIdentity("routing-sweep", "routing")
                        .StartNow()
                        .WithSimpleSchedule(s => s.WithInterval(options.SweepInterval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                    job => job.WithIdentity(RoutingSweepJob.Key).WithDescription("Releases expired claims and hands overdue items on"));
            }

            if (platforms.PollingEnabled)
            {
                q.ScheduleJob<Platforms.PollScheduleJob>(
                    trigger => trigger.WithIdentity("poll-schedule", "platform-poll-schedule")
                        .StartNow()
                        .WithSimpleSchedule(s => s.WithInterval(platforms.PollScheduleRefresh).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                    job => job.WithIdentity(Platforms.PollScheduleJob.Key).WithDescription("Keeps one polling job per connected account"));
            }
            Safeguarding.SafeguardingJobs.Schedule(q, builder.Configuration);
            Consent.ConsentReconciliationJobs.Schedule(q, builder.Configuration);
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }
}
