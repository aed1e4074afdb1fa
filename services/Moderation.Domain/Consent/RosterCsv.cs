using System.Globalization;
using CsvHelper;

namespace Moderation.Domain.Consent;

/// <summary>One pupil's line of a roster and consent export, validated.</summary>
public sealed record RosterRow(
    int Line,
    string MisId,
    string LegalForename,
    string? PreferredForename,
    string Surname,
    string YearGroup,
    IReadOnlyDictionary<ConsentChannel, ConsentStatus> Consents,
    string? Restriction,
    bool NeverPublish,
    DateOnly EffectiveFrom,
    DateOnly? ExpiresOn,
    string Source);

public sealed record RosterError(int Line, string Message);

public sealed record RosterParse(IReadOnlyList<RosterRow> Rows, IReadOnlyList<RosterError> Errors)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>
/// Reads a roster and consent CSV as a school MIS exports it. Every bad row is reported with its line number; the
/// caller applies nothing unless the whole file is valid.
/// </summary>
/// <remarks>
/// Columns (header names are case- and space-insensitive): MIS id, legal forename, preferred forename, surname, year
/// group, one column per channel (website, social media, press, internal displays: granted, objected, restricted or
/// empty), restriction, never publish (yes/no), effective from, expires on, source. Dates are ISO (2026-09-01) or UK
/// (01/09/2026).
/// </remarks>
public static class RosterCsv
{
    public const int MaxRows = 20_000;
    public const string DefaultSource = "MIS export";

    private static readonly Dictionary<string, ConsentChannel> s_channelColumns = new(StringComparer.Ordinal)
    {
        ["website"] = ConsentChannel.Website,
        ["socialmedia"] = ConsentChannel.SocialMedia,
        ["press"] = ConsentChannel.Press,
        ["internaldisplays"] = ConsentChannel.InternalDisplays,
    };

    private static readonly string[] s_required = ["misid", "legalforename", "surname", "yeargroup", "effectivefrom"];

    public static RosterParse Parse(TextReader reader)
    {
        var rows = new List<RosterRow>();
        var errors = new List<RosterError>();
        var options = CsvReaderOptions.Default with { TrackLineNumbers = true, HasHeader = true };
        using var csv = CsvReader.Create(reader, options, leaveOpen: true);
        string[] header;
        try
        {
            header = [.. csv.Headers];
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
        {
            return new([], [new RosterError(1, $"The header line cannot be read: {ex.Message}")]);
        }

        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            return new([], [new RosterError(1, "The file is empty; the first line must be the column headers.")]);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            index.TryAdd(Key(header[i]), i);
        }

        var missing = s_required.Where(r => !index.ContainsKey(r)).ToList();
        if (missing.Count > 0)
        {
            return new([], [new RosterError(1, $"Missing column(s): {string.Join(", ", missing)}. Found: {string.Join(", ", header)}.")]);
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            try
            {
                if (!csv.Read())
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or InvalidDataException)
            {
                errors.Add(new RosterError(rows.Count + errors.Count + 2, $"Unreadable CSV: {ex.Message}"));
                break;
            }

            var line = (int)csv.LineNumber;
            if (rows.Count + errors.Count >= MaxRows)
            {
                errors.Add(new RosterError(line, $"More than {MaxRows} rows; split the file."));
                break;
            }

            string? Field(string name)
            {
                if (!index.TryGetValue(name, out var i) || i >= csv.FieldCount)
                {
                    return null;
                }

                var value = csv.GetString(i);
                return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
            }

            var problems = new List<string>();
            var misId = Field("misid");
            var legal = Field("legalforename");
            var surname = Field("surname");
            var year = Field("yeargroup");
            if (misId is null && legal is null && surname is null)
            {
                continue; // a blank line
            }

            if (misId is null)
            {
                problems.Add("MIS id is empty");
            }
            else if (seen.TryGetValue(misId, out var first))
            {
                problems.Add($"MIS id {misId} is also on line {first}");
            }
            else
            {
                seen[misId] = line;
            }

            if (legal is null)
            {
                problems.Add("legal forename is empty");
            }

            if (surname is null)
            {
                problems.Add("surname is empty");
            }

            if (year is null)
            {
                problems.Add("year group is empty");
            }

            var consents = new Dictionary<ConsentChannel, ConsentStatus>();
            foreach (var (column, channel) in s_channelColumns)
            {
                var value = Field(column);
                if (value is null)
                {
                    continue;
                }

                if (ParseStatus(value) is { } status)
                {
                    consents[channel] = status;
                }
                else
                {
                    problems.Add($"{channel} consent '{value}' is not granted, objected or restricted");
                }
            }

            var restriction = Field("restriction");
            if (consents.ContainsValue(ConsentStatus.Restricted) && restriction is null)
            {
                problems.Add("a restricted consent needs the restriction (for example 'group photos only')");
            }

            var neverPublish = false;
            if (Field("neverpublish") is { } np)
            {
                if (ParseYesNo(np) is { } flag)
                {
                    neverPublish = flag;
                }
                else
                {
                    problems.Add($"never publish '{np}' is not yes or no");
                }
            }

            var effective = ParseDate(Field("effectivefrom"), "effective from", required: true, problems);
            var expires = ParseDate(Field("expireson"), "expires on", required: false, problems);
            if (effective is { } from && expires is { } to && to < from)
            {
                problems.Add($"expires on {to:yyyy-MM-dd} is before effective from {from:yyyy-MM-dd}");
            }

            if (problems.Count > 0)
            {
                errors.Add(new RosterError(line, string.Join("; ", problems) + "."));
                continue;
            }

            rows.Add(new RosterRow(
                line, misId!, legal!, Field("preferredforename"), surname!, year!, consents, restriction, neverPublish,
                effective!.Value, expires, Field("source") ?? DefaultSource));
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new RosterError(2, "The file has headers but no pupils."));
        }

        return new(rows, errors);
    }

    private static string Key(string header) =>
        new([.. header.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static ConsentStatus? ParseStatus(string value) => Key(value) switch
    {
        "granted" or "yes" or "y" or "consented" => ConsentStatus.Granted,
        "objected" or "no" or "n" or "refused" or "withdrawn" => ConsentStatus.Objected,
        "restricted" => ConsentStatus.Restricted,
        _ => null,
    };

    private static bool? ParseYesNo(string value) => Key(value) switch
    {
        "yes" or "y" or "true" or "1" => true,
        "no" or "n" or "false" or "0" => false,
        _ => null,
    };

    private static DateOnly? ParseDate(string? value, string name, bool required, List<string> problems)
    {
        if (value is null)
        {
            if (required)
            {
                problems.Add($"{name} is empty");
            }

            return null;
        }

        if (DateOnly.TryParseExact(value, ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        problems.Add($"{name} '{value}' is not a date (use 2026-09-01 or 01/09/2026)");
        return null;
    }
}
