using System.Text;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Screening.Names;

/// <summary>One replaced name: <see cref="Offset"/> and <see cref="Length"/> index the original text.</summary>
public sealed record RedactionSpan(int Offset, int Length, Guid PupilId, string Replacement);

/// <summary>The text with names replaced under the school's policy, and what was replaced where.</summary>
public sealed record RedactionResult(string RedactedText, IReadOnlyList<RedactionSpan> Spans);

/// <summary>
/// Rewrites pupil names to what the school's <see cref="NamePolicy"/> allows (000 "Moderation of content": no names;
/// 003 §6.3(f): first names or initials, never full names). Only the names change: spacing, punctuation and a
/// possessive "'s" stay as written.
/// </summary>
public static class NameRedactor
{
    /// <summary>What a name becomes where no name is allowed.</summary>
    public const string Placeholder = "[pupil]";

    /// <summary>
    /// <list type="bullet">
    /// <item><see cref="NamePolicy.NoNames"/>: every reference becomes <see cref="Placeholder"/>.</item>
    /// <item><see cref="NamePolicy.FirstNameOnly"/>: a full name becomes the forename the school uses (preferred, else
    /// legal); "O. Smith" too when only one pupil fits it, else "O."; a surname alone becomes the placeholder; a
    /// forename alone and initials alone stay.</item>
    /// <item><see cref="NamePolicy.InitialsOnly"/>: every written name becomes its initials ("Olivia Smith" → "O.S.",
    /// "Olivia" → "O."); initials alone stay.</item>
    /// </list>
    /// Overlapping matches after the first are ignored; a match for a pupil not on <paramref name="roster"/> that needs
    /// the roster becomes the placeholder.
    /// </summary>
    public static RedactionResult Redact(string text, IReadOnlyList<NameMatch> matches, IReadOnlyList<RosterPupil> roster, NamePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(roster);
        return Redact(text, matches, new RosterDirectory(roster), policy);
    }

    /// <summary>
    /// As <see cref="Redact(string, IReadOnlyList{NameMatch}, IReadOnlyList{RosterPupil}, NamePolicy)"/>, against the
    /// roster the matcher was built from, through the look-ups it compiled with it: what screening uses.
    /// </summary>
    public static RedactionResult Redact(string text, IReadOnlyList<NameMatch> matches, NameMatcher roster, NamePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(roster);
        return Redact(text, matches, roster.Directory, policy);
    }

    private static RedactionResult Redact(string text, IReadOnlyList<NameMatch> matches, RosterDirectory roster, NamePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        if (matches.Count == 0)
        {
            return new RedactionResult(text, []);
        }

        var ordered = matches.OrderBy(m => m.Offset).ThenByDescending(m => m.Length).ToList();
        var spans = new List<RedactionSpan>(ordered.Count);
        var output = new StringBuilder(text.Length);
        var copied = 0;
        foreach (var match in ordered)
        {
            ArgumentNullException.ThrowIfNull(match, nameof(matches));
            if (match.Offset < 0 || match.Length <= 0 || match.Offset > text.Length - match.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(matches), match, "A name match lies outside the text.");
            }

            if (match.Offset < copied)
            {
                continue;
            }

            var written = text.Substring(match.Offset, match.Length);
            var replacement = Replacement(written, match, roster, policy);
            var end = match.Offset + match.Length;

            // "Olivia Smith." under InitialsOnly is "O.S.", not "O.S..".
            if (replacement.EndsWith('.') && end < text.Length && text[end] == '.')
            {
                replacement = replacement[..^1];
            }

            if (replacement == written)
            {
                continue;
            }

            output.Append(text, copied, match.Offset - copied).Append(replacement);
            copied = end;
            spans.Add(new RedactionSpan(match.Offset, match.Length, match.PupilId, replacement));
        }

        output.Append(text, copied, text.Length - copied);
        return new RedactionResult(spans.Count == 0 ? text : output.ToString(), spans);
    }

    private static string Replacement(string written, NameMatch match, RosterDirectory roster, NamePolicy policy) =>
        (policy, match.Kind) switch
        {
            (NamePolicy.NoNames, _) => Placeholder,
            (_, NameMatchKind.Initials) => written,
            (NamePolicy.FirstNameOnly, NameMatchKind.ForenameOnly) => written,
            (NamePolicy.FirstNameOnly, NameMatchKind.SurnameOnly) => Placeholder,
            (NamePolicy.FirstNameOnly, NameMatchKind.FullName) => roster.Find(match.PupilId)?.SchoolForename ?? Placeholder,
            (NamePolicy.FirstNameOnly, NameMatchKind.InitialAndSurname) => ForenameForInitial(written, match, roster),
            (NamePolicy.InitialsOnly, _) => InitialsOf(written),
            _ => Placeholder,
        };

    /// <summary>
    /// "O. Smith" becomes the pupil's forename only when one pupil on the roster has that initial and surname: with
    /// twins Olivia and Oscar Smith it stays "O.", rather than naming the wrong child.
    /// </summary>
    private static string ForenameForInitial(string written, NameMatch match, RosterDirectory roster)
    {
        var initial = FirstLetter(written);
        var pupil = roster.Find(match.PupilId);
        if (pupil is null || initial is null)
        {
            return Placeholder;
        }

        var fits = roster.CountWithInitial(PupilNameFolding.FoldKey(pupil.Surname), PupilNameFolding.FoldKey(initial));
        return fits == 1 ? pupil.SchoolForename : initial + ".";
    }

    /// <summary>
    /// The initials of the words as written, one per part, skipping particles: "Olivia Smith" → "O.S.",
    /// "Zoë Núñez-Taylor" → "Z.N.T.", "Amelia van der Berg" → "A.B.", "Jack O'Brien" → "J.O.".
    /// </summary>
    private static string InitialsOf(string written)
    {
        var result = new StringBuilder(8);
        var fallback = new StringBuilder(8);
        foreach (var part in written.Split((char[])[' ', '\t', '\n', '\r', '\u00A0', '.', '-', '\u2010', '\u2011', '\u2013'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (FirstLetter(part) is not { } initial)
            {
                continue;
            }

            fallback.Append(initial).Append('.');
            if (!IsParticle(part))
            {
                result.Append(initial).Append('.');
            }
        }

        return result.Length > 0 ? result.ToString() : fallback.Length > 0 ? fallback.ToString() : Placeholder;
    }

    /// <summary>The first letter in upper case, with any combining marks that belong to it ("e\u0301" gives "É").</summary>
    private static string? FirstLetter(string written)
    {
        for (var k = 0; k < written.Length; k++)
        {
            if (!char.IsLetter(written[k]))
            {
                continue;
            }

            var end = k + 1;
            while (end < written.Length && PupilNameFolding.IsCombiningMark(written[end]))
            {
                end++;
            }

            return char.ToUpperInvariant(written[k]) + written[(k + 1)..end];
        }

        return null;
    }

    /// <summary>"van", "der", "Al" are skipped; a single letter is an initial, never a particle.</summary>
    private static bool IsParticle(string part)
    {
        var tokens = PupilNameFolding.FoldTokens(part);
        return tokens.Count == 1 && tokens[0].Length > 1 && NameLexicon.IsParticle(tokens[0]);
    }
}
