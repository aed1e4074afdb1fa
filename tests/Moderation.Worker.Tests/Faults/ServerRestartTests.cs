using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Audit;
using Moderation.Testing;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests.Faults;

/// <summary>
/// Fault tests "RabbitMQ restarted during load" and "PostgreSQL restarted during load": comments arrive as Meta
/// webhooks at the API (a child process), the worker (another) screens and assigns them, and the private server is
/// stopped mid-load, left down a few seconds and started again. The sender retries what the API refuses meanwhile,
/// as Meta does; in the end every comment is stored, screened and assigned exactly once.
/// </summary>
public sealed class ServerRestartTests(PrivateServerFixture fixture, ITestOutputHelper output) : PrivateServerTest(fixture)
{
    private const int Count = 100;
    private static readonly TimeSpan s_down = TimeSpan.FromSeconds(4);

    [Fact]
    public Task RabbitMQ_restarted_during_load_loses_nothing_and_assigns_every_item_exactly_once() =>
        RestartDuringLoadAsync("rabbit", Fixture.Servers.StopRabbitAsync, Fixture.Servers.StartRabbitAsync);

    [Fact]
    public Task PostgreSQL_restarted_during_load_recovers_loses_nothing_and_assigns_every_item_exactly_once() =>
        RestartDuringLoadAsync("postgres", Fixture.Servers.StopPostgresAsync, Fixture.Servers.StartPostgresAsync);

    private async Task RestartDuringLoadAsync(string prefix, Func<Task> stop, Func<Task> start)
    {
        // Arrange
        using var api = Fixture.StartApi();
        using var worker = Fixture.StartWorker();
        try
        {
            await api.WaitUntilListeningAsync();
            var meta = new MetaSender(api.Url!, PrivateServerFixture.AppSecret);

            // Act: a first part of the load goes through, so both processes are up and working; then, while the rest
            // arrives, the server goes down, stays down a few seconds and comes back.
            await meta.SendAsync(0, Count / 4, prefix);
            await Eventually.WaitForAsync(AssignedAsync, n => n >= 10, "the first items to be assigned", TimeSpan.FromSeconds(180));
            var sending = meta.SendAsync(Count / 4, Count, prefix);
            await Task.Delay(200);
            var atStop = await AssignedAsync();
            await stop();
            await Task.Delay(s_down);
            await start();
            await sending;
            await Eventually.WaitForAsync(AssignedAsync, n => n >= Count, "every item to be assigned after the restart", TimeSpan.FromSeconds(180));

            // Assert
            await using var db = Fixture.Env.CreateDbContext();
            var counts = await FaultCounts.ReadAsync(db, Count);
            var deliveries = await db.WebhookDeliveries.CountAsync();
            var screened = await db.AuditEntries.Where(a => a.Action == "screened").GroupBy(a => a.ItemId).Select(g => g.Count()).ToListAsync();
            var errors = await Fixture.ErrorQueuesAsync();
            output.WriteLine(counts.ToString());
            output.WriteLine($"assigned when stopped {atStop}; webhooks accepted {meta.Accepted}, refused and retried {meta.Refused}; deliveries stored {deliveries}; " +
                $"error queues {string.Join(", ", errors.Select(e => $"{e.Key}={e.Value}"))}");
            atStop.Should().BeLessThan(Count, "the restart must land mid-load for this test to mean anything");
            meta.Accepted.Should().Be(Count);
            deliveries.Should().Be(Count, "each webhook body is stored once, however often it was sent");
            counts.ShouldBeExactlyOnce();
            screened.Should().HaveCount(Count).And.OnlyContain(n => n == 1);
            errors.Values.Sum().Should().Be(0, "nothing was given up on");
            (await AuditLog.VerifyAsync(db, (await db.Items.FirstAsync()).SchoolId, CancellationToken.None)).Intact.Should().BeTrue();
        }
        catch
        {
            output.WriteLine($"--- worker ---\n{worker.Output}\n--- api ---\n{api.Output}\n--- servers ---\n{Fixture.Servers.Log}");
            throw;
        }
        finally
        {
            await worker.KillAsync();
            await api.KillAsync();
        }
    }

    private async Task<int> AssignedAsync()
    {
        try
        {
            await using var db = Fixture.Env.CreateDbContext();
            return await FaultCounts.AssignedNowAsync(db);
        }
        catch (Exception ex) when (Domain.Messaging.TransientFaults.IsTransient(ex))
        {
            return -1; // PostgreSQL is down just now
        }
    }
}
