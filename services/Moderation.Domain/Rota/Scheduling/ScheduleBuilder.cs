namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// Joins the sweep's stretches into shifts and gaps: a shift grows while the same entry is on duty in the next
/// stretch, and ends where it is not.
/// </summary>
internal sealed class ScheduleBuilder(bool withShifts, long? probe = null)
{
    private readonly List<OpenShift> _open = [];
    private readonly List<(Shift Shift, int Rank)> _shifts = [];
    private readonly List<Shift> _primary = [];
    private readonly List<ScheduleGap> _gaps = [];
    private OpenShift? _currentPrimary;
    private (long Start, long End, GapReason Reason, string Detail, IReadOnlyList<Guid> Absent)? _currentGap;

    /// <summary>The entries on duty at the probe instant, in precedence order.</summary>
    public List<DutyEntry> AtProbe { get; } = [];

    public IReadOnlyList<Shift> Primary => _primary;

    public IReadOnlyList<ScheduleGap> Gaps => _gaps;

    /// <summary>Every shift, sorted by start and then by precedence at the start.</summary>
    public IReadOnlyList<Shift> Shifts() =>
        [.. _shifts
            .OrderBy(x => x.Shift.StartUtc)
            .ThenBy(x => x.Rank)
            .ThenBy(x => x.Shift.UserId)
            .Select(x => x.Shift)];

    public void OnDuty(long start, long end, List<DutyEntry> entries)
    {
        CloseGap();
        if (probe is { } at && start <= at && at < end)
        {
            AtProbe.AddRange(entries);
        }

        if (_currentPrimary is { } primary && primary.Key == entries[0] && primary.End == start)
        {
            primary.End = end;
        }
        else
        {
            ClosePrimary();
            _currentPrimary = new OpenShift(entries[0], start, end, 0);
        }

        if (!withShifts)
        {
            return;
        }

        for (var rank = 0; rank < entries.Count; rank++)
        {
            var entry = entries[rank];
            var extended = false;
            foreach (var open in _open)
            {
                // End == start: not yet extended in this stretch, so a duplicate entry opens a second shift.
                if (open.Key == entry && open.End == start)
                {
                    open.End = end;
                    extended = true;
                    break;
                }
            }

            if (!extended)
            {
                _open.Add(new OpenShift(entry, start, end, rank));
            }
        }

        CloseShiftsEndingBefore(end);
    }

    public void Gap(long start, long end, GapReason reason, string detail, IReadOnlyList<Guid> absent)
    {
        ClosePrimary();
        CloseShiftsEndingBefore(end);
        if (_currentGap is { } gap && gap.End == start && gap.Reason == reason && gap.Detail == detail)
        {
            _currentGap = gap with { End = end };
        }
        else
        {
            CloseGap();
            _currentGap = (start, end, reason, detail, absent);
        }
    }

    public void Finish()
    {
        ClosePrimary();
        CloseGap();
        CloseShiftsEndingBefore(long.MaxValue);
    }

    private void CloseShiftsEndingBefore(long end)
    {
        var kept = 0;
        for (var i = 0; i < _open.Count; i++)
        {
            var open = _open[i];
            if (open.End < end)
            {
                _shifts.Add((open.ToShift(), open.Rank));
            }
            else
            {
                _open[kept++] = open;
            }
        }

        _open.RemoveRange(kept, _open.Count - kept);
    }

    private void ClosePrimary()
    {
        if (_currentPrimary is { } primary)
        {
            _primary.Add(primary.ToShift());
            _currentPrimary = null;
        }
    }

    private void CloseGap()
    {
        if (_currentGap is { } gap)
        {
            _gaps.Add(new ScheduleGap(Utc(gap.Start), Utc(gap.End), gap.Reason, gap.Detail, gap.Absent));
            _currentGap = null;
        }
    }

    internal static DateTimeOffset Utc(long ticks) => new(ticks, TimeSpan.Zero);

    private sealed class OpenShift(DutyEntry key, long start, long end, int rank)
    {
        public DutyEntry Key { get; } = key;

        public long Start { get; } = start;

        public long End { get; set; } = end;

        public int Rank { get; } = rank;

        public Shift ToShift() =>
            new(Key.UserId, Utc(Start), Utc(End), Key.Source, Key.SourceName, Key.CoveringFor, Key.Layer);
    }
}
