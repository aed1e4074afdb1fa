using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Moderation.Domain.Audit;
using Moderation.Domain.Consent;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Items;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Testing;
using Moderation.Worker.Consent;
using Quartz;

namespace Moderation.Worker.Tests.Consent;

/// <summary>Nightly consent reconciliation against the real database: the diff, the takedowns and the re-screens.</summary>
public sealed class ConsentReconciliationTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private const string Header = "MIS id,Legal forename,Surname,Year group,Social media,Website,Restriction,Effective from,Expires on";

    [Fact]
    public async Task A_withdrawal_takes_a_published_post_down_once_and_a_second_run_changes_nothing()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        await world.RunAsync($"{Header}\nRC-W1,Amy,Pond,Year 4,granted,granted,,2026-09-01,");
        var facebook = await world.PublishAsync("Sports day!", "RC-W1", Platform.Facebook, Platform.Instagram);

        // Act
        var withdrawn = await world.RunAsync($"{Header}\nRC-W1,Amy,Pond,Year 4,objected,granted,,2026-09-01,");
        var again = await world.RunAsync(null);

        // Assert
        withdrawn.Status.Should().Be(ReconciliationStatus.Succeeded);
        withdrawn.Withdrawn.Should().Be(1);
        withdrawn.TakenDown.Should().Be(1);
        withdrawn.NeedsHuman.Should().BeGreaterThanOrEqualTo(1, "Instagram cannot take the school's own post down: a person deletes it");
        await using var db = Fixture.Db();
        var takedowns = await db.PlatformActions.Where(a => a.ItemId == facebook && a.Purpose == ActionPurpose.Takedown).ToListAsync();
        takedowns.Should().HaveCount(2);
        takedowns.Should().ContainSingle(a => a.Action == PlatformAction.Hide && a.Status == ActionStatus.Pending);
        takedowns.Should().ContainSingle(a => a.Status == ActionStatus.Failed && a.LastError!.StartsWith("needs a human"));
        var report = JsonSerializer.Deserialize<ReconciliationReport>(withdrawn.Report!, ScreeningJson.Options)!;
        report.TakenDown.Should().ContainSingle().Which.Reason.Should().StartWith("consent withdrawn");
        (await db.Notifications.CountAsync(n => n.ItemId == facebook && n.Title.StartsWith("Consent withdrawn"))).Should().BeGreaterThan(0);
        (await db.Notifications.CountAsync(n => n.Title == "Consent reconciliation report")).Should().BeGreaterThan(0);
        again.Status.Should().Be(ReconciliationStatus.Succeeded);
        (again.Added + again.Withdrawn + again.Restricted + again.Expired + again.TakenDown + again.Rescreened).Should().Be(0);
        (await db.PlatformActions.CountAsync(a => a.Purpose == ActionPurpose.Takedown)).Should().Be(2);
    }

    [Fact]
    public async Task A_run_that_dies_mid_way_resumes_from_its_checkpoint_and_takes_nothing_down_twice()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), batchSize: 1);
        await world.RunAsync($"{Header}\nRC-C1,Rory,Williams,Year 5,granted,granted,,2026-09-01,");
        var posts = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            posts.Add(await world.PublishAsync($"Trip {i}", "RC-C1", Platform.Facebook));
        }

        var (_, run) = await world.StartAsync($"{Header}\nRC-C1,Rory,Williams,Year 5,objected,granted,,2026-09-01,");

        // Act: the first worker dies after one batch, holding its lease; a second resumes once the lease has run out.
        using (var scope = world.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ConsentReconciler>().ExecuteAsync(run.Id, CancellationToken.None, stopAfterBatches: 2);
        }

        int before;
        await using (var db = Fixture.Db())
        {
            before = await db.PlatformActions.CountAsync(a => a.Purpose == ActionPurpose.Takedown);
        }

        bool tooEarly;
        using (var scope = world.Services.CreateScope())
        {
            tooEarly = await scope.ServiceProvider.GetRequiredService<ConsentReconciler>().ExecuteAsync(run.Id, CancellationToken.None);
        }

        world.Clock.Advance(TimeSpan.FromMinutes(6));
        using (var scope = world.Services.CreateScope())
        {
            var reconciler = scope.ServiceProvider.GetRequiredService<ConsentReconciler>();
            (await reconciler.AbandonedAsync(CancellationToken.None)).Should().Contain(run.Id);
            await reconciler.ExecuteAsync(run.Id, CancellationToken.None);
        }

        // Assert
        tooEarly.Should().BeFalse("the first worker's lease has not run out");
        before.Should().BeInRange(1, 2);
        await using var check = Fixture.Db();
        var done = await check.ConsentReconciliationRuns.SingleAsync(r => r.Id == run.Id);
        done.Status.Should().Be(ReconciliationStatus.Succeeded);
        done.TakenDown.Should().Be(3);
        var perItem = await check.PlatformActions.Where(a => a.Purpose == ActionPurpose.Takedown).GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
        perItem.Should().HaveCount(3).And.OnlyContain(n => n == 1);
    }

    [Fact]
    public async Task A_run_in_several_batches_keeps_the_audit_chain_whole_writes_one_message_per_effect_and_links_each_post_to_delete_by_hand()
    {
        // Arrange: batches of two, so the three posts and three drafts each take two batches.
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), batchSize: 2);
        await world.RunAsync($"{Header}\nRC-B1,Donna,Noble,Year 5,granted,granted,,2026-09-01,");
        var posts = new List<Guid>();
        var drafts = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            posts.Add(await world.PublishAsync($"Choir concert {i}", "RC-B1", Platform.Facebook, Platform.Instagram));
            drafts.Add(await world.AddItemAsync($"Draft: art week {i}", "RC-B1", ItemState.AwaitingReview));
        }

        // Act
        var run = await world.RunAsync($"{Header}\nRC-B1,Donna,Noble,Year 5,objected,granted,,2026-09-01,");

        // Assert
        run.Status.Should().Be(ReconciliationStatus.Succeeded);
        (run.Rescreened, run.TakenDown, run.NeedsHuman).Should().Be((3, 3, 3));
        await using var db = Fixture.Db();
        (await AuditLog.VerifyAsync(db, world.School.Id, CancellationToken.None)).Intact.Should().BeTrue();
        var audit = await db.AuditEntries.Where(e => e.ChainId == world.School.Id).ToListAsync();
        audit.Where(e => e.Action == "consent-takedown").Select(e => e.ItemId!.Value).Should().BeEquivalentTo(posts.Concat(posts), "one entry per post and account");
        audit.Where(e => e.Action == "rescreen-consent-changed").Should().HaveCount(3)
            .And.OnlyContain(e => drafts.Contains(e.ItemId!.Value) && e.FromState == "AwaitingReview" && e.ToState == "Screening");
        (await db.Items.Where(i => drafts.Contains(i.Id)).Select(i => i.State).ToListAsync()).Should().OnlyContain(s => s == ItemState.Screening);

        var now = world.Clock.GetUtcNow();
        var takedowns = await db.PlatformActions.AsNoTracking().Where(a => a.Purpose == ActionPurpose.Takedown).ToListAsync();
        var started = takedowns.Where(a => a.Status == ActionStatus.Pending).ToList();
        started.Should().HaveCount(3);
        var messages = await db.Outbox.AsNoTracking().Where(o => o.CreatedAt == now).ToListAsync();
        messages.Where(o => o.Type == typeof(Moderation.Contracts.PlatformActionRequested).FullName)
            .Select(o => JsonSerializer.Deserialize<Moderation.Contracts.PlatformActionRequested>(o.Payload, Outbox.s_json))
            .Should().BeEquivalentTo(started.Select(a => new Moderation.Contracts.PlatformActionRequested(a.Id, a.ItemId, a.SchoolId)));
        messages.Where(o => o.Type == typeof(Moderation.Contracts.ItemReceived).FullName)
            .Select(o => JsonSerializer.Deserialize<Moderation.Contracts.ItemReceived>(o.Payload, Outbox.s_json))
            .Should().BeEquivalentTo(drafts.Select(d => new Moderation.Contracts.ItemReceived(d, world.School.Id, "OutboundDraft", now)));
        messages.Should().OnlyContain(o => o.DueAt == now && o.SentAt == null && o.Attempts == 0);

        var instagramAccount = await db.SocialAccounts.Where(a => a.SchoolId == world.School.Id && a.Platform == Platform.Instagram).Select(a => a.Id).FirstAsync();
        var instagram = await db.PlatformActions.AsNoTracking()
            .Where(a => posts.Contains(a.ItemId) && a.Purpose == ActionPurpose.Decision && a.SocialAccountId == instagramAccount)
            .ToDictionaryAsync(a => a.ItemId, a => a.ResultUrl);
        var report = JsonSerializer.Deserialize<ReconciliationReport>(run.Report!, ScreeningJson.Options)!;
        report.NeedsHuman.Should().HaveCount(3).And.OnlyContain(h =>
            h.What.StartsWith("delete by hand: the post on Instagram") && h.Link == instagram[h.ItemId!.Value] && h.What.Contains(h.Link!));
        takedowns.Where(a => a.Status == ActionStatus.Failed).Should().OnlyContain(a => a.LastError!.Contains(instagram[a.ItemId]!));
    }

    [Fact]
    public async Task A_run_left_done_but_still_running_is_finished_when_resumed_and_not_left_blocking_the_school()
    {
        // Arrange: a run that died after its last takedown batch and before its end, as the per-item version could leave one.
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        await world.RunAsync($"{Header}\nRC-D1,Rose,Tyler,Year 4,granted,granted,,2026-09-01,");
        var post = await world.PublishAsync("Harvest festival", "RC-D1", Platform.Facebook);
        var (_, run) = await world.StartAsync($"{Header}\nRC-D1,Rose,Tyler,Year 4,objected,granted,,2026-09-01,");
        using (var scope = world.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ConsentReconciler>().ExecuteAsync(run.Id, CancellationToken.None, stopAfterBatches: 1);
        }

        await using (var db = Fixture.Db())
        {
            await db.ConsentReconciliationRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Phase, ReconciliationPhase.Done).SetProperty(r => r.LeaseUntil, world.Clock.GetUtcNow()));
        }

        world.Clock.Advance(TimeSpan.FromMinutes(1));

        // Act
        using (var scope = world.Services.CreateScope())
        {
            var reconciler = scope.ServiceProvider.GetRequiredService<ConsentReconciler>();
            (await reconciler.AbandonedAsync(CancellationToken.None)).Should().Contain(run.Id);
            await reconciler.ExecuteAsync(run.Id, CancellationToken.None);
        }

        // Assert
        await using var check = Fixture.Db();
        var done = await check.ConsentReconciliationRuns.SingleAsync(r => r.Id == run.Id);
        done.Status.Should().Be(ReconciliationStatus.Succeeded);
        done.TakenDown.Should().Be(1);
        (await check.PlatformActions.CountAsync(a => a.ItemId == post && a.Purpose == ActionPurpose.Takedown)).Should().Be(1);
        (await world.StartAsync(null)).Item1.Should().Be(StartOutcome.Started, "the school is free for its next run");
    }

    [Fact]
    public async Task Two_workers_starting_together_make_one_run()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));

        // Act
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var scope = world.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ConsentReconciliationSweep>().RunAsync(CancellationToken.None);
        }));

        // Assert
        await using var db = Fixture.Db();
        var fleming = await db.Schools.SingleAsync(s => s.Slug == "fleming-primary");
        (await db.ConsentReconciliationRuns.CountAsync(r => r.SchoolId == fleming.Id)).Should().BeInRange(1, 2);
        (await db.ConsentReconciliationRuns.CountAsync(r => r.Status == ReconciliationStatus.Running || r.Status == ReconciliationStatus.Queued)).Should().Be(0);
        outcomes.Sum().Should().BeGreaterThan(0);

        // Two starts at the same moment: the unique index lets one through.
        var starts = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            using var scope = world.Services.CreateScope();
            return (await scope.ServiceProvider.GetRequiredService<ConsentReconciler>()
                .StartAsync(fleming.Id, ReconciliationTrigger.Schedule, "test", "test", null, CancellationToken.None)).Outcome;
        }));
        starts.Should().BeEquivalentTo([StartOutcome.Started, StartOutcome.AlreadyActive]);
    }

    [Fact]
    public async Task Consent_that_expires_at_the_end_of_the_academic_year_takes_the_post_down_the_next_day_in_an_opt_in_school()
    {
        // Arrange: St Mary's is opt-in, so an expired consent is no consent.
        await using var world = await World.StartAsync(Fixture, "st-marys-ce", new DateTimeOffset(2027, 7, 31, 1, 0, 0, TimeSpan.Zero));
        await world.RunAsync($"{Header}\nRC-E1,Clara,Oswald,Year 6,granted,granted,,2026-09-01,2027-07-31");
        var post = await world.PublishAsync("Leavers' assembly", "RC-E1", Platform.Facebook);
        var lastDay = await world.RunAsync(null);

        // Act: 02:00 on 1 August, UK time.
        world.Clock.Advance(TimeSpan.FromDays(1));
        var nextDay = await world.RunAsync(null);

        // Assert
        JsonSerializer.Deserialize<ReconciliationReport>(lastDay.Report!, ScreeningJson.Options)!.Changes.Should().NotContain(c => c.MisId == "RC-E1");
        lastDay.TakenDown.Should().Be(0);
        var changes = JsonSerializer.Deserialize<ReconciliationReport>(nextDay.Report!, ScreeningJson.Options)!.Changes.Where(c => c.MisId == "RC-E1").ToList();
        changes.Should().HaveCount(2).And.OnlyContain(c => c.Change == "expired", "social media and website both lapsed on 31 July");
        nextDay.TakenDown.Should().Be(1);
        await using var db = Fixture.Db();
        (await db.PlatformActions.SingleAsync(a => a.ItemId == post && a.Purpose == ActionPurpose.Takedown)).Action.Should().Be(PlatformAction.Hide);
    }

    [Fact]
    public async Task A_no_name_with_photo_restriction_takes_down_the_published_post_whose_caption_names_the_pupil()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), deletePolicy: true);
        await world.RunAsync($"{Header}\nRC-R1,Martha,Jones,Year 3,granted,granted,,2026-09-01,");
        var naming = await world.PublishAsync("Well done Martha Jones in the relay!", "RC-R1", Platform.Facebook);
        var silent = await world.PublishAsync("Well done to our relay team!", "RC-R1", Platform.Facebook);

        // Act
        var run = await world.RunAsync($"{Header}\nRC-R1,Martha,Jones,Year 3,restricted,granted,no name with photo,2026-09-01,");

        // Assert
        run.Restricted.Should().Be(1);
        await using var db = Fixture.Db();
        var takedown = await db.PlatformActions.SingleAsync(a => a.Purpose == ActionPurpose.Takedown);
        takedown.ItemId.Should().Be(naming);
        takedown.Action.Should().Be(PlatformAction.Delete, "the school's policy is to delete");
        (await db.PlatformActions.AnyAsync(a => a.ItemId == silent && a.Purpose == ActionPurpose.Takedown)).Should().BeFalse();
    }

    [Fact]
    public async Task A_bad_file_applies_nothing_and_the_report_lists_its_errors_by_row()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));

        // Act
        var run = await world.RunAsync($"{Header}\nRC-B1,Donna,Noble,Year 2,granted,granted,,2026-09-01,\nRC-B2,,Noble,Year 2,maybe,granted,,2026-13-01,");

        // Assert
        run.Status.Should().Be(ReconciliationStatus.Rejected);
        var errors = JsonSerializer.Deserialize<List<RosterError>>(run.Errors!, ScreeningJson.Options)!;
        errors.Should().ContainSingle().Which.Line.Should().Be(3);
        errors[0].Message.Should().Contain("legal forename is empty").And.Contain("maybe");
        await using var db = Fixture.Db();
        (await db.Pupils.AnyAsync(p => p.MisId == "RC-B1")).Should().BeFalse();
        (await db.ConsentSnapshot.AnyAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task A_pending_item_with_an_affected_pupil_goes_back_to_screening()
    {
        // Arrange
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        await world.RunAsync($"{Header}\nRC-P1,River,Song,Year 6,granted,granted,,2026-09-01,");
        var pending = await world.AddItemAsync("Draft: science week", "RC-P1", ItemState.AwaitingReview);

        // Act
        var run = await world.RunAsync($"{Header}\nRC-P1,River,Song,Year 6,objected,granted,,2026-09-01,");

        // Assert
        run.Rescreened.Should().Be(1);
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == pending)).State.Should().Be(ItemState.Screening);
        (await db.Outbox.Where(o => o.Type == typeof(Moderation.Contracts.ItemReceived).FullName).Select(o => o.Payload).ToListAsync())
            .Count(p => p.Contains(pending.ToString(), StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public async Task A_file_dropped_in_the_schools_folder_is_applied_by_the_nightly_job_and_moved_aside()
    {
        // Arrange
        var folder = Path.Combine(Path.GetTempPath(), $"consent-drop-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(folder, "fleming-primary"));
        await File.WriteAllTextAsync(Path.Combine(folder, "fleming-primary", "export.csv"), $"{Header}\nRC-D1,Jack,Harkness,Year 6,granted,granted,,2026-09-01,");
        await using var world = await World.StartAsync(Fixture, "fleming-primary", new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), dropFolder: folder);

        try
        {
            // Act
            using (var scope = world.Services.CreateScope())
            {
                await scope.ServiceProvider.GetRequiredService<ConsentReconciliationSweep>().RunAsync(CancellationToken.None);
            }

            // Assert
            await using var db = Fixture.Db();
            var run = await db.ConsentReconciliationRuns.SingleAsync(r => r.SchoolId == world.School.Id);
            run.Trigger.Should().Be(ReconciliationTrigger.File);
            run.Source.Should().Be("drop folder: export.csv");
            run.Status.Should().Be(ReconciliationStatus.Succeeded);
            (await db.Pupils.AnyAsync(p => p.MisId == "RC-D1")).Should().BeTrue();
            File.Exists(Path.Combine(folder, "fleming-primary", "processed", "export.csv")).Should().BeTrue();
            File.Exists(Path.Combine(folder, "fleming-primary", "export.csv")).Should().BeFalse();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_nightly_trigger_fires_at_two_in_London_time_winter_and_summer_and_a_missed_fire_runs_once()
    {
        // Arrange
        var trigger = (ICronTrigger)TriggerBuilder.Create().WithSchedule(ConsentReconciliationJobs.Nightly("0 0 2 * * ?"))
            .StartAt(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)).Build();

        // Act
        var winter = trigger.GetFireTimeAfter(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var summer = trigger.GetFireTimeAfter(new DateTimeOffset(2027, 7, 1, 12, 0, 0, TimeSpan.Zero));
        var missedWhileDown = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
        var nightsMissed = 0;
        for (var t = trigger.GetFireTimeAfter(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)); t < missedWhileDown; t = trigger.GetFireTimeAfter(t))
        {
            nightsMissed++;
        }

        // Assert
        winter.Should().Be(new DateTimeOffset(2026, 12, 2, 2, 0, 0, TimeSpan.Zero));
        summer.Should().Be(new DateTimeOffset(2027, 7, 2, 1, 0, 0, TimeSpan.Zero));
        nightsMissed.Should().Be(4);
        trigger.MisfireInstruction.Should().Be(CronTriggerMisfireInstruction.FireAndProceed, "missed nights run once at start-up, not once each");
        trigger.TimeZone.Id.Should().Be("Europe/London");
    }

    [Fact]
    public async Task The_worker_schedules_the_reconciliation_nightly_on_its_clustered_scheduler()
    {
        // Arrange
        using var host = WorkerHost.CreateBuilder([]).Build();
        var scheduler = await host.Services.GetRequiredKeyedService<ISchedulerFactory>("moderation").GetScheduler();

        try
        {
            // Act
            var trigger = await scheduler.GetTrigger(ConsentReconciliationJobs.TriggerKey);
            var job = await scheduler.GetJobDetail(new JobKey("consent-reconciliation", "consent"));

            // Assert
            var cron = trigger.Should().BeAssignableTo<ICronTrigger>().Subject;
            cron.CronExpressionString.Should().Be("0 0 2 * * ?");
            cron.TimeZone.Id.Should().Be("Europe/London");
            cron.MisfireInstruction.Should().Be(CronTriggerMisfireInstruction.FireAndProceed);
            job!.ConcurrentExecutionDisallowed.Should().BeTrue();
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }

    /// <summary>A school, a hand-moved clock and the reconciler, with helpers to publish posts that tag a pupil.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly WorkerFixture _fixture;

        private World(IHost host, WorkerFixture fixture, School school, ManualTimeProvider clock)
        {
            _host = host;
            _fixture = fixture;
            School = school;
            Clock = clock;
        }

        public School School { get; }
        public ManualTimeProvider Clock { get; }
        public IServiceProvider Services => _host.Services;

        public static async Task<World> StartAsync(WorkerFixture fixture, string slug, DateTimeOffset now, int batchSize = 500, bool deletePolicy = false, string? dropFolder = null)
        {
            var clock = new ManualTimeProvider(now);
            var builder = Host.CreateApplicationBuilder();
            builder.AddModerationPersistence();
            builder.AddModerationNotifications();
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Services.AddScoped<ConsentReconciliationSweep>();
            builder.Services.Configure<ReconciliationOptions>(o =>
            {
                o.BatchSize = batchSize;
                o.DropFolder = dropFolder;
            });
            var host = builder.Build();
            await using var db = fixture.Db();

            // Pupils are reference data the reset keeps: these tests' own pupils go before each test.
            await db.Database.ExecuteSqlRawAsync("DELETE FROM pupils WHERE mis_id LIKE 'RC-%'");
            await db.Schools.Where(s => s.Slug == slug).ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsentTakedownAction, deletePolicy ? PlatformAction.Delete : PlatformAction.Hide));
            var school = await db.Schools.AsNoTracking().SingleAsync(s => s.Slug == slug);
            return new World(host, fixture, school, clock);
        }

        public async Task<(StartOutcome, ConsentReconciliationRun)> StartAsync(string? csv)
        {
            using var scope = _host.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ConsentReconciler>()
                .StartAsync(School.Id, csv is null ? ReconciliationTrigger.Schedule : ReconciliationTrigger.OnDemand, csv is null ? "the current consent list" : "test upload", "test", csv, CancellationToken.None);
        }

        public async Task<ConsentReconciliationRun> RunAsync(string? csv)
        {
            var (outcome, run) = await StartAsync(csv);
            outcome.Should().Be(StartOutcome.Started);
            using (var scope = _host.Services.CreateScope())
            {
                await scope.ServiceProvider.GetRequiredService<ConsentReconciler>().ExecuteAsync(run.Id, CancellationToken.None);
            }

            await using var db = _fixture.Db();
            return await db.ConsentReconciliationRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id);
        }

        /// <summary>A staff post with a photo tagging the pupil by MIS id, published to an account on each platform.</summary>
        public async Task<Guid> PublishAsync(string text, string misId, params Platform[] platforms)
        {
            var id = await AddItemAsync(text, misId, ItemState.Actioned);
            await using var db = _fixture.Db();
            var now = Clock.GetUtcNow();
            foreach (var platform in platforms)
            {
                var account = await db.SocialAccounts.FirstAsync(a => a.SchoolId == School.Id && a.Platform == platform);
                db.Add(new DraftTarget { ItemId = id, SocialAccountId = account.Id });
                db.PlatformActions.Add(new PlatformActionRecord
                {
                    Id = Guid.CreateVersion7(), ItemId = id, SchoolId = School.Id, SocialAccountId = account.Id, Action = PlatformAction.Publish,
                    Purpose = ActionPurpose.Decision, Status = ActionStatus.Done, CreatedAt = now, NextAttemptAt = now, CompletedAt = now,
                    ResultPlatformId = $"post-{id:N}", ResultUrl = $"https://{platform.ToString().ToLowerInvariant()}.example/fleming/{id:N}",
                });
            }

            await db.SaveChangesAsync();
            return id;
        }

        public async Task<Guid> AddItemAsync(string text, string misId, ItemState state)
        {
            await using var db = _fixture.Db();
            var pupil = await db.Pupils.SingleAsync(p => p.SchoolId == School.Id && p.MisId == misId);
            var now = Clock.GetUtcNow();
            var item = new ModerationItem
            {
                Id = Guid.CreateVersion7(), SchoolId = School.Id, Kind = ItemKind.OutboundDraft, State = state, Text = text, ApprovedText = state == ItemState.Actioned ? text : null,
                ReceivedAt = now, UpdatedAt = now, PhotoVerdict = "clear",
            };
            var people = new[] { new PhotoPersonView($"{pupil.LegalForename} {pupil.Surname}", "urn:mis:" + misId, "PersonInImageWDetails", pupil.Id, "allowed", null, "consent granted") };
            item.Media.Add(new ItemMedia
            {
                Id = Guid.CreateVersion7(), ItemId = item.Id, FileName = "photo.jpg", ContentType = "image/jpeg", Length = 3, Sha256 = new string('0', 64), Content = [1, 2, 3],
                Verdict = "clear", People = JsonSerializer.Serialize(people, ScreeningJson.Options),
            });
            db.Items.Add(item);
            await db.SaveChangesAsync();
            return item.Id;
        }

        public async ValueTask DisposeAsync()
        {
            await using var db = _fixture.Db();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM pupils WHERE mis_id LIKE 'RC-%'");
            await db.Schools.ExecuteUpdateAsync(s => s.SetProperty(x => x.ConsentTakedownAction, PlatformAction.Hide));
            _host.Dispose();
        }
    }
}
