using System.Buffers;

namespace Moderation.Domain.Screening.Names;

/// <summary>
/// Finds references to roster pupils in a text (003 §6.3(f); 000 "Moderation of content"). It matches the roster,
/// not names in general: folded case and diacritics, possessives, hyphenated and double-barrelled surnames, preferred
/// names, initials with a surname, rare surnames alone, and names split by line breaks or doubled spaces. Build once
/// per roster; <see cref="Find"/> is thread-safe and reads each word of the text once.
/// </summary>
public sealed class NameMatcher
{
    private readonly RosterPupil[] _pupils;
    private readonly IReadOnlyList<RosterPupil> _roster;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _tokenIds;
    private readonly NamePattern[]?[] _singles;
    private readonly Dictionary<long, NamePattern[]> _pairs;

    private NameMatcher(RosterPupil[] pupils, Dictionary<string, int> tokenIds, NamePattern[]?[] singles, Dictionary<long, NamePattern[]> pairs)
    {
        _pupils = pupils;
        _roster = Array.AsReadOnly(pupils);
        Directory = RosterDirectory.Indexed(_roster);
        _tokenIds = tokenIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _singles = singles;
        _pairs = pairs;
    }

    /// <summary>The pupils this matcher was built from, in roster order.</summary>
    public IReadOnlyList<RosterPupil> Roster => _roster;

    /// <summary>The same pupils indexed for redaction (<see cref="NameRedactor"/>).</summary>
    internal RosterDirectory Directory { get; }

    public static NameMatcher Build(IEnumerable<RosterPupil> roster)
    {
        ArgumentNullException.ThrowIfNull(roster);
        var pupils = roster.ToArray();
        var builder = new NameIndexBuilder();
        for (var i = 0; i < pupils.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(pupils[i], nameof(roster));
            builder.Add(pupils[i], i);
        }

        var (singles, pairs) = builder.Complete();
        return new NameMatcher(pupils, builder.TokenIds, singles, pairs);
    }

    /// <summary>
    /// The pupil references in <paramref name="text"/>, in text order, never overlapping: where candidates overlap the
    /// longest wins ("Olivia Smith" over "Olivia"). Offsets index the original text; a possessive "'s" is not included.
    /// </summary>
    public IReadOnlyList<NameMatch> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || _pupils.Length == 0)
        {
            return [];
        }

        var tokenBuffer = ArrayPool<NameToken>.Shared.Rent((text.Length / 2) + 1);
        var foldBuffer = ArrayPool<char>.Shared.Rent(text.Length * PupilNameFolding.MaxExpansion);
        try
        {
            var count = NameTokenizer.Tokenize(text, tokenBuffer, foldBuffer);
            for (var i = 0; i < count; i++)
            {
                // One dictionary lookup per word of the text; words that are in no roster name get -1.
                ref var token = ref tokenBuffer[i];
                token.Id = _tokenIds.TryGetValue(foldBuffer.AsSpan(token.FoldStart, token.FoldLength), out var id) ? id : -1;
            }

            var scan = new NameScan(text, tokenBuffer.AsSpan(0, count), foldBuffer);
            var candidates = Collect(scan);
            return candidates is null ? [] : Resolve(scan, candidates);
        }
        finally
        {
            ArrayPool<NameToken>.Shared.Return(tokenBuffer);
            ArrayPool<char>.Shared.Return(foldBuffer);
        }
    }

    private List<NameCandidate>? Collect(NameScan scan)
    {
        var tokens = scan.Tokens;
        List<NameCandidate>? candidates = null;
        for (var i = 0; i < tokens.Length; i++)
        {
            var id = tokens[i].Id;
            if (id < 0)
            {
                continue;
            }

            if (_singles[id] is { } singles)
            {
                foreach (var pattern in singles)
                {
                    (candidates ??= []).Add(scan.Candidate(i, i, pattern));
                }
            }

            if (i + 1 >= tokens.Length)
            {
                continue;
            }

            ref readonly var next = ref tokens[i + 1];
            if (next.Id >= 0 && IsNameGap(next.GapBefore) && _pairs.TryGetValue(NameIndexBuilder.PairKey(id, next.Id), out var pairs))
            {
                foreach (var pattern in pairs)
                {
                    if (Continues(tokens, pattern, i + 1, out var last))
                    {
                        (candidates ??= []).Add(scan.Candidate(i, last, pattern));
                    }
                }
            }

            // A middle name the roster does not hold: "Olivia Rose Smith".
            if (i + 2 < tokens.Length && next.GapBefore == NameGap.Space && tokens[i + 2].GapBefore == NameGap.Space
                && tokens[i + 2].Id >= 0 && scan.IsPossibleMiddleName(i + 1)
                && _pairs.TryGetValue(NameIndexBuilder.PairKey(id, tokens[i + 2].Id), out var skipping))
            {
                foreach (var pattern in skipping)
                {
                    if (pattern.Kind == NameMatchKind.FullName && pattern.ForenameLength == 1 && Continues(tokens, pattern, i + 2, out var last))
                    {
                        (candidates ??= []).Add(scan.Candidate(i, last, pattern));
                    }
                }
            }
        }

        return candidates;
    }

    /// <summary>Whether the pattern's second and later tokens follow in the text from <paramref name="second"/> on.</summary>
    private static bool Continues(ReadOnlySpan<NameToken> tokens, NamePattern pattern, int second, out int last)
    {
        var ids = pattern.Tokens;
        last = second + ids.Length - 2;
        if (last >= tokens.Length)
        {
            return false;
        }

        var initials = pattern.Kind == NameMatchKind.Initials;
        for (var k = 1; k < ids.Length; k++)
        {
            ref readonly var token = ref tokens[second + k - 1];
            if (token.Id != ids[k] || (initials ? token.GapBefore != NameGap.Dot : k > 1 && !IsNameGap(token.GapBefore)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameGap(NameGap gap) => gap is NameGap.Space or NameGap.Joiner or NameGap.Dot;

    private NameMatch[] Resolve(NameScan scan, List<NameCandidate> candidates)
    {
        var accepted = new List<NameCandidate>(candidates.Count);
        List<NameCandidate>? pending = null;
        foreach (var candidate in candidates)
        {
            switch (scan.Evaluate(candidate))
            {
                case NameVerdict.Accept:
                    accepted.Add(candidate);
                    break;
                case NameVerdict.NeedsNeighbour:
                    (pending ??= []).Add(candidate);
                    break;
                default:
                    break;
            }
        }

        accepted.Sort(LongestFirst);
        var selected = new List<NameCandidate>(accepted.Count);
        foreach (var candidate in accepted)
        {
            if (!Overlaps(selected, candidate))
            {
                selected.Add(candidate);
            }
        }

        if (pending is not null)
        {
            // A word-name waiting for a neighbour ("Summer" in "Olivia and Summer") joins once a name beside it has
            // been accepted; repeat so that a list of several word-names resolves from its anchored end.
            pending.Sort(LongestFirst);
            bool added;
            do
            {
                added = false;
                for (var i = 0; i < pending.Count; i++)
                {
                    if (!Overlaps(selected, pending[i]) && scan.IsListedBeside(pending[i], selected))
                    {
                        selected.Add(pending[i]);
                        pending.RemoveAt(i--);
                        added = true;
                    }
                }
            }
            while (added);
        }

        selected.Sort((a, b) => a.First.CompareTo(b.First));
        var matches = new NameMatch[selected.Count];
        for (var i = 0; i < matches.Length; i++)
        {
            var match = selected[i];
            matches[i] = new NameMatch(match.Start, match.End - match.Start, _pupils[match.Pattern.PupilIndex].PupilId, match.Pattern.Kind);
        }

        return matches;
    }

    private static int LongestFirst(NameCandidate a, NameCandidate b)
    {
        var byLength = (b.End - b.Start).CompareTo(a.End - a.Start);
        if (byLength != 0)
        {
            return byLength;
        }

        var byRank = a.Pattern.Rank.CompareTo(b.Pattern.Rank);
        if (byRank != 0)
        {
            return byRank;
        }

        var byPosition = a.Start.CompareTo(b.Start);
        return byPosition != 0 ? byPosition : a.Pattern.PupilIndex.CompareTo(b.Pattern.PupilIndex);
    }

    private static bool Overlaps(List<NameCandidate> selected, NameCandidate candidate)
    {
        foreach (var other in selected)
        {
            if (other.First <= candidate.Last && candidate.First <= other.Last)
            {
                return true;
            }
        }

        return false;
    }
}
