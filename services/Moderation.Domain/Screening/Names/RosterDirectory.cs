namespace Moderation.Domain.Screening.Names;

/// <summary>
/// The roster as redaction looks pupils up in it: by id, and by folded surname for "O. Smith" (how many pupils have
/// that initial and surname). A <see cref="NameMatcher"/> builds one with its index, so redacting an item costs a
/// dictionary look-up per name rather than a pass over a roster of two thousand, folding every name in it.
/// </summary>
internal sealed class RosterDirectory
{
    private readonly IReadOnlyList<RosterPupil> _roster;
    private Dictionary<Guid, RosterPupil>? _byId;
    private Dictionary<string, List<(string Legal, string Preferred)>>? _forenamesBySurname;

    /// <summary>A directory for one use: each look-up is built the first time it is needed.</summary>
    public RosterDirectory(IReadOnlyList<RosterPupil> roster) => _roster = roster;

    /// <summary>A directory with every look-up built now, so that it can be shared between threads.</summary>
    public static RosterDirectory Indexed(IReadOnlyList<RosterPupil> roster)
    {
        var directory = new RosterDirectory(roster);
        directory._byId = directory.BuildIdIndex();
        directory._forenamesBySurname = directory.BuildSurnameIndex();
        return directory;
    }

    public RosterPupil? Find(Guid pupilId) => (_byId ??= BuildIdIndex()).GetValueOrDefault(pupilId);

    /// <summary>
    /// The pupils whose folded surname is <paramref name="foldedSurname"/> and whose legal or preferred forename, folded,
    /// starts with <paramref name="foldedInitial"/>.
    /// </summary>
    public int CountWithInitial(string foldedSurname, string foldedInitial)
    {
        var index = _forenamesBySurname ??= BuildSurnameIndex();
        if (!index.TryGetValue(foldedSurname, out var forenames))
        {
            return 0;
        }

        var fits = 0;
        foreach (var (legal, preferred) in forenames)
        {
            if (legal.StartsWith(foldedInitial, StringComparison.Ordinal) || preferred.StartsWith(foldedInitial, StringComparison.Ordinal))
            {
                fits++;
            }
        }

        return fits;
    }

    private Dictionary<Guid, RosterPupil> BuildIdIndex()
    {
        var byId = new Dictionary<Guid, RosterPupil>(_roster.Count);
        foreach (var pupil in _roster)
        {
            // The first of two entries with one id wins, as a search from the start of the roster would find it.
            byId.TryAdd(pupil.PupilId, pupil);
        }

        return byId;
    }

    private Dictionary<string, List<(string Legal, string Preferred)>> BuildSurnameIndex()
    {
        var index = new Dictionary<string, List<(string Legal, string Preferred)>>(StringComparer.Ordinal);
        foreach (var pupil in _roster)
        {
            var surname = PupilNameFolding.FoldKey(pupil.Surname);
            if (!index.TryGetValue(surname, out var forenames))
            {
                index[surname] = forenames = [];
            }

            forenames.Add((PupilNameFolding.FoldKey(pupil.LegalForename), PupilNameFolding.FoldKey(pupil.PreferredForename)));
        }

        return index;
    }
}
