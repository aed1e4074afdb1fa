using System.Collections.Concurrent;
using MassTransit;

namespace Moderation.Worker.Tests;

/// <summary>Counts, per MessageId, how many times a consumer finished with a message (including no-op duplicates).</summary>
public sealed class ConsumeCounter : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _consumed = new();

    public int this[Guid messageId] => _consumed.GetValueOrDefault(messageId);

    public int Total => _consumed.Values.Sum();

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.MessageId is { } id)
        {
            _consumed.AddOrUpdate(id, 1, (_, n) => n + 1);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
