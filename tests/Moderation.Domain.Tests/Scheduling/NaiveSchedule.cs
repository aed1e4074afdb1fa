using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Tests.Scheduling;

/// <summary>
/// An independent, deliberately simple model of the rota rules, evaluated one instant at a time: it finds each turn by
/// counting from the rotation's start and checks windows, term days and absences at that instant. It shares nothing
/// with the engine except <see cref="LondonTime"/> (tested on its own) and the calendar's day lookup.
/// </summary>
internal static class NaiveSchedule
{
    public sealed record Duty(Guid UserId, ShiftSource Source, Guid? CoveringFor);

    public static (List<Duty> OnDuty, GapReason? Gap) At(RotaDefinition rota, DateTimeOffset t)
    {
        bool Absent(Guid user) => rota.Absences.Any(a => a.UserId == user && a.StartUtc <= t && t < a.EndUtc);

        var tiers = new List<List<(Guid User, ShiftSource Source)>>();
        var overrides = rota.Overrides.Where(o => o.StartUtc <= t && t < o.EndUtc).Select(o => (o.UserId, ShiftSource.Override)).ToList();
        if (overrides.Count > 0)
        {
            tiers.Add(overrides);
        }

        foreach (var group in rota.Layers.GroupBy(l => l.Layer).OrderByDescending(g => g.Key))
        {
            var holders = group.Select(l => TurnHolder(rota, l, t)).OfType<Guid>().Select(u => (u, ShiftSource.Rotation)).ToList();
            if (holders.Count > 0)
            {
                tiers.Add(holders);
            }
        }

        var anyVacancy = false;
        foreach (var tier in tiers)
        {
            var onDuty = tier.Where(x => !Absent(x.User)).Select(x => x.User).ToHashSet();
            var result = new List<Duty>();
            foreach (var (user, source) in tier)
            {
                if (!Absent(user))
                {
                    result.Add(new Duty(user, source, null));
                    continue;
                }

                var named = rota.Absences
                    .Where(a => a.UserId == user && a.StartUtc <= t && t < a.EndUtc && a.CoverUserId is { } c && c != user && !Absent(c))
                    .Select(a => a.CoverUserId)
                    .FirstOrDefault();
                var present = rota.CoverPool.Where(p => p != user && !Absent(p)).ToList();
                var cover = named ?? present.Where(p => !onDuty.Contains(p)).Select(p => (Guid?)p).FirstOrDefault()
                    ?? present.Select(p => (Guid?)p).FirstOrDefault();
                if (cover is { } c2)
                {
                    result.Add(new Duty(c2, ShiftSource.Cover, user));
                    onDuty.Add(c2);
                }
            }

            if (result.Count > 0)
            {
                return (result, null);
            }

            anyVacancy = true;
        }

        if (anyVacancy)
        {
            return ([], GapReason.NoCover);
        }

        return ([], rota.Calendar.IsTermDay(DateOnly.FromDateTime(LondonTime.ToLocal(t))) ? GapReason.OutsideRotaHours : GapReason.Holiday);
    }

    private static Guid? TurnHolder(RotaDefinition rota, RotationLayer layer, DateTimeOffset t)
    {
        if (layer.Members.Count == 0)
        {
            return null;
        }

        var localDate = DateOnly.FromDateTime(LondonTime.ToLocal(t));
        if (!layer.RunsInHolidays && !rota.Calendar.IsTermDay(localDate))
        {
            return null;
        }

        if (layer.Restrictions.Count > 0 && !InWindow(layer.Restrictions, t, localDate))
        {
            return null;
        }

        // Count turns from the start on the local clock: turn n runs from start + n × length to start + (n + 1) × length.
        var estimate = (LondonTime.ToLocal(t) - layer.StartsAt).Ticks / layer.ShiftLength.Ticks;
        for (var n = Math.Max(0, estimate - 3); n <= estimate + 3; n++)
        {
            var start = LondonTime.ToUtc(layer.StartsAt + (layer.ShiftLength * n));
            var end = LondonTime.ToUtc(layer.StartsAt + (layer.ShiftLength * (n + 1)));
            if (start <= t && t < end)
            {
                return layer.Members[(int)(n % layer.Members.Count)];
            }
        }

        return null;
    }

    private static bool InWindow(IReadOnlyList<WeeklyWindow> windows, DateTimeOffset t, DateOnly localDate)
    {
        foreach (var day in new[] { localDate.AddDays(-1), localDate })
        {
            foreach (var w in windows.Where(w => w.Day == day.DayOfWeek))
            {
                var start = LondonTime.ToUtc(day, w.Start);
                var end = LondonTime.ToUtc(w.End > w.Start ? day : day.AddDays(1), w.End);
                if (start <= t && t < end)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
