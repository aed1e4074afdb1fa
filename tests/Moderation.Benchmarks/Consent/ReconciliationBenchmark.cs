using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Consent.Reconciliation;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Domain.Seeding;
using Npgsql;

namespace Moderation.Benchmarks.Consent;

public sealed record ReconciliationFigures(double Seconds, long PeakWorkingSetMb, long AllocatedMb, int Rescreened, int TakenDown, int Withdrawn, string Timings);

/// <summary>
/// A trust-scale consent reconciliation in a database of its own (<c>moderation_bench_consent</c>, with
/// <c>MODERATION_TEST_SUFFIX</c> appended so that two checkouts can measure side by side): the seed makes
/// 2,000 pupils and 200,000 photos with three people tags each (150,000 published to Facebook, 50,000 awaiting
/// review), a baseline run records the snapshot, 5% of the pupils withdraw social-media consent, and the next full run
/// is measured: wall time, the process's peak working set, and what it allocated.
/// </summary>
public static class ReconciliationBenchmark
{
    public const int Pupils = 2_000;
    public const int Photos = 200_000;
    public const int Published = 150_000;

    public static async Task<ReconciliationFigures> RunAsync(TextWriter output)
    {
        var (host, schoolId) = await BenchDatabase.SeededHostAsync("moderation_bench_consent");
        using var seeded = host;
        var clock = Stopwatch.StartNew();
        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var facebook = await db.SocialAccounts.SingleAsync(a => a.SchoolId == schoolId && a.Platform == Platform.Facebook);
            await SeedAsync(db, schoolId, facebook.Id);
        }

        output.WriteLine($"seeded {Pupils:N0} pupils and {Photos:N0} tagged photos in {clock.Elapsed.TotalSeconds:0.0} s");
        clock.Restart();
        _ = await RunOnceAsync(host.Services, schoolId);
        output.WriteLine($"baseline run (records the snapshot) in {clock.Elapsed.TotalSeconds:0.0} s");

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var changed = await db.Database.ExecuteSqlRawAsync(
                "UPDATE consents SET status = 'Objected' WHERE channel = 'SocialMedia' AND pupil_id IN (SELECT id FROM pupils WHERE mis_id LIKE 'BENCH%' AND substr(mis_id, 6)::int % 20 = 0)");
            output.WriteLine($"{changed} of {Pupils * 2} consents changed (5% of pupils withdraw social media)");
        }

        GC.Collect();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        clock.Restart();
        var (run, timings) = await RunOnceAsync(host.Services, schoolId);
        var seconds = clock.Elapsed.TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        output.WriteLine($"measured run: {seconds:0.00} s, {run.Withdrawn} withdrawn, {run.Rescreened} re-screened, {run.TakenDown} taken down, {run.NeedsHuman} by hand; status {run.Status}");
        output.WriteLine($"where the time went: {timings}");
        using (var scope = host.Services.CreateScope())
        {
            // Not timed: the run's writes are whole and the school's audit chain still verifies.
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var chain = await AuditLog.VerifyAsync(db, schoolId, CancellationToken.None);
            var messages = await db.Outbox.CountAsync();
            var takedowns = await db.PlatformActions.CountAsync(a => a.Purpose == ActionPurpose.Takedown);
            output.WriteLine($"audit chain: {chain.EntriesChecked:N0} entries, {(chain.Intact ? "intact" : $"BROKEN at position {chain.FirstBroken!.Position}: {chain.FirstBroken.Reason}")}; outbox {messages:N0} messages; {takedowns:N0} takedown actions");
            if (!chain.Intact)
            {
                throw new InvalidOperationException("The reconciliation broke the school's audit chain.");
            }
        }

        return new ReconciliationFigures(seconds, process.PeakWorkingSet64 / (1024 * 1024), allocated / (1024 * 1024), run.Rescreened, run.TakenDown, run.Withdrawn, timings.ToString());
    }


    private static async Task<(ConsentReconciliationRun Run, ReconciliationTimings Timings)> RunOnceAsync(IServiceProvider services, Guid schoolId)
    {
        using var scope = services.CreateScope();
        var reconciler = scope.ServiceProvider.GetRequiredService<ConsentReconciler>();
        var (_, run) = await reconciler.StartAsync(schoolId, ReconciliationTrigger.OnDemand, "benchmark", "benchmark", null, CancellationToken.None);
        await reconciler.ExecuteAsync(run.Id, CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
        return (await db.ConsentReconciliationRuns.AsNoTracking().SingleAsync(r => r.Id == run.Id), reconciler.Timings);
    }

    /// <summary>The seed: set-based SQL, so the data is made in the database rather than pushed through EF.</summary>
    private static async Task SeedAsync(ModerationDbContext db, Guid schoolId, Guid accountId)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO pupils (id, school_id, mis_id, legal_forename, preferred_forename, surname, year_group)
            SELECT gen_random_uuid(), {schoolId}, 'BENCH' || g, 'Forename' || g, NULL, 'Surname' || g, 'Year ' || (g % 6 + 1)
            FROM generate_series(1, {Pupils}) g
            """);
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO consents (id, pupil_id, channel, status, restriction, never_publish, never_publish_reason, effective_from, expires_on, source)
            SELECT gen_random_uuid(), p.id, v.c, 'Granted', NULL, false, NULL, DATE '2026-09-01', DATE '2027-07-31', 'MIS export'
            FROM pupils p CROSS JOIN (VALUES ('SocialMedia'), ('Website')) v(c) WHERE p.mis_id LIKE 'BENCH%'
            """);
        // Constants are written into the text; only the ids are parameters. One command, so the temp tables live through it.
        await db.Database.ExecuteSqlRawAsync($$"""
            CREATE TEMP TABLE bench_pupils AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM pupils WHERE mis_id LIKE 'BENCH%';
            CREATE TEMP TABLE bench_items AS SELECT g, gen_random_uuid() AS id FROM generate_series(1, {{Photos}}) g;
            INSERT INTO items (id, school_id, kind, state, text, approved_text, received_at, updated_at, photo_verdict, pending_action,
                               escalation_level, reassignment_count, safeguarding, hidden_on_platform)
            SELECT b.id, {0}, 'OutboundDraft', CASE WHEN b.g <= {{Published}} THEN 'Actioned' ELSE 'AwaitingReview' END,
                   'Our class trip ' || b.g, CASE WHEN b.g <= {{Published}} THEN 'Our class trip ' || b.g END, now(), now(), 'clear', 'None', 0, 0, false, false
            FROM bench_items b;
            INSERT INTO item_media (id, item_id, file_name, content_type, length, sha256, content, verdict, people)
            SELECT gen_random_uuid(), b.id, 'photo.jpg', 'image/jpeg', 3, repeat('0', 64), '\x010203'::bytea, 'clear',
                   jsonb_build_array(
                       jsonb_build_object('pupilId', p1.id, 'source', 'PersonInImageWDetails', 'verdict', 'allowed'),
                       jsonb_build_object('pupilId', p2.id, 'source', 'MwgFaceRegion', 'verdict', 'allowed'),
                       jsonb_build_object('pupilId', p3.id, 'source', 'PersonInImage', 'verdict', 'allowed'))
            FROM bench_items b
            JOIN bench_pupils p1 ON p1.n = (b.g * 7) % {{Pupils}}
            JOIN bench_pupils p2 ON p2.n = (b.g * 13 + 5) % {{Pupils}}
            JOIN bench_pupils p3 ON p3.n = (b.g * 31 + 11) % {{Pupils}};
            INSERT INTO draft_targets (item_id, social_account_id) SELECT id, {1} FROM bench_items;
            INSERT INTO platform_actions (id, item_id, school_id, social_account_id, action, purpose, status, attempts, created_at, next_attempt_at, completed_at, result_platform_id)
            SELECT gen_random_uuid(), b.id, {0}, {1}, 'Publish', 'Decision', 'Done', 1, now(), now(), now(), 'post-' || b.g
            FROM bench_items b WHERE b.g <= {{Published}};
            ANALYZE;
            """, schoolId, accountId);
    }
}
