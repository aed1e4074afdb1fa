using Quartz;

namespace Moderation.Worker.Tests.Safeguarding;

/// <summary>The worker schedules the case sweep and the nightly retention purge on its clustered scheduler.</summary>
public sealed class SafeguardingJobsTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task The_worker_schedules_the_case_sweep_and_a_nightly_retention_purge_in_London_time()
    {
        // Arrange
        using var host = WorkerHost.CreateBuilder([]).Build();
        var scheduler = await host.Services.GetRequiredKeyedService<ISchedulerFactory>("moderation").GetScheduler();

        try
        {
            // Act
            var sweep = await scheduler.GetTrigger(new TriggerKey("case-sweep", "safeguarding"));
            var retention = await scheduler.GetTrigger(new TriggerKey("retention", "safeguarding"));
            var retentionJob = await scheduler.GetJobDetail(new JobKey("retention", "safeguarding"));

            // Assert
            sweep.Should().BeAssignableTo<ISimpleTrigger>().Which.RepeatInterval.Should().Be(TimeSpan.FromSeconds(30));
            var cron = retention.Should().BeAssignableTo<ICronTrigger>().Subject;
            cron.CronExpressionString.Should().Be("0 30 2 * * ?");
            cron.TimeZone.Id.Should().Be("Europe/London");
            retentionJob!.ConcurrentExecutionDisallowed.Should().BeTrue();
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }
}
