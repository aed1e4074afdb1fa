using Moderation.Domain.Persistence;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>Holds a school's write batch open, so that the writes a test queues meanwhile share the next transaction (ADR 0601).</summary>
internal static class HeldBatches
{
    /// <summary>
    /// Starts a batch for the school and holds it open (its first write waits on the gate) until the test has queued
    /// the writes it wants in the next batch; <paramref name="then"/> is what that first write does once released.
    /// </summary>
    public static async Task<(TaskCompletionSource Gate, Task<Guid> First, (long Batches, long Writes) Before)> HoldOpenAsync(
        SchoolWriteBatches batches, Guid school, Func<IServiceProvider, CancellationToken, Task<Guid>>? then = null)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var before = batches.Counts;
        var first = batches.RunAsync(school, async (services, ct) =>
        {
            running.SetResult();
            await gate.Task;
            return then is null ? Guid.Empty : await then(services, ct);
        }, CancellationToken.None);
        await running.Task;
        return (gate, first, before);
    }
}
