namespace Moderation.Domain.Rota.Scheduling;

/// <summary>Who is on duty through one stretch of the sweep, and why; also the key that joins stretches into shifts.</summary>
internal readonly record struct DutyEntry(Guid UserId, ShiftSource Source, string SourceName, Guid? CoveringFor, int? Layer);

/// <summary>
/// The final-schedule engine. Every start and end (turns, overrides, absences, holidays) is a boundary; between two
/// neighbouring boundaries nothing changes, so each stretch is decided once and stretches with the same people are
/// joined. The cost grows with the number of boundaries, not with the length of the range.
/// </summary>
internal sealed class ScheduleSweep
{
    private const string OutsideRotaHours = "outside rota hours";

    private readonly RotaDefinition _rota;
    private readonly long _from;
    private readonly long _to;
    private readonly List<Holiday> _holidays;
    private readonly LayerState[] _layers;
    private readonly (long Start, long End, int Index)[] _overrides;
    private readonly (long Start, long End, int Index)[] _absences;
    private readonly long[] _overrideEnds;
    private readonly long[] _absenceEnds;

    // Active overrides and absences, kept in the order the rota lists them: that order is their precedence.
    private readonly List<int> _activeOverrides = [];
    private readonly List<int> _activeAbsences = [];
    private readonly List<DutyEntry> _tier = [];
    private readonly List<DutyEntry> _entries = [];
    private readonly HashSet<Guid> _onDuty = [];
    private readonly List<Guid> _tierVacant = [];
    private List<Guid>? _uncovered;

    public ScheduleSweep(RotaDefinition rota, long from, long to)
    {
        _rota = rota;
        _from = from;
        _to = to;
        _holidays = RotationTurns.Holidays(rota.Calendar, from, to);
        _layers = [.. rota.Layers
            .Select((layer, index) => (layer, index))
            .OrderByDescending(x => x.layer.Layer)
            .ThenBy(x => x.index)
            .Select(x => new LayerState(x.layer, RotationTurns.For(x.layer, from, to, _holidays)))];
        _overrides = Clip(rota.Overrides.Select(o => (o.StartUtc, o.EndUtc)));
        _absences = Clip(rota.Absences.Select(a => (a.StartUtc, a.EndUtc)));
        _overrideEnds = Ends(_overrides, rota.Overrides.Count);
        _absenceEnds = Ends(_absences, rota.Absences.Count);
    }

    public void Run(ScheduleBuilder builder)
    {
        var bounds = Boundaries();
        int nextOverride = 0, nextAbsence = 0, holiday = 0;
        for (var k = 0; k + 1 < bounds.Count; k++)
        {
            var at = bounds[k];
            foreach (var layer in _layers)
            {
                layer.AdvanceTo(at);
            }

            Advance(_activeOverrides, _overrides, _overrideEnds, ref nextOverride, at);
            Advance(_activeAbsences, _absences, _absenceEnds, ref nextAbsence, at);
            while (holiday < _holidays.Count && _holidays[holiday].End <= at)
            {
                holiday++;
            }

            Decide();
            if (_entries.Count > 0)
            {
                builder.OnDuty(at, bounds[k + 1], _entries);
            }
            else if (_uncovered is not null)
            {
                var detail = "no cover for absent " + string.Join(", ", _uncovered);
                builder.Gap(at, bounds[k + 1], GapReason.NoCover, detail, _uncovered);
            }
            else if (holiday < _holidays.Count && _holidays[holiday].Start <= at)
            {
                builder.Gap(at, bounds[k + 1], GapReason.Holiday, _holidays[holiday].Name, []);
            }
            else
            {
                builder.Gap(at, bounds[k + 1], GapReason.OutsideRotaHours, OutsideRotaHours, []);
            }
        }

        builder.Finish();
    }

    // Overrides first; then layers from the highest number down. A tier whose people are all absent with nobody to
    // cover lets the next tier show through; if none can, the first such tier's absentees explain the gap.
    private void Decide()
    {
        _entries.Clear();
        _uncovered = null;
        if (_activeOverrides.Count > 0)
        {
            _tier.Clear();
            foreach (var index in _activeOverrides)
            {
                var o = _rota.Overrides[index];
                _tier.Add(new DutyEntry(o.UserId, ShiftSource.Override, o.Reason, null, null));
            }

            if (Resolve())
            {
                return;
            }
        }

        for (var i = 0; i < _layers.Length;)
        {
            var number = _layers[i].Layer.Layer;
            _tier.Clear();
            for (; i < _layers.Length && _layers[i].Layer.Layer == number; i++)
            {
                if (_layers[i].Current is { } turn)
                {
                    _tier.Add(new DutyEntry(turn.UserId, ShiftSource.Rotation, _layers[i].Layer.Name, null, number));
                }
            }

            if (_tier.Count > 0 && Resolve())
            {
                return;
            }
        }
    }

    // Puts the tier's people on duty, each absent one replaced by a cover; false when nobody is left.
    private bool Resolve()
    {
        _onDuty.Clear();
        _tierVacant.Clear();
        foreach (var entry in _tier)
        {
            if (!IsAbsent(entry.UserId))
            {
                _onDuty.Add(entry.UserId);
            }
        }

        foreach (var entry in _tier)
        {
            if (!IsAbsent(entry.UserId))
            {
                _entries.Add(entry);
            }
            else if (FindCover(entry.UserId) is { } cover)
            {
                _entries.Add(entry with { UserId = cover, Source = ShiftSource.Cover, CoveringFor = entry.UserId });
                _onDuty.Add(cover);
            }
            else if (!_tierVacant.Contains(entry.UserId))
            {
                _tierVacant.Add(entry.UserId);
            }
        }

        if (_entries.Count > 0)
        {
            return true;
        }

        _uncovered ??= [.. _tierVacant];
        return false;
    }

    // The named cover of any of the person's current absences, in the rota's order, if not absent too; then the first
    // pool member who is present and not already on duty; then the first present pool member even if on duty.
    private Guid? FindCover(Guid absentee)
    {
        foreach (var index in _activeAbsences)
        {
            var absence = _rota.Absences[index];
            if (absence.UserId == absentee && absence.CoverUserId is { } named && named != absentee && !IsAbsent(named))
            {
                return named;
            }
        }

        Guid? busy = null;
        foreach (var member in _rota.CoverPool)
        {
            if (member == absentee || IsAbsent(member))
            {
                continue;
            }

            if (!_onDuty.Contains(member))
            {
                return member;
            }

            busy ??= member;
        }

        return busy;
    }

    private bool IsAbsent(Guid userId)
    {
        foreach (var index in _activeAbsences)
        {
            if (_rota.Absences[index].UserId == userId)
            {
                return true;
            }
        }

        return false;
    }

    private List<long> Boundaries()
    {
        var bounds = new List<long> { _from, _to };
        foreach (var layer in _layers)
        {
            foreach (var turn in layer.Turns)
            {
                bounds.Add(turn.Start);
                bounds.Add(turn.End);
            }
        }

        foreach (var (start, end, _) in _overrides)
        {
            bounds.Add(start);
            bounds.Add(end);
        }

        foreach (var (start, end, _) in _absences)
        {
            bounds.Add(start);
            bounds.Add(end);
        }

        foreach (var holiday in _holidays)
        {
            bounds.Add(holiday.Start);
            bounds.Add(holiday.End);
        }

        bounds.Sort();
        var unique = 0;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (unique == 0 || bounds[unique - 1] != bounds[i])
            {
                bounds[unique++] = bounds[i];
            }
        }

        bounds.RemoveRange(unique, bounds.Count - unique);
        return bounds;
    }

    private (long Start, long End, int Index)[] Clip(IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> intervals) =>
        [.. intervals
            .Select((x, index) => (Start: Math.Max(_from, x.Start.UtcTicks), End: Math.Min(_to, x.End.UtcTicks), Index: index))
            .Where(x => x.End > x.Start)
            .OrderBy(x => x.Start)
            .ThenBy(x => x.Index)];

    private static long[] Ends((long Start, long End, int Index)[] sorted, int count)
    {
        var ends = new long[count];
        foreach (var (_, end, index) in sorted)
        {
            ends[index] = end;
        }

        return ends;
    }

    private static void Advance(List<int> active, (long Start, long End, int Index)[] sorted, long[] ends, ref int next, long at)
    {
        var kept = 0;
        for (var i = 0; i < active.Count; i++)
        {
            if (ends[active[i]] > at)
            {
                active[kept++] = active[i];
            }
        }

        active.RemoveRange(kept, active.Count - kept);
        var added = false;
        for (; next < sorted.Length && sorted[next].Start <= at; next++)
        {
            if (sorted[next].End > at)
            {
                active.Add(sorted[next].Index);
                added = true;
            }
        }

        if (added)
        {
            active.Sort();
        }
    }

    private sealed class LayerState(RotationLayer layer, List<Turn> turns)
    {
        private int _next;

        public RotationLayer Layer { get; } = layer;

        public List<Turn> Turns { get; } = turns;

        public Turn? Current { get; private set; }

        public void AdvanceTo(long at)
        {
            while (_next < Turns.Count && Turns[_next].End <= at)
            {
                _next++;
            }

            Current = _next < Turns.Count && Turns[_next].Start <= at ? Turns[_next] : null;
        }
    }
}
