namespace Moderation.Domain.Screening.Names;

/// <summary>Turns the roster into token ids and patterns once, so that matching a comment is one pass over its words.</summary>
internal sealed class NameIndexBuilder
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<NamePattern> _patterns = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Pupil, bool Shared)> _initials = new(StringComparer.Ordinal);

    public Dictionary<string, int> TokenIds => _ids;

    public void Add(RosterPupil pupil, int index)
    {
        var surname = PupilNameFolding.FoldTokens(pupil.Surname);
        var parts = SurnameParts(pupil.Surname);
        var surnameIsWords = NameLexicon.AreAllWords(surname);
        var surnameIsRare = surname.Count > 0 && NameLexicon.IsRareSurname(surname);

        foreach (var forename in Forenames(pupil))
        {
            var tier = NameLexicon.TierOf(forename);
            var forenameTraits = tier switch
            {
                WordNameTier.Word => NamePatternTraits.WordLike,
                WordNameTier.Restricted => NamePatternTraits.WordLike | NamePatternTraits.Restricted,
                _ => NamePatternTraits.None,
            };
            var forenameLetters = forename.Sum(t => t.Length);
            if (forenameLetters <= 2)
            {
                forenameTraits |= NamePatternTraits.Short;
            }

            if (forenameLetters >= 2)
            {
                AddPattern(forename, index, NameMatchKind.ForenameOnly, forenameTraits, forename.Count);
            }

            if (surname.Count == 0)
            {
                continue;
            }

            AddPattern([.. forename, .. surname], index, NameMatchKind.FullName, FullNameTraits(tier, surnameIsWords), forename.Count);
            if (parts.Count > 1)
            {
                foreach (var part in parts)
                {
                    if (part.Sum(t => t.Length) >= 2 && !(part.Count == 1 && NameLexicon.IsParticle(part[0])))
                    {
                        var traits = FullNameTraits(tier, NameLexicon.AreAllWords(part)) | NamePatternTraits.PartialSurname;
                        AddPattern([.. forename, .. part], index, NameMatchKind.FullName, traits, forename.Count);
                    }
                }
            }

            var initial = forename[0][..1];
            var initialTraits = initial is "a" or "i" && !surnameIsRare ? NamePatternTraits.InitialNeedsDot : NamePatternTraits.None;
            AddPattern([initial, .. surname], index, NameMatchKind.InitialAndSurname, initialTraits, 1);
            CountInitials(initial, parts, index);
        }

        if (surnameIsRare)
        {
            AddPattern(surname, index, NameMatchKind.SurnameOnly, NamePatternTraits.None, 0);
        }

        if (parts.Count > 1)
        {
            foreach (var part in parts)
            {
                if (NameLexicon.IsRareSurname(part))
                {
                    AddPattern(part, index, NameMatchKind.SurnameOnly, NamePatternTraits.None, 0);
                }
            }
        }
    }

    /// <summary>Finishes the index: patterns of one token by token id, longer ones by their first two token ids.</summary>
    public (NamePattern[]?[] Singles, Dictionary<long, NamePattern[]> Pairs) Complete()
    {
        foreach (var (key, owner) in _initials)
        {
            // Initials alone count only when one pupil on the roster has them; "O.S." shared by two pupils is nobody.
            if (!owner.Shared)
            {
                AddPattern(key.Select(c => c.ToString()).ToList(), owner.Pupil, NameMatchKind.Initials, NamePatternTraits.None, 1);
            }
        }

        var singles = new NamePattern[]?[_ids.Count];
        foreach (var group in _patterns.Where(p => p.Tokens.Length == 1).GroupBy(p => p.Tokens[0]))
        {
            singles[group.Key] = [.. group.OrderBy(p => p.Rank)];
        }

        var pairs = _patterns
            .Where(p => p.Tokens.Length > 1)
            .GroupBy(p => PairKey(p.Tokens[0], p.Tokens[1]))
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.Rank).ToArray());
        return (singles, pairs);
    }

    public static long PairKey(int first, int second) => ((long)first << 32) | (uint)second;

    private static NamePatternTraits FullNameTraits(WordNameTier tier, bool surnameIsWords) => tier switch
    {
        WordNameTier.None => NamePatternTraits.None,
        _ when !surnameIsWords => NamePatternTraits.WordForename,
        WordNameTier.Restricted => NamePatternTraits.WordLike | NamePatternTraits.Restricted,
        _ => NamePatternTraits.WordLike,
    };

    private static List<List<string>> Forenames(RosterPupil pupil)
    {
        var result = new List<List<string>>(2);
        foreach (var name in new[] { pupil.LegalForename, pupil.PreferredForename })
        {
            var tokens = PupilNameFolding.FoldTokens(name);
            if (tokens.Count > 0 && !result.Any(r => r.SequenceEqual(tokens, StringComparer.Ordinal)))
            {
                result.Add(tokens);
            }
        }

        return result;
    }

    /// <summary>"Núñez-Taylor" and "Smith Jones" have two parts; "O'Brien" has one (the apostrophe joins).</summary>
    private static List<List<string>> SurnameParts(string? surname)
    {
        var parts = new List<List<string>>();
        if (string.IsNullOrWhiteSpace(surname))
        {
            return parts;
        }

        foreach (var piece in surname.Split((char[])[' ', '\t', '-', '\u2010', '\u2011', '\u2013'], StringSplitOptions.RemoveEmptyEntries))
        {
            var tokens = PupilNameFolding.FoldTokens(piece);
            if (tokens.Count > 0)
            {
                parts.Add(tokens);
            }
        }

        return parts;
    }

    private void CountInitials(string initial, List<List<string>> parts, int pupil)
    {
        var meaningful = parts.Where(p => !(p.Count == 1 && NameLexicon.IsParticle(p[0]))).Select(p => p[0][0]).ToList();
        if (meaningful.Count == 0)
        {
            return;
        }

        CountInitialsKey(initial + meaningful[0], pupil);
        if (meaningful.Count > 1)
        {
            CountInitialsKey(initial + string.Concat(meaningful), pupil);
        }
    }

    private void CountInitialsKey(string key, int pupil)
    {
        if (_initials.TryGetValue(key, out var owner))
        {
            if (owner.Pupil != pupil)
            {
                _initials[key] = (owner.Pupil, true);
            }
        }
        else
        {
            _initials[key] = (pupil, false);
        }
    }

    private void AddPattern(List<string> tokens, int pupil, NameMatchKind kind, NamePatternTraits traits, int forenameLength)
    {
        // The same words for two pupils (two girls called Olivia) make one pattern: the text is the same either way,
        // and the first pupil on the roster stands for both.
        var key = $"{(int)kind}|{(int)(traits & NamePatternTraits.PartialSurname)}|{string.Join(' ', tokens)}";
        if (!_seen.Add(key))
        {
            return;
        }

        var ids = new int[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!_ids.TryGetValue(tokens[i], out ids[i]))
            {
                ids[i] = _ids.Count;
                _ids.Add(tokens[i], ids[i]);
            }
        }

        _patterns.Add(new NamePattern(ids, pupil, kind, traits, forenameLength));
    }
}
