namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// The phrase rules, indexed by their anchor words: for a text, only the rules whose anchors occur in it (and the few
/// without anchors) are run.
/// </summary>
internal sealed class PatternSet
{
    private const int MaxWordLength = 128;
    private const int NotRun = -1;

    private readonly PatternRule[] _rules;
    private readonly int[] _alwaysRun;
    private readonly Dictionary<string, int[]> _byAnchor;
    private readonly Dictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly FirstLastFilter _filter = new();
    private readonly int[] _staffMarker;
    private readonly int[] _pupilMarker;

    public PatternSet(IEnumerable<PatternRule> rules)
    {
        _rules = [.. rules];
        var byAnchor = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var always = new List<int>();
        for (var i = 0; i < _rules.Length; i++)
        {
            if (_rules[i].Anchors is not { } anchors)
            {
                always.Add(i);
                continue;
            }

            foreach (var anchor in anchors)
            {
                if (!byAnchor.TryGetValue(anchor, out var list))
                {
                    byAnchor[anchor] = list = [];
                }

                list.Add(i);
            }
        }

        _alwaysRun = [.. always];
        _byAnchor = byAnchor.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _lookup = _byAnchor.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var anchor in _byAnchor.Keys)
        {
            _filter.Add(anchor);
        }

        _staffMarker = Marked(PatternCompiler.StaffMarker);
        _pupilMarker = Marked(PatternCompiler.PupilMarker);
    }

    public int Count => _rules.Length;

    public IReadOnlyList<PatternRule> Rules => _rules;

    /// <summary>
    /// Runs the rules that can match. Rules about names read <paramref name="withNames"/>, where the context's names
    /// are replaced by marker words; the rest read <paramref name="text"/>, from a little before the first of their
    /// anchor words (<see cref="PatternRule.Match"/>).
    /// </summary>
    public void Match(NormalisedText text, NormalisedText withNames, bool staffFound, bool pupilsFound, List<Finding> findings)
    {
        // For each rule, the first word of the text that is one of its anchors; NotRun if none is.
        Span<int> first = _rules.Length <= 256 ? stackalloc int[_rules.Length] : new int[_rules.Length];
        first.Fill(NotRun);
        foreach (var i in _alwaysRun)
        {
            first[i] = 0;
        }

        Span<char> key = stackalloc char[MaxWordLength];
        var tokens = text.TokenSpan;
        for (var t = 0; t < tokens.Length; t++)
        {
            // Squeezing keeps a word's first and last letters, so the filter can turn most words away before it.
            var word = text.Text.AsSpan(tokens[t].Start, tokens[t].Length);
            if (word.Length > MaxWordLength || !_filter.MayContain(word))
            {
                continue;
            }

            if (_lookup.TryGetValue(key[..Lexicon.Squeeze(word, key)], out var marked))
            {
                foreach (var i in marked)
                {
                    if (first[i] == NotRun)
                    {
                        first[i] = t;
                    }
                }
            }
        }

        Mark(first, staffFound ? _staffMarker : []);
        Mark(first, pupilsFound ? _pupilMarker : []);
        for (var i = 0; i < _rules.Length; i++)
        {
            if (first[i] == NotRun)
            {
                continue;
            }

            if (_rules[i].UsesNames)
            {
                // The marker words moved the text about: read it all.
                _rules[i].Match(withNames, 0, findings);
            }
            else
            {
                _rules[i].Match(text, first[i], findings);
            }
        }
    }

    private static void Mark(Span<int> first, int[] rules)
    {
        foreach (var i in rules)
        {
            first[i] = 0;
        }
    }

    private int[] Marked(string marker)
    {
        Span<char> key = stackalloc char[marker.Length];
        return _byAnchor.TryGetValue(key[..Lexicon.Squeeze(marker, key)].ToString(), out var rules) ? rules : [];
    }
}
