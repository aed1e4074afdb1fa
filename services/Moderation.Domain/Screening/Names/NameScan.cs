namespace Moderation.Domain.Screening.Names;

/// <summary>A pattern found at tokens <see cref="First"/>..<see cref="Last"/>, covering characters Start..End.</summary>
internal readonly record struct NameCandidate(int First, int Last, int Start, int End, NamePattern Pattern);

internal enum NameVerdict
{
    Reject,
    Accept,

    /// <summary>A word-name that counts only beside an accepted name ("Olivia and Summer").</summary>
    NeedsNeighbour,
}

/// <summary>
/// One text being matched: its tokens and folded words, and the context rules that decide whether a candidate reads
/// as a pupil's name. The word-name rules are ADR 0101.
/// </summary>
internal readonly ref struct NameScan(string text, ReadOnlySpan<NameToken> tokens, ReadOnlySpan<char> folded)
{
    public string Text { get; } = text;

    public ReadOnlySpan<NameToken> Tokens { get; } = tokens;

    private readonly ReadOnlySpan<char> _folded = folded;

    public NameCandidate Candidate(int first, int last, NamePattern pattern)
    {
        var start = Tokens[first].Start;
        var end = Tokens[last].End;

        // Dotted initials keep their last full stop: "O.S." is replaced whole.
        if (pattern.Kind == NameMatchKind.Initials && end < Text.Length && Text[end] == '.')
        {
            end++;
        }

        return new NameCandidate(first, last, start, end, pattern);
    }

    public NameVerdict Evaluate(NameCandidate candidate)
    {
        var pattern = candidate.Pattern;
        if (FollowsTitle(candidate.First))
        {
            return NameVerdict.Reject;
        }

        return pattern.Kind switch
        {
            NameMatchKind.Initials => EvaluateInitials(candidate),
            NameMatchKind.InitialAndSurname => EvaluateInitialAndSurname(candidate),
            NameMatchKind.SurnameOnly => AnyCapitalised(candidate.First, candidate.Last) ? NameVerdict.Accept : NameVerdict.Reject,
            _ when pattern.Has(NamePatternTraits.Short) && !IsCapitalised(candidate.First) => NameVerdict.Reject,
            _ when pattern.Has(NamePatternTraits.WordLike) => EvaluateWordName(candidate),
            _ when pattern.Has(NamePatternTraits.WordForename) && !AnyCapitalised(candidate.First, candidate.Last) => NameVerdict.Reject,
            _ => NameVerdict.Accept,
        };
    }

    /// <summary>
    /// A word-name waiting for a neighbour counts when a list joins it to an accepted name: "Olivia and Summer",
    /// "Summer, Olivia", "Olivia &amp; Grace".
    /// </summary>
    public bool IsListedBeside(NameCandidate candidate, List<NameCandidate> selected)
    {
        var first = candidate.First;
        if (first >= 1)
        {
            if (Tokens[first].GapBefore == NameGap.List && EndsAt(selected, first - 1))
            {
                return true;
            }

            if (first >= 2 && Tokens[first].GapBefore == NameGap.Space && IsWord(first - 1, "and")
                && Tokens[first - 1].GapBefore is NameGap.Space or NameGap.List && EndsAt(selected, first - 2))
            {
                return true;
            }
        }

        var last = candidate.Last;
        if (last + 1 < Tokens.Length)
        {
            if (Tokens[last + 1].GapBefore == NameGap.List && StartsAt(selected, last + 1))
            {
                return true;
            }

            if (last + 2 < Tokens.Length && IsWord(last + 1, "and") && Tokens[last + 1].GapBefore is NameGap.Space or NameGap.List
                && Tokens[last + 2].GapBefore == NameGap.Space && StartsAt(selected, last + 2))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A capitalised word between a forename and a surname may be a middle name: "Olivia Rose Smith".</summary>
    public bool IsPossibleMiddleName(int index) =>
        Tokens[index].Letters >= 2 && IsTitleCase(index) && !IsWord(index, "and") && !NameLexicon.Determiners.Contains(Folded(index));

    private NameVerdict EvaluateInitials(NameCandidate candidate)
    {
        for (var k = candidate.First; k <= candidate.Last; k++)
        {
            if (!IsCapitalised(k))
            {
                return NameVerdict.Reject;
            }
        }

        // Part of a longer run of initials ("P.O.S.T.", "J.R.R.") is someone or something else.
        var before = candidate.First >= 1 && Tokens[candidate.First].GapBefore == NameGap.Dot;
        var after = candidate.Last + 1 < Tokens.Length && Tokens[candidate.Last + 1].GapBefore == NameGap.Dot
            && Tokens[candidate.Last + 1].Letters == 1;
        return before || after ? NameVerdict.Reject : NameVerdict.Accept;
    }

    private NameVerdict EvaluateInitialAndSurname(NameCandidate candidate)
    {
        var initial = candidate.First;
        if (!IsCapitalised(initial) || !AnyCapitalised(initial + 1, candidate.Last))
        {
            return NameVerdict.Reject;
        }

        // "A Smith" and "I Smith" are English before they are initials; with the full stop they are initials.
        if (candidate.Pattern.Has(NamePatternTraits.InitialNeedsDot) && Tokens[initial + 1].GapBefore != NameGap.Dot)
        {
            return NameVerdict.Reject;
        }

        // "O.J. Smith": the pupil's single initial is part of somebody else's.
        return initial >= 1 && Tokens[initial].GapBefore == NameGap.Dot ? NameVerdict.Reject : NameVerdict.Accept;
    }

    private NameVerdict EvaluateWordName(NameCandidate candidate)
    {
        var first = candidate.First;
        if (FollowsGreeting(first))
        {
            return PrecedesCapitalisedWord(candidate.Last) ? NameVerdict.Reject : NameVerdict.Accept;
        }

        if (!IsTitleCase(first) || PrecedesCapitalisedWord(candidate.Last) || FollowsDeterminer(first))
        {
            return NameVerdict.Reject;
        }

        var sentenceStart = IsSentenceStart(first);
        if (!sentenceStart && FollowsCapitalisedWord(first) && !IsSentenceStart(first - 1))
        {
            // Inside a capitalised phrase ("we sang Amazing Grace"); a capital that only starts the sentence
            // ("Today Grace read") is grammar, not a title.
            return NameVerdict.Reject;
        }

        if (candidate.Pattern.Has(NamePatternTraits.Restricted))
        {
            return NameVerdict.NeedsNeighbour;
        }

        if (sentenceStart)
        {
            // "Grace's poem won", or a name that is all its line says ("Stars of the week:\nGrace\nWill",
            // "Star of the week: Grace 🌟"); otherwise "Hope you all..." is a sentence, not a pupil.
            return HasPossessive(candidate.Last) || EndsLine(candidate.Last) ? NameVerdict.Accept : NameVerdict.NeedsNeighbour;
        }

        return NameVerdict.Accept;
    }

    /// <summary>"Mrs Smith", "Mr. Kowalczyk", "Miss Olivia", "Mrs Grace Kowalczyk", "St Mary's": an adult or a saint.</summary>
    private bool FollowsTitle(int first)
    {
        if (first < 1 || Tokens[first].GapBefore is not (NameGap.Space or NameGap.Period))
        {
            return false;
        }

        if (IsTitle(first - 1))
        {
            return true;
        }

        return first >= 2 && Tokens[first].GapBefore == NameGap.Space && IsCapitalised(first - 1)
            && Tokens[first - 1].GapBefore is NameGap.Space or NameGap.Period && IsTitle(first - 2);
    }

    private bool IsTitle(int index) => IsCapitalised(index) && NameLexicon.Titles.Contains(Folded(index));

    private bool FollowsDeterminer(int first) =>
        first >= 1 && Tokens[first].GapBefore == NameGap.Space && NameLexicon.Determiners.Contains(Folded(first - 1));

    /// <summary>"Well done Grace", "thank you to May", "Congratulations, Hope": a greeting, optionally with "to".</summary>
    private bool FollowsGreeting(int first)
    {
        if (first < 1 || Tokens[first].GapBefore is not (NameGap.Space or NameGap.List))
        {
            return false;
        }

        var last = first - 1;
        var greetings = NameLexicon.Greetings;
        if (IsWord(last, "to"))
        {
            if (Tokens[first].GapBefore != NameGap.Space || last < 1 || Tokens[last].GapBefore != NameGap.Space)
            {
                return false;
            }

            last--;
            greetings = NameLexicon.GreetingsWithTo;
        }

        if (greetings.Contains(Folded(last)))
        {
            return true;
        }

        if (last < 1 || Tokens[last].GapBefore != NameGap.Space)
        {
            return false;
        }

        var one = Folded(last - 1);
        var two = Folded(last);
        Span<char> phrase = stackalloc char[32];
        if (one.Length + two.Length + 1 > phrase.Length)
        {
            return false;
        }

        one.CopyTo(phrase);
        phrase[one.Length] = ' ';
        two.CopyTo(phrase[(one.Length + 1)..]);
        return greetings.Contains(phrase[..(one.Length + two.Length + 1)]);
    }

    /// <summary>The next word, on the same line, is capitalised: "Summer Fair", "Grace Darling House".</summary>
    private bool PrecedesCapitalisedWord(int last) =>
        last + 1 < Tokens.Length && Tokens[last + 1].GapBefore == NameGap.Space && !Tokens[last + 1].LineBreakBefore
        && Tokens[last + 1].Letters >= 2 && IsCapitalised(last + 1);

    /// <summary>The word before, on the same line, is capitalised.</summary>
    private bool FollowsCapitalisedWord(int first) =>
        first >= 1 && Tokens[first].GapBefore == NameGap.Space && !Tokens[first].LineBreakBefore && IsCapitalised(first - 1);

    /// <summary>
    /// The word starts a sentence: the start of the text or a line, or after . ! ? : ; a dash, a bullet or an emoji,
    /// with any opening quotes or brackets in between.
    /// </summary>
    private bool IsSentenceStart(int index)
    {
        for (var k = Tokens[index].Start - 1; k >= 0; k--)
        {
            var c = Text[k];
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                return true;
            }

            if (char.IsWhiteSpace(c) || PupilNameFolding.IsIgnorable(c) || PupilNameFolding.IsCombiningMark(c)
                || c is '"' or '\'' or '\u201C' or '\u2018' or '(' or '[' or '{')
            {
                continue;
            }

            return c is '.' or '!' or '?' or ':' or ';' or '\u2026' or '\u2022' or '*' or '-' or '\u2013' or '\u2014'
                || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.OtherSymbol;
        }

        return true;
    }

    /// <summary>Nothing but punctuation, emoji or spaces follows on the line.</summary>
    private bool EndsLine(int last)
    {
        for (var k = Tokens[last].End; k < Text.Length; k++)
        {
            var c = Text[k];
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                return true;
            }

            if (char.IsLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private bool HasPossessive(int last)
    {
        var end = Tokens[last].End;
        return end + 1 < Text.Length && PupilNameFolding.IsApostrophe(Text[end]) && Text[end + 1] is 's' or 'S'
            && (end + 2 == Text.Length || !char.IsLetter(Text[end + 2]));
    }

    private bool IsCapitalised(int index) => char.IsUpper(Text[Tokens[index].Start]);

    /// <summary>Upper-case first letter and not all capitals: "Grace", not "grace" or the acronym "PAT".</summary>
    private bool IsTitleCase(int index)
    {
        ref readonly var token = ref Tokens[index];
        if (!char.IsUpper(Text[token.Start]))
        {
            return false;
        }

        if (token.Letters == 1)
        {
            return true;
        }

        for (var k = token.Start + 1; k < token.End; k++)
        {
            if (char.IsLower(Text[k]))
            {
                return true;
            }
        }

        return false;
    }

    private bool AnyCapitalised(int first, int last)
    {
        for (var k = first; k <= last; k++)
        {
            if (IsCapitalised(k))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsWord(int index, string word) => Folded(index).SequenceEqual(word);

    private ReadOnlySpan<char> Folded(int index) => _folded.Slice(Tokens[index].FoldStart, Tokens[index].FoldLength);

    private static bool EndsAt(List<NameCandidate> selected, int index)
    {
        foreach (var candidate in selected)
        {
            if (candidate.Last == index)
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsAt(List<NameCandidate> selected, int index)
    {
        foreach (var candidate in selected)
        {
            if (candidate.First == index)
            {
                return true;
            }
        }

        return false;
    }
}
