using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Contracts;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Persistence;
using Moderation.Domain.Screening;
using Quartz;

namespace Moderation.Worker.Consent;

/// <summary>
/// The nightly reconciliation on the clustered scheduler, so one worker of many runs it: for each school, the CSV
/// files dropped in its folder (oldest first, each its own run), or else a run against the current consent list, which
/// is how expiry at the end of the academic year is noticed. Runs a dead worker left are resumed first.
/// </summary>
[DisallowConcurrentExecution]
internal sealed class ConsentReconciliationJob(ConsentReconciliationSweep sweep) : IJob
{
    public static readonly JobKey Key = new("consent-reconciliation", "consent");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        context.Result = await sweep.RunAsync(cancellationToken);
}

public sealed class ConsentReconciliationSweep(
    ModerationDbContext db, ConsentReconciler reconciler, IOptions<ReconciliationOptions> options, ILogger<ConsentReconciliationSweep> logger)
{
    public const string Processed = "processed";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var runs = 0;
        foreach (var abandoned in await reconciler.AbandonedAsync(ct))
        {
            runs += await reconciler.ExecuteAsync(abandoned, ct) ? 1 : 0;
        }

        var schools = await db.Schools.AsNoTracking().OrderBy(s => s.Slug).Select(s => new { s.Id, s.Slug }).ToListAsync(ct);
        foreach (var school in schools)
        {
            var files = DroppedFiles(school.Slug);
            if (files.Count == 0)
            {
                runs += await StartAndRunAsync(school.Id, ReconciliationTrigger.Schedule, "the current consent list", null, ct) ? 1 : 0;
                continue;
            }

            foreach (var file in files)
            {
                var csv = await File.ReadAllTextAsync(file, ct);
                var started = await StartAndRunAsync(school.Id, ReconciliationTrigger.File, $"drop folder: {Path.GetFileName(file)}", csv, ct);
                if (started)
                {
                    var done = Path.Combine(Path.GetDirectoryName(file)!, Processed);
                    Directory.CreateDirectory(done);
                    File.Move(file, Path.Combine(done, Path.GetFileName(file)), overwrite: true);
                    runs++;
                }
            }
        }

        return runs;
    }

    private async Task<bool> StartAndRunAsync(Guid schoolId, ReconciliationTrigger trigger, string source, string? csv, CancellationToken ct)
    {
        var (outcome, run) = await reconciler.StartAsync(schoolId, trigger, source, "system:consent-reconciliation", csv, ct);
        if (outcome == StartOutcome.AlreadyActive)
        {
            logger.LogInformation("School {SchoolId} already has reconciliation run {RunId} active", schoolId, run.Id);
            return false;
        }

        await reconciler.ExecuteAsync(run.Id, ct);
        return true;
    }

    /// <summary>The school's dropped CSVs, oldest first: <c>{DropFolder}/{slug}/*.csv</c>.</summary>
    private List<string> DroppedFiles(string slug)
    {
        if (string.IsNullOrWhiteSpace(options.Value.DropFolder))
        {
            return [];
        }

        var folder = Path.Combine(options.Value.DropFolder, slug);
        return Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*.csv").OrderBy(File.GetLastWriteTimeUtc).ThenBy(f => f, StringComparer.Ordinal)]
            : [];
    }
}

/// <summary>Carries out a run an administrator started from the API.</summary>
public sealed class ConsentReconciliationConsumer(ConsentReconciler reconciler) : IConsumer<ConsentReconciliationRequested>
{
    public async Task Consume(ConsumeContext<ConsentReconciliationRequested> context) =>
        await reconciler.ExecuteAsync(context.Message.RunId, context.CancellationToken);
}

public sealed class ConsentReconciliationConsumerDefinition : ConsumerDefinition<ConsentReconciliationConsumer>
{
    public ConsentReconciliationConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ConsentReconciliationConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Interval(3, TimeSpan.FromSeconds(10)));
}

public static class ConsentReconciliationJobs
{
    public static readonly TriggerKey TriggerKey = new("consent-reconciliation", "consent");

    /// <summary>Adds the nightly reconciliation to the worker's clustered scheduler.</summary>
    public static void Schedule(IQuartzBuilder q, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(q);
        var options = configuration.GetSection(ReconciliationOptions.Section).Get<ReconciliationOptions>() ?? new ReconciliationOptions();
        if (options.Enabled)
        {
            q.ScheduleJob<ConsentReconciliationJob>(
                trigger => trigger.WithIdentity(TriggerKey).WithSchedule(Nightly(options.Cron)),
                job => job.WithIdentity(ConsentReconciliationJob.Key).WithDescription("Keeps queued and published photos in line with the latest consent list"));
        }
    }

    /// <summary>
    /// The nightly trigger: the cron in UK time, and a fire missed while every worker was down runs once at start-up
    /// (not once per missed night).
    /// </summary>
    public static CronScheduleBuilder Nightly(string cron) =>
        CronScheduleBuilder.Create(cron).InTimeZone(ItemChannels.SchoolTimeZone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed);
}
