using System.Globalization;
using System.Text.RegularExpressions;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Domain.Rota;

/// <summary>
/// Reads the dates and times people type for rotas. A date alone means whole London days: as the start of a range it is
/// that day's local midnight, as the end it includes that day (the next local midnight). A date and time without an
/// offset is London wall-clock time (ADR 0201's rules for skipped and repeated hours). A date and time with an offset
/// or <c>Z</c> is that instant.
/// </summary>
public static partial class RotaTimes
{
    private static readonly string[] s_timeFormats = ["HH:mm", "HH:mm:ss"];

    /// <summary>The start of a range: "2026-11-02" is London midnight at its start.</summary>
    public static bool TryParseStart(string? text, out DateTimeOffset instant) => TryParseInstant(text, endOfDay: false, out instant);

    /// <summary>The end of a range: "2026-11-06" includes the whole day, up to the next London midnight.</summary>
    public static bool TryParseEnd(string? text, out DateTimeOffset instant) => TryParseInstant(text, endOfDay: true, out instant);

    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>"08:00" or "08:00:00", 24-hour.</summary>
    public static bool TryParseTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text?.Trim(), s_timeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>An English day name ("Monday", any case); numbers are refused.</summary>
    public static bool TryParseDay(string? text, out DayOfWeek day)
    {
        day = default;
        var trimmed = text?.Trim();
        return !string.IsNullOrEmpty(trimmed) && char.IsLetter(trimmed[0]) && Enum.TryParse(trimmed, ignoreCase: true, out day);
    }

    /// <summary>"08:00", as the API shows a local time.</summary>
    public static string Format(TimeOnly time) =>
        time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The instant with London's offset at that moment, for showing local time unambiguously.</summary>
    public static DateTimeOffset InLondon(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, LondonTime.Zone);

    private static bool TryParseInstant(string? text, bool endOfDay, out DateTimeOffset instant)
    {
        instant = default;
        var trimmed = text?.Trim() ?? "";
        if (TryParseDate(trimmed, out var date))
        {
            instant = LondonTime.ToUtc(endOfDay ? date.AddDays(1) : date, TimeOnly.MinValue);
            return true;
        }

        if (LocalDateTime().IsMatch(trimmed))
        {
            if (!DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                return false;
            }

            instant = LondonTime.ToUtc(local);
            return true;
        }

        if (OffsetDateTime().IsMatch(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            instant = parsed.ToUniversalTime();
            return true;
        }

        return false;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")]
    private static partial Regex LocalDateTime();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetDateTime();
}
