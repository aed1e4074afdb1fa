using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Rota;

/// <summary>Turns a stored <see cref="DutyRota"/> into the <see cref="RotaDefinition"/> the scheduling engine reads.</summary>
public static class RotaMapping
{
    /// <remarks>
    /// Order matters to the engine, so it is fixed here: rotations as the rota lists them (equal layers are on duty
    /// together in that order), members and the cover pool in turn order, and overrides and absences in the order they
    /// were recorded, so that overlapping absences resolve the way ADR 0201 says.
    /// </remarks>
    public static RotaDefinition ToDefinition(DutyRota rota)
    {
        ArgumentNullException.ThrowIfNull(rota);
        return new RotaDefinition
        {
            Id = rota.Id,
            Name = rota.Name,
            SchoolIds = [.. rota.Schools.Select(s => s.SchoolId).Order()],
            Layers = [.. rota.Rotations.OrderBy(r => r.Position).ThenBy(r => r.Name, StringComparer.Ordinal).Select(ToLayer)],
            Overrides = [.. rota.Overrides.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
                .Select(o => new RotaOverride(o.UserId, o.StartsAt.ToUniversalTime(), o.EndsAt.ToUniversalTime(), o.Reason))],
            Absences = [.. rota.Absences.OrderBy(a => a.RecordedAt).ThenBy(a => a.Id)
                .Select(a => new Absence(a.UserId, a.StartsAt.ToUniversalTime(), a.EndsAt.ToUniversalTime(), a.Kind, a.CoverUserId))],
            CoverPool = [.. rota.CoverPool.OrderBy(c => c.Order).Select(c => c.UserId)],
            Calendar = ToCalendar(rota.TermDates),
        };
    }

    public static RotationLayer ToLayer(Rotation rotation)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        return new RotationLayer
        {
            Id = rotation.Id,
            Name = rotation.Name,
            Layer = rotation.Layer,
            Members = [.. rotation.Members.OrderBy(m => m.Order).Select(m => m.UserId)],
            StartsOn = rotation.StartsOn,
            HandoffTime = rotation.HandoffTime,
            ShiftLength = TimeSpan.FromHours(rotation.ShiftHours),
            Restrictions = [.. rotation.Restrictions.OrderBy(w => DayIndex(w.Day)).ThenBy(w => w.Start)
                .Select(w => new WeeklyWindow(w.Day, w.Start, w.End))],
            RunsInHolidays = rotation.RunsInHolidays,
        };
    }

    public static TermCalendar ToCalendar(IEnumerable<RotaTermDate> dates)
    {
        ArgumentNullException.ThrowIfNull(dates);
        var sorted = dates.OrderBy(d => d.FirstDay).ThenBy(d => d.LastDay).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
        return sorted.Count == 0
            ? TermCalendar.AllYear
            : new TermCalendar
            {
                Terms = [.. sorted.Where(d => d.Kind == TermDateKind.Term).Select(d => new DateRange(d.Name, d.FirstDay, d.LastDay))],
                Closures = [.. sorted.Where(d => d.Kind == TermDateKind.Closure).Select(d => new DateRange(d.Name, d.FirstDay, d.LastDay))],
            };
    }

    /// <summary>Monday first, as a school week is read.</summary>
    public static int DayIndex(DayOfWeek day) => ((int)day + 6) % 7;
}
