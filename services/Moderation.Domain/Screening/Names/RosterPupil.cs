namespace Moderation.Domain.Screening.Names;

/// <summary>
/// A pupil as the name screener sees them: the legal forename, the preferred ("known as") forename where the MIS has one,
/// and the surname, which may be hyphenated or double-barrelled.
/// </summary>
public sealed record RosterPupil(Guid PupilId, string MisId, string LegalForename, string? PreferredForename, string Surname)
{
    /// <summary>The forename the school uses: the preferred name if set, else the legal forename.</summary>
    public string SchoolForename =>
        string.IsNullOrWhiteSpace(PreferredForename) ? LegalForename.Trim() : PreferredForename.Trim();
}
