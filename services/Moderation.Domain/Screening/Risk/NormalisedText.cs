namespace Moderation.Domain.Screening.Risk;

/// <summary>A word of the canonical text: <see cref="Start"/> and <see cref="Length"/> index <see cref="NormalisedText.Text"/>.</summary>
/// <param name="IsSpacedRun">The word was written as single letters with spaces or dots between them ("k.i.l.l").</param>
public readonly record struct NormalisedToken(int Start, int Length, bool IsSpacedRun)
{
    public int End => Start + Length;
}

/// <summary>
/// Text folded to a canonical form that the rules match against: lower-case Latin letters, digits and apostrophes,
/// one space between words. Every canonical character remembers the span of the original it came from, so a match
/// is reported where the writer put it.
/// </summary>
public sealed class NormalisedText
{
    private readonly int[] _originalStarts;
    private readonly int[] _originalEnds;
    private readonly NormalisedToken[] _tokens;
    private readonly int[] _ambiguous;
    private string? _spaceLedText;
    private bool? _wordsAreSpaced;

    internal NormalisedText(string original, string text, int[] originalStarts, int[] originalEnds, NormalisedToken[] tokens, int[] ambiguous)
    {
        Original = original;
        Text = text;
        _originalStarts = originalStarts;
        _originalEnds = originalEnds;
        _tokens = tokens;
        _ambiguous = ambiguous;
    }

    public string Original { get; }

    public string Text { get; }

    public IReadOnlyList<NormalisedToken> Tokens => _tokens;

    /// <summary>Canonical positions written from a '1', which stands for either 'i' or 'l'.</summary>
    internal ReadOnlySpan<int> AmbiguousPositions => _ambiguous;

    internal ReadOnlySpan<NormalisedToken> TokenSpan => _tokens;

    /// <summary>The canonical text with a space in front, for the phrase rules' space-led expressions (<see cref="PatternRule.SpaceLed"/>).</summary>
    internal string SpaceLedText => _spaceLedText ??= " " + Text;

    /// <summary>
    /// Every character is a letter, a digit, an underscore, an apostrophe or a single space between two words, as the
    /// normaliser writes it. Then a position with no letter, digit or apostrophe before it is the start of the text or
    /// a position after a space, so a rule led by a space finds exactly what the rule as written finds. A letter outside
    /// the Basic Multilingual Plane, kept as two surrogates, is the one thing the normaliser can write that breaks this.
    /// </summary>
    internal bool WordsAreSpaced => _wordsAreSpaced ??= AreWordsSpaced(Text);

    /// <summary>The span of the original text that a span of the canonical text came from.</summary>
    public (int Offset, int Length) ToOriginal(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Text.Length);
        var offset = _originalStarts[start];
        return (offset, _originalEnds[start + length - 1] - offset);
    }

    /// <summary>
    /// The same text with every run of three or more of one letter cut to one ("kiiiill" → "kill", "sooo" → "so"), each
    /// kept letter mapping back to the whole run: what the phrase patterns read.
    /// </summary>
    internal NormalisedText WithLongRunsCollapsed()
    {
        var text = Text.AsSpan();
        var hasLongRun = false;
        for (var i = 2; i < text.Length && !hasLongRun; i++)
        {
            hasLongRun = text[i] == text[i - 1] && text[i] == text[i - 2] && char.IsAsciiLetter(text[i]);
        }

        if (!hasLongRun)
        {
            return this;
        }

        var chars = new char[text.Length];
        var starts = new int[text.Length];
        var ends = new int[text.Length];
        var tokens = new NormalisedToken[_tokens.Length];
        var length = 0;
        var t = 0;
        for (var i = 0; i < text.Length;)
        {
            if (t < _tokens.Length && i == _tokens[t].Start)
            {
                var tokenStart = length;
                var end = _tokens[t].End;
                while (i < end)
                {
                    var run = 1;
                    while (i + run < end && text[i + run] == text[i])
                    {
                        run++;
                    }

                    var kept = run >= 3 && char.IsAsciiLetter(text[i]) ? 1 : run;
                    for (var k = 0; k < kept; k++)
                    {
                        chars[length] = text[i];
                        starts[length] = _originalStarts[i + k];
                        ends[length] = _originalEnds[kept == run ? i + k : i + run - 1];
                        length++;
                    }

                    i += run;
                }

                tokens[t] = new NormalisedToken(tokenStart, length - tokenStart, _tokens[t].IsSpacedRun);
                t++;
                continue;
            }

            chars[length] = text[i];
            starts[length] = _originalStarts[i];
            ends[length] = _originalEnds[i];
            length++;
            i++;
        }

        return new NormalisedText(Original, new string(chars, 0, length), starts[..length], ends[..length], tokens, []);
    }

    /// <summary>
    /// The same text with some canonical spans replaced by marker words (a matched name becomes <c>_staff_</c>); each
    /// marker maps back to the whole original span it replaced.
    /// </summary>
    internal NormalisedText WithReplacements(IReadOnlyList<(int Start, int Length, string Marker)> replacements)
    {
        var length = Text.Length;
        foreach (var (_, replaced, marker) in replacements)
        {
            length += marker.Length - replaced;
        }

        var text = new char[length];
        var starts = new int[length];
        var ends = new int[length];
        var position = 0;
        var written = 0;
        foreach (var (start, replaced, marker) in replacements)
        {
            if (start < position)
            {
                throw new ArgumentException("Replacements must be in text order and must not overlap.", nameof(replacements));
            }

            written = Copy(position, start, text, starts, ends, written);
            var (offset, originalLength) = ToOriginal(start, replaced);
            foreach (var c in marker)
            {
                text[written] = c;
                starts[written] = offset;
                ends[written++] = offset + originalLength;
            }

            position = start + replaced;
        }

        Copy(position, Text.Length, text, starts, ends, written);
        return new NormalisedText(Original, new string(text), starts, ends, [], []);
    }

    /// <summary>Copies the canonical characters [from, to) and where they came from; returns where the copy ends.</summary>
    private int Copy(int from, int to, char[] text, int[] starts, int[] ends, int at)
    {
        var count = to - from;
        Text.CopyTo(from, text, at, count);
        Array.Copy(_originalStarts, from, starts, at, count);
        Array.Copy(_originalEnds, from, ends, at, count);
        return at + count;
    }

    private static bool AreWordsSpaced(string text)
    {
        if (text.Length > 0 && (text[0] == ' ' || text[^1] == ' '))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var fits = c switch
            {
                ' ' => text[i - 1] != ' ',
                '\'' or '_' => true,
                < '\u0080' => char.IsAsciiLetterOrDigit(c),

                // Every letter is a word character to .NET's \w; marks, other digits and surrogates are left to the rule as written.
                _ => char.IsLetter(c),
            };
            if (!fits)
            {
                return false;
            }
        }

        return true;
    }
}
