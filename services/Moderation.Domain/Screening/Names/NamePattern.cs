namespace Moderation.Domain.Screening.Names;

/// <summary>What a pattern needs from the text around it before it counts.</summary>
[Flags]
internal enum NamePatternTraits
{
    None = 0,

    /// <summary>Made only of everyday words ("Grace", "Rose Hill"): the word-name rules of ADR 0101 apply.</summary>
    WordLike = 1,

    /// <summary>A month, season, place or subject ("May"): only after a greeting or beside another pupil's name.</summary>
    Restricted = 2,

    /// <summary>A full name whose forename is a word ("Will Okafor"): at least one part must be capitalised.</summary>
    WordForename = 4,

    /// <summary>A forename of one or two letters ("Jo"): must be capitalised.</summary>
    Short = 8,

    /// <summary>An initial that is also an English word ("A Smith", "I Smith"): needs its full stop.</summary>
    InitialNeedsDot = 16,

    /// <summary>A full name made of the forename and one part of a double-barrelled surname ("Zoë Taylor").</summary>
    PartialSurname = 32,
}

/// <summary>One way a roster pupil can be written, as a sequence of folded token ids.</summary>
internal sealed class NamePattern(int[] tokens, int pupilIndex, NameMatchKind kind, NamePatternTraits traits, int forenameLength)
{
    public int[] Tokens { get; } = tokens;

    public int PupilIndex { get; } = pupilIndex;

    public NameMatchKind Kind { get; } = kind;

    public NamePatternTraits Traits { get; } = traits;

    /// <summary>How many of the tokens are the forename (zero for a surname alone).</summary>
    public int ForenameLength { get; } = forenameLength;

    /// <summary>Which of two matches of the same length wins; lower is stronger.</summary>
    public int Rank => Kind switch
    {
        NameMatchKind.FullName => (Traits & NamePatternTraits.PartialSurname) != 0 ? 1 : 0,
        NameMatchKind.InitialAndSurname => 2,
        NameMatchKind.ForenameOnly => 3,
        NameMatchKind.SurnameOnly => 4,
        _ => 5,
    };

    public bool Has(NamePatternTraits trait) => (Traits & trait) != 0;
}
