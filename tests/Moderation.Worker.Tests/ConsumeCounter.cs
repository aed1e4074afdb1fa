using System.Collections.Concurrent;
using MassTransit;

namespace Moderation.Worker.Tests;

/// <summary>
/// Counts, per MessageId, how many times a consumer finished with a message (including no-op duplicates); only
/// messages of type <paramref name="only"/> when it is given, since one item now passes several stages.
/// </summary>
public sealed class ConsumeCounter(Type? only = null) : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, int> _consumed = new();

    public int this[Guid messageId] => _consumed.GetValueOrDefault(messageId);

    public int Total => _consumed.Values.Sum();

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        if (context.MessageId is { } id && (only is null || only == typeof(T)))
        {
            _consumed.AddOrUpdate(id, 1, (_, n) => n + 1);
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
