using System.Text.RegularExpressions;

namespace Moderation.Domain.Screening;

/// <summary>
/// Personal data must not be disclosed (003 §3.1(f), 004 §5): UK phone numbers, e-mail addresses, postcodes and
/// dates of birth are found so the reviewer can redact them.
/// </summary>
public sealed partial class PersonalDataScreener : ITextScreener
{
    public string Name => "personal-data";

    public IEnumerable<Finding> Screen(string text)
    {
        foreach (Match m in Email().Matches(text))
        {
            yield return new("PersonalData", "email", FindingSeverity.Warning, m.Index, m.Length, "An e-mail address.");
        }

        foreach (Match m in UkPhone().Matches(text))
        {
            yield return new("PersonalData", "uk-phone", FindingSeverity.Warning, m.Index, m.Length, "A UK phone number.");
        }

        foreach (Match m in UkPostcode().Matches(text))
        {
            yield return new("PersonalData", "uk-postcode", FindingSeverity.Warning, m.Index, m.Length, "A UK postcode, which can locate a home.");
        }

        foreach (Match m in DateOfBirth().Matches(text))
        {
            yield return new("PersonalData", "date-of-birth", FindingSeverity.Warning, m.Index, m.Length, "A date of birth.");
        }
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
