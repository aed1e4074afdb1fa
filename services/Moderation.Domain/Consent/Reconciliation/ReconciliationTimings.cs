using System.Diagnostics;
using System.Globalization;

namespace Moderation.Domain.Consent.Reconciliation;

/// <summary>
/// Where a run's time went, by phase and step (wall time, summed over batches). Logged when a run finishes and read by
/// the benchmark; it only measures, nothing depends on it.
/// </summary>
public sealed class ReconciliationTimings
{
    private readonly Dictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Times the span from here to the returned value's disposal under <paramref name="step"/>.</summary>
    public Span Measure(string step) => new(this, step, Stopwatch.GetTimestamp());

    public IReadOnlyList<(string Step, TimeSpan Elapsed)> Steps =>
        [.. _order.Select(s => (s, Stopwatch.GetElapsedTime(0, _ticks[s])))];

    public override string ToString() =>
        string.Join(", ", Steps.Select(s => $"{s.Step} {s.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"));

    private void Add(string step, long ticks)
    {
        if (!_ticks.TryAdd(step, ticks))
        {
            _ticks[step] += ticks;
        }
        else
        {
            _order.Add(step);
        }
    }

    public readonly struct Span(ReconciliationTimings owner, string step, long started) : IDisposable
    {
        public void Dispose() => owner.Add(step, Stopwatch.GetTimestamp() - started);
    }
}
