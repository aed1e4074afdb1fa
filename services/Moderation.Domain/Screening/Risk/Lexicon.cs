namespace Moderation.Domain.Screening.Risk;

/// <summary>One lexicon row, its words already in canonical form.</summary>
internal sealed record LexiconEntry(
    string Term,
    string[] Words,
    bool Inflected,
    string Category,
    FindingSeverity Severity,
    TermMode Mode,
    string RuleId,
    string Explanation);

/// <summary>
/// The word lists compiled into a dictionary over canonical words, keyed by the word with its repeated letters
/// squeezed out ("fuuuck" and "fuck" share "fuck"); a candidate then checks that every run of a letter in the text is
/// at least as long as in the term, so "kiiiill" is "kill" but "as" is not "ass". Matching is by whole words only, so
/// "Scunthorpe", "assessment" and "cocktail" never contain a hit.
/// </summary>
internal sealed class Lexicon
{
    // The endings a term marked with '*' may take: "fuck*" also finds "fucks", "fucked", "fucking", "fucker".
    private static readonly string[] s_suffixes = ["s", "es", "d", "ed", "er", "ers", "ing", "in", "y", "ies"];

    private const int MaxWordLength = 128;

    private readonly Dictionary<string, List<Candidate>> _index = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Candidate>>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly FirstLastFilter _filter = new();

    /// <param name="Form">The form of the first word (or of the whole term run together) this candidate was indexed under.</param>
    /// <param name="Whole">One text word covers the whole term: a one-word term, or a phrase written as one word ("killyourself").</param>
    private readonly record struct Candidate(LexiconEntry Entry, string Form, bool Whole);

    public Lexicon(IEnumerable<LexiconEntry> entries)
    {
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var entry in entries)
        {
            Entries.Add(entry);
            var last = entry.Words.Length - 1;
            if (last == 0)
            {
                foreach (var form in Forms(entry.Words[0], entry.Inflected))
                {
                    Add(form, new Candidate(entry, form, Whole: true));
                }

                continue;
            }

            Add(entry.Words[0], new Candidate(entry, entry.Words[0], Whole: false));
            var runTogether = string.Concat(entry.Words.AsSpan(0, last));
            foreach (var form in Forms(entry.Words[last], entry.Inflected))
            {
                Add(runTogether + form, new Candidate(entry, runTogether + form, Whole: true));
            }
        }
    }

    public List<LexiconEntry> Entries { get; } = [];

    public int Count => Entries.Count;

    /// <summary>Reports every entry found in the text; hits of <see cref="TermMode.Allow"/> entries go to <paramref name="allowed"/>.</summary>
    public void Match(NormalisedText text, List<Finding> findings, List<(int Offset, int Length)> allowed)
    {
        var tokens = text.TokenSpan;
        Span<char> word = stackalloc char[MaxWordLength];
        Span<char> key = stackalloc char[MaxWordLength];
        var reported = new HashSet<LexiconEntry>(ReferenceEqualityComparer.Instance);
        for (var t = 0; t < tokens.Length; t++)
        {
            var token = tokens[t];
            if (token.Length > MaxWordLength || CannotMatch(text, token))
            {
                continue;
            }

            reported.Clear();
            var length = Strip(text.Text.AsSpan(token.Start, token.Length), word);
            var found = MatchAt(text, t, word[..length], key, 0, findings, allowed, reported);
            if (!found)
            {
                found = MatchReadings(text, t, word, length, key, findings, allowed, reported);
            }

            // "a k i l l": a spelled-out word may have swallowed the article or "I" in front of it.
            if (!found && token.IsSpacedRun && length >= 4 && word[0] is 'a' or 'i')
            {
                MatchAt(text, t, word[1..length], key, 1, findings, allowed, reported);
            }
        }
    }

    /// <summary>
    /// The word, as written, starts and ends with letters no key does, has no '1' to read two ways and is not spelled
    /// out: none of the look-ups below could find anything, so most words of a text cost two table reads.
    /// </summary>
    private bool CannotMatch(NormalisedText text, NormalisedToken token)
    {
        if (token.IsSpacedRun || _filter.MayContain(text.Text.AsSpan(token.Start, token.Length).Trim('\'')))
        {
            return false;
        }

        foreach (var position in text.AmbiguousPositions)
        {
            if (position >= token.Start && position < token.End)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A word with a '1' in it is tried with each reading of the '1' that the canonical text did not take.</summary>
    private bool MatchReadings(NormalisedText text, int t, Span<char> word, int length, Span<char> key, List<Finding> findings, List<(int Offset, int Length)> allowed, HashSet<LexiconEntry> reported)
    {
        var token = text.TokenSpan[t];
        Span<int> positions = stackalloc int[3];
        var count = 0;
        foreach (var position in text.AmbiguousPositions)
        {
            if (position >= token.Start && position < token.End && count < positions.Length)
            {
                // Apostrophes are stripped from the word, so count the letters before the position.
                positions[count++] = position - token.Start - text.Text.AsSpan(token.Start, position - token.Start).Count('\'');
            }
        }

        if (count == 0)
        {
            return false;
        }

        Span<char> original = stackalloc char[count];
        for (var i = 0; i < count; i++)
        {
            original[i] = word[positions[i]];
        }

        var found = false;
        for (var mask = 1; mask < 1 << count && !found; mask++)
        {
            for (var i = 0; i < count; i++)
            {
                var flip = (mask & (1 << i)) != 0;
                word[positions[i]] = flip ? (original[i] == 'i' ? 'l' : 'i') : original[i];
            }

            found = MatchAt(text, t, word[..length], key, 0, findings, allowed, reported);
        }

        return found;
    }

    private bool MatchAt(NormalisedText text, int t, ReadOnlySpan<char> word, Span<char> key, int skip, List<Finding> findings, List<(int Offset, int Length)> allowed, HashSet<LexiconEntry> reported)
    {
        // Squeezing keeps a word's first and last letters, so the filter can turn most words away before it.
        if (!_filter.MayContain(word))
        {
            return false;
        }

        var keyLength = Squeeze(word, key);
        if (!_lookup.TryGetValue(key[..keyLength], out var candidates))
        {
            return false;
        }

        var tokens = text.TokenSpan;
        var found = false;
        foreach (var candidate in candidates)
        {
            if (reported.Contains(candidate.Entry) || !Covers(word, candidate.Form))
            {
                continue;
            }

            var lastToken = t;
            if (!candidate.Whole && !FollowingWordsMatch(text, t, candidate.Entry, out lastToken))
            {
                continue;
            }

            reported.Add(candidate.Entry);
            found = true;
            var start = tokens[t].Start + skip;
            var (offset, length) = text.ToOriginal(start, tokens[lastToken].End - start);
            if (candidate.Entry.Mode == TermMode.Allow)
            {
                allowed.Add((offset, length));
            }
            else
            {
                var entry = candidate.Entry;
                findings.Add(new Finding(entry.Category, entry.RuleId, entry.Severity, offset, length, entry.Explanation));
            }
        }

        return found;
    }

    private static bool FollowingWordsMatch(NormalisedText text, int t, LexiconEntry entry, out int lastToken)
    {
        var tokens = text.TokenSpan;
        lastToken = t + entry.Words.Length - 1;
        if (lastToken >= tokens.Length)
        {
            return false;
        }

        Span<char> word = stackalloc char[MaxWordLength];
        for (var w = 1; w < entry.Words.Length; w++)
        {
            var token = tokens[t + w];
            if (token.Length > MaxWordLength)
            {
                return false;
            }

            var length = Strip(text.Text.AsSpan(token.Start, token.Length), word);
            var isLast = w == entry.Words.Length - 1;
            if (!(isLast ? CoversAnyForm(word[..length], entry.Words[w], entry.Inflected) : Covers(word[..length], entry.Words[w])))
            {
                return false;
            }
        }

        return true;
    }

    private static bool CoversAnyForm(ReadOnlySpan<char> word, string term, bool inflected)
    {
        foreach (var form in Forms(term, inflected))
        {
            if (Covers(word, form))
            {
                return true;
            }
        }

        return false;
    }

    private void Add(string form, Candidate candidate)
    {
        Span<char> key = stackalloc char[form.Length];
        var keyText = key[..Squeeze(form, key)].ToString();
        if (!_index.TryGetValue(keyText, out var list))
        {
            _index[keyText] = list = [];
            _filter.Add(keyText);
        }

        list.Add(candidate);
    }

    internal static IEnumerable<string> Forms(string word, bool inflected)
    {
        yield return word;
        if (!inflected)
        {
            yield break;
        }

        foreach (var suffix in s_suffixes)
        {
            yield return word + suffix;
        }

        if (word.EndsWith('e'))
        {
            yield return word[..^1] + "ing";
            yield return word[..^1] + "in";
        }

        if (word.EndsWith('y'))
        {
            yield return word[..^1] + "ies";
        }
    }

    /// <summary>Drops apostrophes, so "don't" and "dont" are the same word and "nigger's" ends in "s".</summary>
    internal static int Strip(ReadOnlySpan<char> token, Span<char> destination)
    {
        var length = 0;
        foreach (var c in token)
        {
            if (c != '\'')
            {
                destination[length++] = c;
            }
        }

        return length;
    }

    /// <summary>Every run of one letter becomes a single letter: "kiiill" → "kil".</summary>
    internal static int Squeeze(ReadOnlySpan<char> word, Span<char> destination)
    {
        var length = 0;
        foreach (var c in word)
        {
            if (length == 0 || destination[length - 1] != c)
            {
                destination[length++] = c;
            }
        }

        return length;
    }

    /// <summary>
    /// The text's word has the term's letters in the same order, and each run of a letter at least as long as the
    /// term's: "kiiiill" covers "kill", "kil" does not, and "as" does not cover "ass".
    /// </summary>
    internal static bool Covers(ReadOnlySpan<char> word, string term)
    {
        int i = 0, j = 0;
        while (i < word.Length && j < term.Length)
        {
            var c = term[j];
            if (word[i] != c)
            {
                return false;
            }

            var termRun = 0;
            for (; j < term.Length && term[j] == c; j++)
            {
                termRun++;
            }

            var wordRun = 0;
            for (; i < word.Length && word[i] == c; i++)
            {
                wordRun++;
            }

            if (wordRun < termRun)
            {
                return false;
            }
        }

        return i == word.Length && j == term.Length;
    }
}
