namespace Moderation.Domain.Caching;

/// <summary>
/// A thread-safe cache that keeps what was used most recently within a budget. Each value has a weight (for a school's
/// screening profile, its pupils); when the total passes the budget, the least recently used values go until it fits.
/// The value just stored always stays, so one value heavier than the whole budget is still served, alone.
/// A host keeps something per school, and a trust or local authority can have hundreds of schools: without a bound,
/// every school that ever had an item stayed in memory for the life of the process.
/// </summary>
public sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _index = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly Func<TValue, long> _weigh;
    private readonly Lock _lock = new();
    private long _weight;
    private long _evicted;

    public BoundedCache(long budget, Func<TValue, long> weigh)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        ArgumentNullException.ThrowIfNull(weigh);
        Budget = budget;
        _weigh = weigh;
    }

    public long Budget { get; }

    /// <summary>What is kept now: how many values, their total weight, and how many were let go to stay within the budget.</summary>
    public (int Count, long Weight, long Evicted) Usage
    {
        get
        {
            lock (_lock)
            {
                return (_index.Count, _weight, _evicted);
            }
        }
    }

    /// <summary>The value kept under <paramref name="key"/>, which becomes the most recently used.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> under <paramref name="key"/>, in place of any value kept there before.</summary>
    public void Set(TKey key, TValue value)
    {
        var weight = Math.Max(1, _weigh(value));
        lock (_lock)
        {
            if (_index.Remove(key, out var old))
            {
                _recency.Remove(old);
                _weight -= old.Value.Weight;
            }

            _index[key] = _recency.AddFirst(new Entry(key, value, weight));
            _weight += weight;
            while (_weight > Budget && _recency.Last is { } last && last != _recency.First)
            {
                _recency.RemoveLast();
                _index.Remove(last.Value.Key);
                _weight -= last.Value.Weight;
                _evicted++;
            }
        }
    }

    /// <summary>Lets go of every value <paramref name="stale"/> says no one will use again; returns how many.</summary>
    public int RemoveWhere(Func<TValue, bool> stale)
    {
        ArgumentNullException.ThrowIfNull(stale);
        lock (_lock)
        {
            var removed = 0;
            for (var node = _recency.First; node is not null;)
            {
                var next = node.Next;
                if (stale(node.Value.Value))
                {
                    _recency.Remove(node);
                    _index.Remove(node.Value.Key);
                    _weight -= node.Value.Weight;
                    removed++;
                }

                node = next;
            }

            return removed;
        }
    }

    private sealed record Entry(TKey Key, TValue Value, long Weight);
}
