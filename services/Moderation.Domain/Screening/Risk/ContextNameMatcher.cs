namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// Finds the context's names (staff, pupils) in canonical text, word by word, so that "Mr. Jones", "MR JONES" and
/// "Mr Jones's" are all "Mr Jones", and "Zoë" is "Zoe". The longest name wins where two start at the same word.
/// </summary>
internal sealed class ContextNameMatcher
{
    private readonly Dictionary<string, List<(string[] Words, string Marker)>> _byFirstWord = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(string[] Words, string Marker)>>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public ContextNameMatcher(IEnumerable<string> staffNames, IEnumerable<string> pupilNames)
    {
        _lookup = _byFirstWord.GetAlternateLookup<ReadOnlySpan<char>>();
        Add(staffNames, PatternCompiler.StaffMarker);
        Add(pupilNames, PatternCompiler.PupilMarker);
        foreach (var list in _byFirstWord.Values)
        {
            list.Sort((a, b) => b.Words.Length.CompareTo(a.Words.Length));
        }
    }

    public bool IsEmpty => _byFirstWord.Count == 0;

    /// <summary>Canonical spans of the names found, in order, each with its marker word.</summary>
    public List<(int Start, int Length, string Marker)> Find(NormalisedText text)
    {
        var found = new List<(int Start, int Length, string Marker)>();
        var tokens = text.TokenSpan;
        for (var t = 0; t < tokens.Length; t++)
        {
            var first = WithoutPossessive(text.Text.AsSpan(tokens[t].Start, tokens[t].Length));
            if (!_lookup.TryGetValue(first, out var names))
            {
                continue;
            }

            foreach (var (words, marker) in names)
            {
                if (Matches(text, t, words))
                {
                    var last = tokens[t + words.Length - 1];
                    found.Add((tokens[t].Start, last.End - tokens[t].Start, marker));
                    t += words.Length - 1;
                    break;
                }
            }
        }

        return found;
    }

    private static bool Matches(NormalisedText text, int t, string[] words)
    {
        var tokens = text.TokenSpan;
        if (t + words.Length > tokens.Length)
        {
            return false;
        }

        for (var w = 0; w < words.Length; w++)
        {
            var token = text.Text.AsSpan(tokens[t + w].Start, tokens[t + w].Length);
            var isLast = w == words.Length - 1;
            if (!token.SequenceEqual(words[w]) && !(isLast && WithoutPossessive(token).SequenceEqual(words[w])))
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<char> WithoutPossessive(ReadOnlySpan<char> word) =>
        word.EndsWith("'s", StringComparison.Ordinal) ? word[..^2] : word.EndsWith('\'') ? word[..^1] : word;

    private void Add(IEnumerable<string> names, string marker)
    {
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                continue;
            }

            var normalised = TextNormaliser.Normalise(name);
            string[] words = [.. normalised.Tokens.Select(t => normalised.Text.Substring(t.Start, t.Length))];
            if (words.Length == 0)
            {
                continue;
            }

            if (!_byFirstWord.TryGetValue(words[0], out var list))
            {
                _byFirstWord[words[0]] = list = [];
            }

            list.Add((words, marker));
        }
    }
}
