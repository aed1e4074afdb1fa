namespace Moderation.Domain.Screening.Names;

/// <summary>How a pupil was named in the text.</summary>
public enum NameMatchKind
{
    /// <summary>Forename and surname ("Olivia Smith", "Olivia Rose Smith", "Zoë Taylor" for Zoë Núñez-Taylor).</summary>
    FullName,

    /// <summary>The legal or preferred forename alone ("Olivia", "Libby").</summary>
    ForenameOnly,

    /// <summary>A surname alone, only where it is rare enough to identify ("the Kowalczyk family").</summary>
    SurnameOnly,

    /// <summary>A forename initial with the surname ("O. Smith", "O Smith").</summary>
    InitialAndSurname,

    /// <summary>Dotted initials alone ("Z.N.T."), only when one pupil on the roster has them.</summary>
    Initials,
}

/// <summary>One reference to a roster pupil; <see cref="Offset"/> and <see cref="Length"/> index the original text.</summary>
public sealed record NameMatch(int Offset, int Length, Guid PupilId, NameMatchKind Kind);
