using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Rota;

/// <summary>A rota request read and checked for everything that needs no database.</summary>
internal sealed record RotaDraft(
    string Name,
    IReadOnlyList<Guid> SchoolIds,
    IReadOnlyList<RotationDraft> Rotations,
    IReadOnlyList<Guid> CoverPool,
    IReadOnlyList<DateRange> Terms,
    IReadOnlyList<DateRange> Closures)
{
    /// <summary>The engine's view, for <see cref="RotaDefinition.Validate"/>.</summary>
    public RotaDefinition ToDefinition(Guid id) => new()
    {
        Id = id,
        Name = Name,
        SchoolIds = SchoolIds,
        Layers = [.. Rotations.Select(r => new RotationLayer
        {
            Id = r.Id ?? Guid.Empty,
            Name = r.Name,
            Layer = r.Layer,
            Members = r.Members,
            StartsOn = r.StartsOn,
            HandoffTime = r.HandoffTime,
            ShiftLength = TimeSpan.FromHours(r.ShiftHours),
            Restrictions = r.Restrictions,
            RunsInHolidays = r.RunsInHolidays,
        })],
        CoverPool = CoverPool,
        Calendar = new TermCalendar { Terms = Terms, Closures = Closures },
    };
}

internal sealed record RotationDraft(
    Guid? Id,
    string Name,
    int Layer,
    IReadOnlyList<Guid> Members,
    DateOnly StartsOn,
    TimeOnly HandoffTime,
    int ShiftHours,
    IReadOnlyList<WeeklyWindow> Restrictions,
    bool RunsInHolidays);

internal static class RotaRequests
{
    public const int MaxRotations = 50;
    public const int MaxMembers = 100;
    public const int MaxLayer = 99;
    public const int MaxShiftHours = 8 * 7 * 24;
    public const int MaxCalendarEntries = 100;
    public const int MaxRestrictions = 50;

    /// <summary>Reads <paramref name="request"/>, adding every problem to <paramref name="errors"/>; null if any.</summary>
    public static RotaDraft? Read(RotaRequest? request, List<string> errors)
    {
        if (request is null)
        {
            errors.Add("A body is required: {\"name\", \"schoolIds\", \"rotations\", \"coverPool\", \"terms\", \"closures\"}.");
            return null;
        }

        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            errors.Add("name is required, at most 200 characters.");
        }

        var schools = request.SchoolIds ?? [];
        if (schools.Count == 0)
        {
            errors.Add("schoolIds is required: the schools whose items this rota's people handle.");
        }

        if (schools.Distinct().Count() != schools.Count)
        {
            errors.Add("schoolIds names a school twice.");
        }

        var rotations = new List<RotationDraft>();
        var requested = request.Rotations ?? [];
        if (requested.Count > MaxRotations)
        {
            errors.Add($"A rota has at most {MaxRotations} rotations.");
        }

        for (var i = 0; i < requested.Count; i++)
        {
            if (ReadRotation(requested[i], $"rotations[{i}]", errors) is { } rotation)
            {
                rotations.Add(rotation);
            }
        }

        foreach (var clash in rotations.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"Two rotations are called '{clash.Key}'.");
        }

        foreach (var clash in rotations.Where(r => r.Id.HasValue).GroupBy(r => r.Id).Where(g => g.Count() > 1))
        {
            errors.Add($"Two rotations have the id {clash.Key}.");
        }

        var pool = request.CoverPool ?? [];
        if (pool.Distinct().Count() != pool.Count)
        {
            errors.Add("coverPool names someone twice.");
        }

        if (pool.Count > MaxMembers)
        {
            errors.Add($"coverPool has at most {MaxMembers} people.");
        }

        var terms = ReadDates(request.Terms, "terms", errors);
        var closures = ReadDates(request.Closures, "closures", errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var draft = new RotaDraft(name, [.. schools], rotations, [.. pool], terms, closures);
        errors.AddRange(draft.ToDefinition(Guid.Empty).Validate());
        return errors.Count > 0 ? null : draft;
    }

    private static RotationDraft? ReadRotation(RotationRequest? r, string at, List<string> errors)
    {
        if (r is null)
        {
            errors.Add($"{at}: a rotation is required, not null.");
            return null;
        }

        var before = errors.Count;
        var name = r.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            errors.Add($"{at}: name is required, at most 200 characters.");
        }

        var label = name.Length > 0 ? $"{at} '{name}'" : at;
        var layer = r.Layer ?? 1;
        if (layer is < 1 or > MaxLayer)
        {
            errors.Add($"{label}: layer is 1 to {MaxLayer}.");
        }

        var members = r.Members ?? [];
        if (members.Count == 0)
        {
            errors.Add($"{label}: members is required: at least one person, in turn order.");
        }
        else if (members.Count > MaxMembers)
        {
            errors.Add($"{label}: at most {MaxMembers} members.");
        }

        if (!RotaTimes.TryParseDate(r.StartsOn, out var startsOn))
        {
            errors.Add($"{label}: startsOn is required, a date like 2026-09-07.");
        }

        if (!RotaTimes.TryParseTime(r.HandoffTime, out var handoff))
        {
            errors.Add($"{label}: handoffTime is required, a local time like 08:00.");
        }

        if (r.ShiftHours is not { } hours || hours < 1 || hours > MaxShiftHours)
        {
            errors.Add($"{label}: shiftHours is required, 1 to {MaxShiftHours} (24 for daily turns, 168 for weekly).");
        }

        var windows = new List<WeeklyWindow>();
        var restrictions = r.Restrictions ?? [];
        for (var i = 0; i < restrictions.Count; i++)
        {
            var w = restrictions[i];
            var where = $"{label} restrictions[{i}]";
            if (w is null)
            {
                errors.Add($"{where}: a restriction is required, not null.");
                continue;
            }

            var days = w.Days ?? [];
            if (days.Count == 0)
            {
                errors.Add($"{where}: days is required, for example [\"Monday\", \"Friday\"].");
            }

            var parsedDays = new List<DayOfWeek>();
            foreach (var day in days)
            {
                if (RotaTimes.TryParseDay(day, out var d))
                {
                    parsedDays.Add(d);
                }
                else
                {
                    errors.Add($"{where}: '{day}' is not a day of the week.");
                }
            }

            var startOk = RotaTimes.TryParseTime(w.Start, out var start);
            var endOk = RotaTimes.TryParseTime(w.End, out var end);
            if (!startOk || !endOk)
            {
                errors.Add($"{where}: start and end are required, local times like 08:00 and 18:00.");
                continue;
            }

            windows.AddRange(parsedDays.Select(d => new WeeklyWindow(d, start, end)));
        }

        if (windows.Count > MaxRestrictions)
        {
            errors.Add($"{label}: at most {MaxRestrictions} restriction windows.");
        }

        foreach (var clash in windows.GroupBy(w => (w.Day, w.Start)).Where(g => g.Count() > 1))
        {
            errors.Add($"{label}: two restrictions start at {RotaTimes.Format(clash.Key.Start)} on {clash.Key.Day}.");
        }

        return errors.Count > before
            ? null
            : new RotationDraft(r.Id, name, layer, [.. members], startsOn, handoff, r.ShiftHours!.Value, windows, r.RunsInHolidays ?? false);
    }

    private static List<DateRange> ReadDates(IReadOnlyList<TermDatesRequest?>? requested, string at, List<string> errors)
    {
        var ranges = new List<DateRange>();
        var list = requested ?? [];
        if (list.Count > MaxCalendarEntries)
        {
            errors.Add($"{at}: at most {MaxCalendarEntries} entries.");
        }

        for (var i = 0; i < list.Count; i++)
        {
            var d = list[i];
            if (d is null)
            {
                errors.Add($"{at}[{i}]: an entry is required, not null.");
                continue;
            }

            var name = d.Name?.Trim() ?? "";
            var label = name.Length > 0 ? $"{at}[{i}] '{name}'" : $"{at}[{i}]";
            var ok = true;
            if (name.Length is 0 or > 100)
            {
                errors.Add($"{label}: name is required, at most 100 characters.");
                ok = false;
            }

            if (!RotaTimes.TryParseDate(d.FirstDay, out var first) || !RotaTimes.TryParseDate(d.LastDay, out var last))
            {
                errors.Add($"{label}: firstDay and lastDay are required, dates like 2026-10-26.");
                continue;
            }

            if (ok)
            {
                ranges.Add(new DateRange(name, first, last));
            }
        }

        return ranges;
    }
}
