namespace Moderation.Domain.Rota.Scheduling;

/// <summary>
/// The school year: terms, and the closures inside them (half term, INSET days, bank holidays). A term day is a local
/// date inside a term and outside every closure. With no terms at all, every day is a term day, for a rota that runs
/// all year; closures still apply.
/// </summary>
/// <remarks>
/// Days that are not term days are holidays: rotation layers have nobody on duty then unless they are marked
/// <see cref="RotationLayer.RunsInHolidays"/>. Overrides still apply. Days are whole local days, midnight to midnight
/// in Europe/London (ADR 0201).
/// </remarks>
public sealed record TermCalendar
{
    /// <summary>No terms: every day is a term day.</summary>
    public static TermCalendar AllYear { get; } = new();

    public IReadOnlyList<DateRange> Terms { get; init; } = [];

    public IReadOnlyList<DateRange> Closures { get; init; } = [];

    public bool IsTermDay(DateOnly date) => HolidayName(date) is null;

    /// <summary>The closure's name, or "outside term", on a day that is not a term day; otherwise null.</summary>
    public string? HolidayName(DateOnly date)
    {
        foreach (var closure in Closures)
        {
            if (closure.Contains(date))
            {
                return closure.Name;
            }
        }

        if (Terms.Count == 0)
        {
            return null;
        }

        foreach (var term in Terms)
        {
            if (term.Contains(date))
            {
                return null;
            }
        }

        return OutsideTerm;
    }

    /// <summary>The holiday name of a day between terms.</summary>
    public const string OutsideTerm = "outside term";
}

/// <summary>Named local dates from <see cref="FirstDay"/> to <see cref="LastDay"/>, both included.</summary>
public sealed record DateRange(string Name, DateOnly FirstDay, DateOnly LastDay)
{
    public bool Contains(DateOnly date) => FirstDay <= date && date <= LastDay;
}
