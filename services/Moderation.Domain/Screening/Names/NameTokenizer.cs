namespace Moderation.Domain.Screening.Names;

/// <summary>What lies between one word and the next, which decides whether the two can be parts of one name.</summary>
internal enum NameGap : byte
{
    /// <summary>The first token, or anything that ends a name: digits, most punctuation, emoji.</summary>
    Break,

    /// <summary>Only white space, of any length, line breaks included ("Olivia  Smith", "Olivia\nSmith").</summary>
    Space,

    /// <summary>One hyphen or apostrophe and nothing else ("Núñez-Taylor", "O'Brien", "Olivia's").</summary>
    Joiner,

    /// <summary>A full stop after a single letter, then optional white space ("O. Smith", "O.S.").</summary>
    Dot,

    /// <summary>A full stop after a longer word, then optional white space: a sentence end or "Mr." / "Dr.".</summary>
    Period,

    /// <summary>A comma or an ampersand, with optional white space ("Olivia, Grace", "Olivia & Grace").</summary>
    List,
}

/// <summary>A maximal run of letters (with their combining marks) in the original text, and its folded form.</summary>
internal struct NameToken
{
    public int Start;
    public int End;
    public int FoldStart;
    public int FoldLength;
    public int Letters;
    public int Id;
    public NameGap GapBefore;
    public bool LineBreakBefore;
}

/// <summary>Splits text into word tokens in one pass, folding each token into a shared buffer.</summary>
internal static class NameTokenizer
{
    /// <summary>
    /// Tokenises <paramref name="text"/>. <paramref name="tokens"/> needs room for (text.Length + 1) / 2 tokens and
    /// <paramref name="folded"/> for text.Length * <see cref="PupilNameFolding.MaxExpansion"/> characters.
    /// </summary>
    public static int Tokenize(ReadOnlySpan<char> text, Span<NameToken> tokens, Span<char> folded)
    {
        var count = 0;
        var foldPosition = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var foldStart = foldPosition;
            var letters = 0;
            var end = i;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsLetter(c))
                {
                    letters++;
                    foldPosition += PupilNameFolding.Fold(c, folded[foldPosition..]);
                    end = ++i;
                }
                else if (PupilNameFolding.IsCombiningMark(c))
                {
                    end = ++i;
                }
                else if (PupilNameFolding.IsIgnorable(c))
                {
                    // A soft hyphen or zero-width character inside a word ("Oli\u00ADvia") does not split it.
                    var next = i + 1;
                    while (next < text.Length && PupilNameFolding.IsIgnorable(text[next]))
                    {
                        next++;
                    }

                    if (next < text.Length && char.IsLetter(text[next]))
                    {
                        i = next;
                    }
                    else
                    {
                        break;
                    }
                }
                else
                {
                    break;
                }
            }

            ref var token = ref tokens[count];
            token.Start = start;
            token.End = end;
            token.FoldStart = foldStart;
            token.FoldLength = foldPosition - foldStart;
            token.Letters = letters;
            token.Id = -1;
            var gap = text[(count == 0 ? 0 : tokens[count - 1].End)..start];
            token.GapBefore = count == 0 ? NameGap.Break : ClassifyGap(gap, tokens[count - 1].Letters);
            token.LineBreakBefore = gap.IndexOfAny('\n', '\r', '\u2028') >= 0;
            count++;
        }

        return count;
    }

    private static NameGap ClassifyGap(ReadOnlySpan<char> gap, int lettersBefore)
    {
        if (gap.Length == 1 && (PupilNameFolding.IsHyphen(gap[0]) || PupilNameFolding.IsApostrophe(gap[0])))
        {
            return NameGap.Joiner;
        }

        var separators = 0;
        var separator = '\0';
        foreach (var c in gap)
        {
            if (char.IsWhiteSpace(c) || PupilNameFolding.IsIgnorable(c))
            {
                continue;
            }

            separators++;
            separator = c;
        }

        if (separators == 0)
        {
            return NameGap.Space;
        }

        if (separators > 1)
        {
            return NameGap.Break;
        }

        if (separator == '.' && gap[0] == '.')
        {
            return lettersBefore == 1 ? NameGap.Dot : NameGap.Period;
        }

        return separator is ',' or '&' ? NameGap.List : NameGap.Break;
    }
}
