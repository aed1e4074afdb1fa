using System.Buffers;
using System.Text;

namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// Maps text to the canonical form the risk rules match against, undoing the usual ways of dodging a word filter:
/// case, diacritics, look-alike letters from other scripts and full-width or "fancy" Unicode letters, leetspeak inside
/// words ("sh1t", "a$$"), zero-width characters, and words spelled out with spaces, dots or dashes ("k.i.l.l").
/// Repeated letters ("fuuuck") are kept here and absorbed by the matchers.
/// </summary>
public static class TextNormaliser
{
    // Characters that may stand between the letters of a spelled-out word.
    private const string Spacers = " .-_*/~\t";

    // A spelled-out word needs at least this many single characters, so "a b" or "J. K." stay as they are.
    private const int MinimumSpacedRun = 3;

    // The most characters one code point folds to ("ﬃ" is "ffi").
    private const int MaxFold = 3;

    private struct Unit
    {
        public int Start;
        public int FoldStart;
        public CharacterKind Kind;
        public byte FoldLength;
        public bool InWord;
    }

    private readonly record struct Word(int First, int Last, int Significant);

    public static NormalisedText Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = ArrayPool<Unit>.Shared.Rent(text.Length + 1);
        var folded = ArrayPool<char>.Shared.Rent((text.Length * MaxFold) + 1);
        var words = ArrayPool<Word>.Shared.Rent(text.Length + 1);
        try
        {
            var unitCount = Decompose(text, units, folded);
            MarkWords(units.AsSpan(0, unitCount), folded);
            var wordCount = FindWords(units.AsSpan(0, unitCount), folded, words);
            return Emit(text, units.AsSpan(0, unitCount + 1), folded, words.AsSpan(0, wordCount));
        }
        finally
        {
            ArrayPool<Unit>.Shared.Return(units);
            ArrayPool<char>.Shared.Return(folded);
            ArrayPool<Word>.Shared.Return(words);
        }
    }

    private static int Decompose(string text, Unit[] units, char[] folded)
    {
        var count = 0;
        var foldLength = 0;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            var length = 1;
            CharacterKind kind;
            int written;
            if (c < 128)
            {
                kind = CharacterFolding.ClassifyAscii(c);
                folded[foldLength] = kind == CharacterKind.Letter ? (char)(c | 0x20) : c;
                written = 1;
            }
            else
            {
                if (!Rune.TryGetRuneAt(text, i, out var rune))
                {
                    rune = Rune.ReplacementChar;
                }
                else
                {
                    length = rune.Utf16SequenceLength;
                }

                kind = CharacterFolding.FoldNonAscii(rune, folded.AsSpan(foldLength, MaxFold), out written);
            }

            units[count++] = new Unit { Kind = kind, Start = i, FoldStart = foldLength, FoldLength = (byte)written };
            foldLength += written;
            i += length;
        }

        // A sentinel, so every unit's end is the next unit's start.
        units[count] = new Unit { Start = text.Length, FoldStart = foldLength, Kind = CharacterKind.Separator };
        return count;
    }

    /// <summary>Decides which characters belong to words. Symbols count as letters only where leetspeak puts them.</summary>
    private static void MarkWords(Span<Unit> units, char[] folded)
    {
        var previousInWord = false;
        for (var i = 0; i < units.Length; i++)
        {
            ref var unit = ref units[i];
            switch (unit.Kind)
            {
                case CharacterKind.Letter or CharacterKind.Digit:
                    unit.InWord = true;
                    break;
                case CharacterKind.Separator:
                    unit.InWord = false;
                    break;
                case CharacterKind.Ignorable:
                    unit.InWord = previousInWord;
                    continue;
                case CharacterKind.Apostrophe:
                    unit.InWord = previousInWord && NextKind(units, i) == CharacterKind.Letter;
                    break;
                default:
                    var nextIsAlphanumeric = NextKind(units, i) is CharacterKind.Letter or CharacterKind.Digit;
                    unit.InWord = folded[unit.FoldStart] switch
                    {
                        // "sh!t" but not "kill!" or "hi!!"; '@' inside or after a word ("b@stard"), not an @mention.
                        '!' or '|' => nextIsAlphanumeric,
                        '@' => previousInWord,
                        _ => previousInWord || nextIsAlphanumeric,
                    };
                    break;
            }

            previousInWord = unit.InWord;
        }
    }

    private static CharacterKind NextKind(Span<Unit> units, int index)
    {
        for (var j = index + 1; j < units.Length; j++)
        {
            if (units[j].Kind != CharacterKind.Ignorable)
            {
                return units[j].Kind;
            }
        }

        return CharacterKind.Separator;
    }

    /// <summary>Words as ranges of units, with runs of spelled-out single characters joined into one word.</summary>
    private static int FindWords(Span<Unit> units, char[] folded, Word[] words)
    {
        var raw = 0;
        for (var i = 0; i < units.Length;)
        {
            if (!units[i].InWord || units[i].Kind == CharacterKind.Ignorable)
            {
                i++;
                continue;
            }

            var first = i;
            var significant = 0;
            for (; i < units.Length && units[i].InWord; i++)
            {
                if (units[i].Kind is CharacterKind.Letter or CharacterKind.Digit or CharacterKind.Symbol)
                {
                    significant++;
                }
            }

            words[raw++] = new Word(first, i - 1, significant);
        }

        // Join spelled-out words in place. Significant is set to 0 on a joined word, which marks it as spelled out.
        var count = 0;
        for (var k = 0; k < raw;)
        {
            // A spelled-out word keeps one separator throughout: "a s-e-c-r-e-t" is "a" and then "secret".
            var end = k;
            if (words[k].Significant == 1 && k + 1 < raw)
            {
                var gap = Gap(units, folded, words[k].Last + 1, words[k + 1].First);
                while (gap != 0 && end + 1 < raw && words[end + 1].Significant == 1
                    && Gap(units, folded, words[end].Last + 1, words[end + 1].First) == gap)
                {
                    end++;
                }
            }

            if (end - k + 1 >= MinimumSpacedRun)
            {
                words[count++] = new Word(words[k].First, words[end].Last, 0);
                k = end + 1;
            }
            else
            {
                words[count++] = words[k];
                k++;
            }
        }

        return count;
    }

    /// <summary>The separators between two words, packed into a number, if they could be the gap in a spelled-out word; else 0.</summary>
    private static ulong Gap(Span<Unit> units, char[] folded, int from, int to)
    {
        ulong gap = 0;
        var length = 0;
        for (var i = from; i < to; i++)
        {
            if (units[i].Kind == CharacterKind.Ignorable)
            {
                continue;
            }

            var c = units[i].FoldLength == 1 ? folded[units[i].FoldStart] : '\0';
            if (units[i].Kind != CharacterKind.Separator || length == 3 || !Spacers.Contains(c, StringComparison.Ordinal))
            {
                return 0;
            }

            gap = (gap << 16) | c;
            length++;
        }

        return gap;
    }

    /// <param name="units">The units followed by the sentinel.</param>
    private static NormalisedText Emit(string original, Span<Unit> units, char[] folded, Span<Word> words)
    {
        var capacity = units[^1].FoldStart + words.Length + 1;
        var text = ArrayPool<char>.Shared.Rent(capacity);
        var starts = ArrayPool<int>.Shared.Rent(capacity);
        var ends = ArrayPool<int>.Shared.Rent(capacity);
        var tokens = new NormalisedToken[words.Length];
        var tokenCount = 0;
        var length = 0;
        List<int>? ambiguous = null;
        try
        {
            foreach (var word in words)
            {
                // Leetspeak only in words that are not numbers: "4pm", "3B", "21st" and "Y5" keep their digits. Only a
                // word with a digit or symbol asks, so most words never work it out.
                bool? leetWord = null;
                var separatorAt = -1;
                if (length > 0)
                {
                    separatorAt = length;
                    text[length] = ' ';
                    starts[length] = ends[length - 1];
                    ends[length] = units[word.First].Start;
                    length++;
                }

                var tokenStart = length;
                var previousWasOne = false;
                for (var i = word.First; i <= word.Last; i++)
                {
                    var unit = units[i];
                    if (!unit.InWord)
                    {
                        continue;
                    }

                    var unitEnd = units[i + 1].Start;
                    var isOne = false;
                    switch (unit.Kind)
                    {
                        case CharacterKind.Letter:
                            for (var f = 0; f < unit.FoldLength; f++)
                            {
                                text[length] = folded[unit.FoldStart + f];
                                starts[length] = unit.Start;
                                ends[length++] = unitEnd;
                            }

                            break;
                        case CharacterKind.Digit or CharacterKind.Symbol:
                            var leet = leetWord ??= HasLetter(units, word.First, word.Last) && !IsNumberLike(units, folded, word.First, word.Last);
                            var c = folded[unit.FoldStart];
                            var letter = leet ? Leet(c) : '\0';
                            if (c == '1' && leet)
                            {
                                isOne = true;
                                letter = ChooseForOne(text, length, tokenStart, previousWasOne);
                                (ambiguous ??= []).Add(length);
                            }

                            if (letter != '\0' || unit.Kind == CharacterKind.Digit)
                            {
                                text[length] = letter != '\0' ? letter : c;
                                starts[length] = unit.Start;
                                ends[length++] = unitEnd;
                            }

                            break;
                        case CharacterKind.Apostrophe:
                            text[length] = '\'';
                            starts[length] = unit.Start;
                            ends[length++] = unitEnd;
                            break;
                        case CharacterKind.Ignorable when length > tokenStart:
                            // A combining mark or zero-width character inside a word belongs to the letter before it.
                            ends[length - 1] = unitEnd;
                            break;
                    }

                    previousWasOne = isOne;
                }

                if (length == tokenStart)
                {
                    // Nothing to emit (a lone symbol): take back the space.
                    length = separatorAt >= 0 ? separatorAt : length;
                    continue;
                }

                tokens[tokenCount++] = new NormalisedToken(tokenStart, length - tokenStart, word.Significant == 0);
            }

            return new NormalisedText(
                original,
                new string(text, 0, length),
                starts.AsSpan(0, length).ToArray(),
                ends.AsSpan(0, length).ToArray(),
                tokenCount == tokens.Length ? tokens : tokens[..tokenCount],
                ambiguous is null ? [] : [.. ambiguous]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
            ArrayPool<int>.Shared.Return(starts);
            ArrayPool<int>.Shared.Return(ends);
        }
    }

    private static bool HasLetter(Span<Unit> units, int first, int last)
    {
        for (var i = first; i <= last; i++)
        {
            if (units[i].InWord && units[i].Kind == CharacterKind.Letter)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A number with a short unit or ordinal after it ("4pm", "10am", "3b", "21st"), or a year group or key stage
    /// ("y5", "yr3", "ks2").
    /// </summary>
    private static bool IsNumberLike(Span<Unit> units, char[] folded, int first, int last)
    {
        Span<char> lead = stackalloc char[2];
        int leading = 0, digits = 0, trailing = 0;
        for (var i = first; i <= last; i++)
        {
            var unit = units[i];
            if (!unit.InWord || unit.Kind is CharacterKind.Ignorable or CharacterKind.Apostrophe)
            {
                continue;
            }

            switch (unit.Kind)
            {
                case CharacterKind.Letter when digits == 0:
                    if (leading == lead.Length)
                    {
                        return false;
                    }

                    lead[leading++] = folded[unit.FoldStart];
                    break;
                case CharacterKind.Letter:
                    trailing++;
                    break;
                case CharacterKind.Digit when trailing == 0:
                    digits++;
                    break;
                default:
                    return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        return leading == 0 ? trailing <= 2 : trailing == 0 && lead[..leading] is "y" or "yr" or "ks";
    }

    /// <summary>Leetspeak inside a word that has real letters too; '1' is decided by <see cref="ChooseForOne"/>.</summary>
    private static char Leet(char c) => c switch
    {
        '0' => 'o',
        '3' => 'e',
        '4' or '@' => 'a',
        '5' or '$' => 's',
        '7' => 't',
        '!' => 'i',
        '|' => 'l',
        '€' => 'e',
        _ => '\0',
    };

    // '1' is 'i' or 'l'. After a vowel it is more often 'l' ("we11"), after a consonant 'i' ("k1ll", "sh1t"), and a
    // run of them is one letter doubled ("ki11"). The lexicon also tries the other reading.
    private static char ChooseForOne(char[] text, int length, int tokenStart, bool previousWasOne)
    {
        if (length == tokenStart)
        {
            return 'i';
        }

        var previous = text[length - 1];
        if (previousWasOne)
        {
            return previous;
        }

        return previous is 'a' or 'e' or 'i' or 'o' or 'u' ? 'l' : 'i';
    }
}
