namespace Moderation.Domain.Screening.Risk;

/// <summary>What a lexicon term does when it is found.</summary>
public enum TermMode
{
    /// <summary>A banned word: the item is held or hidden.</summary>
    Block,

    /// <summary>A suspect word: the item goes to a person to judge.</summary>
    Flag,

    /// <summary>An exception: a phrase that looks like a hit but is innocent ("Dick Whittington"); hits inside it are dropped.</summary>
    Allow,
}

/// <summary>A word a school's administrators added for their own accounts: banned words block, suspect words flag.</summary>
public sealed record SchoolTerm(string Term, TermMode Mode)
{
    /// <summary>Reads "block" or "flag" (any case), as the administrators' screen stores them.</summary>
    public static TermMode ParseMode(string mode) => mode?.Trim().ToUpperInvariant() switch
    {
        "BLOCK" or "BANNED" => TermMode.Block,
        "FLAG" or "SUSPECT" => TermMode.Flag,
        _ => throw new ArgumentException($"A school term's mode is \"block\" or \"flag\", not \"{mode}\".", nameof(mode)),
    };
}
