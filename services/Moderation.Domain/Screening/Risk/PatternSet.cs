namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// The phrase rules, indexed by their anchor words: for a text, only the rules whose anchors occur in it (and the few
/// without anchors) are run.
/// </summary>
internal sealed class PatternSet
{
    private const int MaxWordLength = 128;

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
    /// are replaced by marker words; the rest read <paramref name="text"/>.
    /// </summary>
    public void Match(NormalisedText text, NormalisedText withNames, bool staffFound, bool pupilsFound, List<Finding> findings)
    {
        Span<bool> run = _rules.Length <= 256 ? stackalloc bool[_rules.Length] : new bool[_rules.Length];
        foreach (var i in _alwaysRun)
        {
            run[i] = true;
        }

        Span<char> key = stackalloc char[MaxWordLength];
        foreach (var token in text.TokenSpan)
        {
            // Squeezing keeps a word's first and last letters, so the filter can turn most words away before it.
            var word = text.Text.AsSpan(token.Start, token.Length);
            if (token.Length > MaxWordLength || !_filter.MayContain(word))
            {
                continue;
            }

            if (_lookup.TryGetValue(key[..Lexicon.Squeeze(word, key)], out var marked))
            {
                foreach (var i in marked)
                {
                    run[i] = true;
                }
            }
        }

        Mark(run, staffFound ? _staffMarker : []);
        Mark(run, pupilsFound ? _pupilMarker : []);
        for (var i = 0; i < _rules.Length; i++)
        {
            if (run[i])
            {
                _rules[i].Match(_rules[i].UsesNames ? withNames : text, findings);
            }
        }
    }

    private static void Mark(Span<bool> run, int[] rules)
    {
        foreach (var i in rules)
        {
            run[i] = true;
        }
    }

    private int[] Marked(string marker)
    {
        Span<char> key = stackalloc char[marker.Length];
        return _byAnchor.TryGetValue(key[..Lexicon.Squeeze(marker, key)].ToString(), out var rules) ? rules : [];
    }
}
