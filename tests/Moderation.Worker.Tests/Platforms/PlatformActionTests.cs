using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests.Platforms;

/// <summary>
/// Decisions carried out on a platform, end to end through the worker: a fake Graph API on loopback, the real
/// Facebook connector, the outbox, RabbitMQ and PostgreSQL.
/// </summary>
public sealed class PlatformActionTests(WorkerFixture fixture, ITestOutputHelper output) : WorkerTest(fixture)
{
    /// <summary>Short waits, so retries and leases play out within a test (also used by the fault tests).</summary>
    internal static readonly string[] FastSettings =
    [
        "--Platforms:RetryBaseDelay=00:00:00.050",
        "--Platforms:MaxRetries=1",
        "--Platforms:ActionRetryIntervals:0=00:00:01",
        "--Platforms:ActionRetryIntervals:1=00:00:01",
        "--Platforms:ActionRetryIntervals:2=00:00:01",
        "--Platforms:ActionRetryIntervals:3=00:00:01",
        "--Platforms:ActionRetryIntervals:4=00:00:01",
        "--Platforms:ActionLease=00:00:05",
        "--Platforms:Breaker:BreakDuration=00:00:02",
        "--Platforms:PollingEnabled=false",
        "--Routing:SweepEnabled=false",
    ];

    [Fact]
    public async Task A_public_comment_is_hidden_on_arrival_and_shown_again_once_approved()
    {
        // Arrange
        await using var world = await PlatformWorld.StartAsync(Fixture);
        using var worker = await WorkerFixture.StartWorkerAsync(null, FastSettings);
        var id = await world.CommentArrivesAsync();
        var commentId = (await world.ItemAsync(id)).PlatformItemId!;
        await Eventually.WaitForAsync(async () => (await world.ItemAsync(id)).HiddenOnPlatform, h => h, "the hide on arrival");

        // Act
        await world.DecideAsync(id, approve: true);

        // Assert
        var item = await Eventually.WaitForAsync(() => world.ItemAsync(id), i => i.State == ItemState.Actioned, "the approval to be carried out");
        item.HiddenOnPlatform.Should().BeFalse();
        item.PlatformOutcome.Should().Contain("Shown on Facebook");
        world.Applied.Select(a => a.Change).Should().Equal(["hide", "show"], "hidden first, shown once approved, nothing else");
        world.Applied.Should().OnlyContain(a => a.CommentId == commentId);
        (await world.ActionsAsync(id)).Select(a => (a.Purpose, a.Action, a.Status)).Should().Equal(
            (ActionPurpose.Arrival, PlatformAction.Hide, ActionStatus.Done), (ActionPurpose.Decision, PlatformAction.Unhide, ActionStatus.Done));
        world.Graph.Requests.Should().OnlyContain(r => r.Authorization == "Bearer page-token-1", "the token goes in the header, never the URL");
    }

    [Fact]
    public async Task An_approval_never_shows_a_comment_that_was_taken_down_after_it()
    {
        // Arrange: hidden on arrival, then taken down (a safeguarding case, a consent withdrawal) before the approval runs.
        await using var world = await PlatformWorld.StartAsync(Fixture);
        using var worker = await WorkerFixture.StartWorkerAsync(null, FastSettings);
        var id = await world.CommentArrivesAsync();
        await Eventually.WaitForAsync(async () => (await world.ItemAsync(id)).HiddenOnPlatform, h => h, "the hide on arrival");
        await using (var db = Fixture.Db())
        {
            PlatformActions.Queue(db, id, world.Account.SchoolId, world.Account.Id, PlatformAction.Hide, ActionPurpose.Takedown, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        // Act
        await world.DecideAsync(id, approve: true);

        // Assert
        var decision = await Eventually.WaitForAsync(async () => (await world.ActionsAsync(id)).SingleOrDefault(a => a.Purpose == ActionPurpose.Decision),
            a => a?.Status == ActionStatus.Failed, "the approval to be refused on the platform");
        decision!.LastError.Should().Contain("taken down");
        world.Applied.Should().NotContain(a => a.Change == "show");
        (await world.ItemAsync(id)).HiddenOnPlatform.Should().BeTrue();
    }

    [Fact]
    public async Task While_the_platform_is_down_a_decision_waits_and_is_carried_out_once_when_it_is_back()
    {
        // Arrange: the hide works; then the platform fails the next six calls.
        await using var world = await PlatformWorld.StartAsync(Fixture);
        using var worker = await WorkerFixture.StartWorkerAsync(null, FastSettings);
        var id = await world.CommentArrivesAsync();
        await Eventually.WaitForAsync(async () => (await world.ItemAsync(id)).HiddenOnPlatform, h => h, "the hide on arrival");
        world.Graph.Enqueue(Enumerable.Range(0, 6).Select(_ => (Fault)new Fault.Status(503)).ToArray());

        // Act
        await world.DecideAsync(id, approve: false);

        // Assert
        var waiting = await Eventually.WaitForAsync(async () => (await world.ActionsAsync(id)).SingleOrDefault(a => a.Purpose == ActionPurpose.Decision),
            a => a?.Status == ActionStatus.Waiting, "the decision to be put off");
        waiting!.LastError.Should().Contain("503");
        var item = await Eventually.WaitForAsync(() => world.ItemAsync(id), i => i.State == ItemState.Actioned, "the rejection once the platform is back");
        var done = (await world.ActionsAsync(id)).Single(a => a.Purpose == ActionPurpose.Decision);
        output.WriteLine($"attempts {done.Attempts}, requests {world.Graph.RequestCount}, applied {string.Join(",", world.Applied)}");
        done.Status.Should().Be(ActionStatus.Done);
        done.Attempts.Should().BeGreaterThan(1);
        world.AppliedTo(item.PlatformItemId!, "delete").Should().Be(1, "the delete happened once, after the outage");
        await using var db = Fixture.Db();
        (await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Id == world.Account.Id)).CircuitChangedAt
            .Should().NotBeNull("six failures in a row opened the account's circuit, and the health page saw it");
        item.PlatformOutcome.Should().Contain("Deleted on Facebook");
    }

    [Fact]
    public async Task An_expired_token_blocks_the_account_tells_the_administrators_keeps_the_comment_hidden_and_resumes_on_reconnection()
    {
        // Arrange
        await using var world = await PlatformWorld.StartAsync(Fixture);
        using var worker = await WorkerFixture.StartWorkerAsync(null, FastSettings);
        var id = await world.CommentArrivesAsync();
        await Eventually.WaitForAsync(async () => (await world.ItemAsync(id)).HiddenOnPlatform, h => h, "the hide on arrival");
        world.Graph.Enqueue(new Fault.Status(401, Body: """{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}"""));

        // Act
        await world.DecideAsync(id, approve: true);

        // Assert: blocked, the account needs reconnecting, administrators told once, the comment still hidden.
        await Eventually.WaitForAsync(async () => (await world.ActionsAsync(id)).SingleOrDefault(a => a.Purpose == ActionPurpose.Decision)?.Status,
            s => s == ActionStatus.Blocked, "the action to be blocked");
        await using (var db = Fixture.Db())
        {
            var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Id == world.Account.Id);
            account.ConnectionStatus.Should().Be(ConnectionStatus.NeedsReconnection);
            account.LastError.Should().Contain("refused the credentials");
            var notices = await db.Notifications.AsNoTracking().Where(n => n.Kind == NotificationKind.Alert && n.Title.Contains("Reconnect")).ToListAsync();
            notices.Should().NotBeEmpty();
            notices.Select(n => n.RecipientId).Should().OnlyHaveUniqueItems("each administrator is told once");
        }

        var blocked = await world.ItemAsync(id);
        blocked.State.Should().Be(ItemState.Approved);
        blocked.HiddenOnPlatform.Should().BeTrue("an item stays hidden while its account is blocked");
        blocked.PlatformOutcome.Should().Contain("needs reconnecting");

        // Act: an administrator reconnects the account.
        await world.ConnectAsync("page-token-2");
        await using (var db = Fixture.Db())
        {
            await PlatformActions.ResumeBlockedAsync(db, world.Account.Id, DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        // Assert
        var item = await Eventually.WaitForAsync(() => world.ItemAsync(id), i => i.State == ItemState.Actioned, "the approval after reconnection");
        item.HiddenOnPlatform.Should().BeFalse();
        world.AppliedTo(item.PlatformItemId!, "show").Should().Be(1);
        world.Graph.Requests.Last().Authorization.Should().Be("Bearer page-token-2");
    }

    [Fact]
    public async Task A_worker_killed_between_the_decision_and_the_platform_call_leaves_the_action_to_be_carried_out_exactly_once()
    {
        // Arrange: the first show call never completes; the worker process is killed while it waits.
        await using var world = await PlatformWorld.StartAsync(Fixture);
        var id = await world.CommentArrivesAsync();
        using (var first = Fixture.StartWorkerProcess(FastSettings))
        {
            await Eventually.WaitForAsync(async () => (await world.ItemAsync(id)).HiddenOnPlatform, h => h, "the hide on arrival", TimeSpan.FromSeconds(120));
            // The comment's own calls only: any other call the worker makes meanwhile (a poll, say) must neither hang
            // nor count as the show call, or the kill lands before the action was ever started.
            var comment = (await world.ItemAsync(id)).PlatformItemId!;
            world.Graph.Enqueue(new Fault.Hang { PathContains = comment });
            var before = world.Graph.RequestsTo(comment).Count;
            await world.DecideAsync(id, approve: true);
            await Eventually.WaitForAsync(() => Task.FromResult(world.Graph.RequestsTo(comment).Count), n => n > before, "the show call to reach the platform", TimeSpan.FromSeconds(120));

            // Act
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        var atKill = await world.ItemAsync(id);
        using var second = Fixture.StartWorkerProcess(FastSettings);
        try
        {
            var item = await Eventually.WaitForAsync(() => world.ItemAsync(id), i => i.State == ItemState.Actioned, "the restarted worker to carry the approval out", TimeSpan.FromSeconds(120));

            // Assert
            output.WriteLine($"state at kill {atKill.State}; requests {world.Graph.RequestCount}; applied {string.Join(",", world.Applied)}");
            atKill.State.Should().Be(ItemState.Approved, "the kill landed after the decision and before the platform answered");
            world.AppliedTo(item.PlatformItemId!, "show").Should().Be(1, "the approval took effect on the platform exactly once");
            var action = (await world.ActionsAsync(id)).Single(a => a.Purpose == ActionPurpose.Decision);
            action.Status.Should().Be(ActionStatus.Done);
            action.Attempts.Should().Be(2, "the killed attempt and the one that completed");
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }
}
