using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening;

/// <summary>
/// Personal data must not be disclosed (003 §3.1(f), 004 §5): UK phone numbers, e-mail addresses, postcodes and
/// dates of birth are found so the reviewer can redact them.
/// </summary>
/// <remarks>
/// Most texts hold none of these, so each expression runs only where a match could begin: a cheap scan for what every
/// match must contain ('@', a '+' or '0' and nine digits, a digit followed by two letters, a digit) skips the rest of
/// the text or all of it. The expressions themselves are unchanged, and <see cref="ScreenWholeText"/> keeps the plain
/// scan that tests compare against.
/// </remarks>
public sealed partial class PersonalDataScreener : ITextScreener
{
    // The longest outward code and its space ("SW1A ", "GIR "): a postcode starts at most this far before its inward code.
    private const int PostcodeOutwardReach = 5;

    // A phone number has at least nine digits: [1-37-9] and eight more.
    private const int PhoneMinimumDigits = 9;

    public string Name => "personal-data";

    public IEnumerable<Finding> Screen(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<Finding>();
        var at = text.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            Add(findings, Email(), text, LocalPartStart(text, at), Kind.Email);
        }

        var digits = CountDigits(text);
        if (digits == 0)
        {
            return findings;
        }

        if (digits >= PhoneMinimumDigits && text.AsSpan().IndexOfAny('+', '0') is var phoneStart and >= 0)
        {
            Add(findings, UkPhone(), text, phoneStart, Kind.Phone);
        }

        if (FirstInwardCode(text) is var inward and >= 0)
        {
            Add(findings, UkPostcode(), text, Math.Max(0, inward - PostcodeOutwardReach), Kind.Postcode);
        }

        Add(findings, DateOfBirth(), text, 0, Kind.DateOfBirth);
        return findings;
    }

    /// <summary>Every expression over the whole text, with no shortcuts: what <see cref="Screen"/> must always agree with.</summary>
    internal static List<Finding> ScreenWholeText(string text)
    {
        var findings = new List<Finding>();
        Add(findings, Email(), text, 0, Kind.Email);
        Add(findings, UkPhone(), text, 0, Kind.Phone);
        Add(findings, UkPostcode(), text, 0, Kind.Postcode);
        Add(findings, DateOfBirth(), text, 0, Kind.DateOfBirth);
        return findings;
    }

    private enum Kind
    {
        Email,
        Phone,
        Postcode,
        DateOfBirth,
    }

    /// <summary>The matches from <paramref name="startAt"/> on; the expression still sees the text before it (\b, lookbehind).</summary>
    private static void Add(List<Finding> findings, Regex regex, string text, int startAt, Kind kind)
    {
        foreach (var m in regex.EnumerateMatches(text, startAt))
        {
            findings.Add(kind switch
            {
                Kind.Email => new("PersonalData", "email", FindingSeverity.Warning, m.Index, m.Length, "An e-mail address."),
                Kind.Phone => new("PersonalData", "uk-phone", FindingSeverity.Warning, m.Index, m.Length, "A UK phone number."),
                Kind.Postcode => new("PersonalData", "uk-postcode", FindingSeverity.Warning, m.Index, m.Length, "A UK postcode, which can locate a home."),
                _ => new("PersonalData", "date-of-birth", FindingSeverity.Warning, m.Index, m.Length, "A date of birth."),
            });
        }
    }

    /// <summary>
    /// Where the run of local-part characters before the first '@' starts. Every address holds exactly one '@' and its
    /// local part is a run of those characters just before it, so no address starts earlier.
    /// </summary>
    private static int LocalPartStart(string text, int at)
    {
        var start = at;
        while (start > 0 && (char.IsAsciiLetterOrDigit(text[start - 1]) || text[start - 1] is '.' or '_' or '%' or '+' or '-'))
        {
            start--;
        }

        return start;
    }

    /// <summary>The digits in the text, as <c>\d</c> counts them (any Unicode decimal digit).</summary>
    private static int CountDigits(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (char.IsDigit(c))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The first digit followed by two letters (a postcode's inward code, "1AA"), or -1. Any letter counts, which is
    /// more than the expression's [A-Z] ignoring case: this only decides where to look.
    /// </summary>
    private static int FirstInwardCode(string text)
    {
        for (var i = 0; i + 2 < text.Length; i++)
        {
            if (char.IsDigit(text[i]) && char.IsLetter(text[i + 1]) && char.IsLetter(text[i + 2]))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    // Mobiles (07…), geographic (01…, 02…) and non-geographic (03…, 08…, 09…): ten or eleven digits after the 0 or
    // +44, with single spaces or dashes anywhere between them.
    [GeneratedRegex(@"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|0)[1-37-9](?:[\s-]?\d){8,9}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex UkPhone();

    [GeneratedRegex(@"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UkPostcode();

    [GeneratedRegex(@"\b(?:born(?:\s+on)?|d\.?o\.?b\.?|date\s+of\s+birth|birthday)\s*:?\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+\d{4})?)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DateOfBirth();
}
