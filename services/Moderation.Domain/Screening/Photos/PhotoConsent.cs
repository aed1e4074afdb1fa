namespace Moderation.Domain.Screening.Photos;

public enum PersonVerdictKind
{
    Allowed,
    Objected,
    Restricted,
    NeverPublish,

    /// <summary>A tagged person who matches no pupil on the roster: a member of staff, a parent, a visitor, or a typo.</summary>
    Unknown,

    /// <summary>Opt-in school and no effective written consent for this channel.</summary>
    NoConsent,
}

public enum PhotoVerdictKind
{
    Clear,
    Blocked,
    NeedsConfirmation,
}

/// <summary>
/// One pupil as the consent rules see them. <paramref name="Names"/> holds the legal and preferred full names and any
/// variants the school uses; <paramref name="Consents"/> every record for every channel.
/// </summary>
public sealed record RosterConsent(Guid PupilId, string MisId, IReadOnlyList<string> Names, IReadOnlyList<ConsentEntry> Consents);

/// <summary>
/// A consent record. <paramref name="Channel"/> is compared without case to the channel asked about (the names of
/// <c>ConsentChannel</c>); <paramref name="Status"/> is Granted, Objected or Restricted. <paramref name="ExpiresOn"/> is
/// the last day the record applies.
/// </summary>
public sealed record ConsentEntry(
    string Channel,
    string Status,
    string? Restriction,
    bool NeverPublish,
    DateOnly EffectiveFrom,
    DateOnly? ExpiresOn);

public sealed record PersonVerdict(TaggedPerson Person, Guid? PupilId, PersonVerdictKind Kind, string? Restriction, string Reason);

public sealed record PhotoVerdict(PhotoVerdictKind Kind, IReadOnlyList<PersonVerdict> People, IReadOnlyList<string> Reasons);

/// <summary>
/// Decides whether a photo may go out on a channel, from the people its metadata names and the roster's consent
/// (003 §6.3(e) and §7.1–7.2; 001 §5; DOMAIN.md "Consent in detail").
/// <list type="bullet">
/// <item>A tag is matched to a pupil by the MIS id in its <c>PersonId</c> first, then by name (folded with
/// <see cref="NameFolding"/>); the name written beside a matching MIS id also means that pupil elsewhere in the photo.
/// The same pupil tagged in several fields counts once. A name two pupils share is judged as both of them, and
/// needs a person even when both have consent.</item>
/// <item>Keywords count only when they equal a roster name; captions and alt text only when a roster name appears in
/// them as whole words, or when the caller's name matcher says so. Neither is ever an unknown person.</item>
/// <item>Never-publish beats everything, on every channel. Then objection beats restriction beats consent.</item>
/// <item>Granted and restricted records count from their effective date to their expiry. An objection or a
/// never-publish flag counts from the moment it is recorded, even when its effective date is still ahead, because a
/// withdrawal also takes down photos already published; only its expiry lifts it.</item>
/// <item>With no record that counts: opt-out schools (003 §7.1) allow; opt-in schools (001 §5) need written consent,
/// so the pupil is <see cref="PersonVerdictKind.NoConsent"/> and the photo is blocked, not merely queued, because a
/// moderator cannot supply a parent's written consent.</item>
/// <item>The photo is <see cref="PhotoVerdictKind.Blocked"/> when anyone in it is never-publish, objected or without
/// consent; otherwise it needs confirmation when its metadata could not be read in full, when anyone is unknown or
/// restricted (a person checks the restriction is respected), when a name is ambiguous, or when marked faces are
/// unnamed or outnumber the people identified, so faces without people tags are never cleared; otherwise it is
/// <see cref="PhotoVerdictKind.Clear"/>.</item>
/// </list>
/// </summary>
public static class PhotoConsent
{
    private const string Granted = "Granted";
    private const string Objected = "Objected";
    private const string Restricted = "Restricted";

    public static PhotoVerdict Decide(PhotoPeople photo, IReadOnlyList<RosterConsent> roster, string channel, DateOnly today, bool optIn) =>
        Decide(photo, roster, channel, today, optIn, pupilsNamedInText: []);

    /// <param name="pupilsNamedInText">
    /// Pupils the roster name matcher found in the caption, alt text or embedded captions (it knows possessives,
    /// initials and the rest); they are judged like tagged pupils.
    /// </param>
    public static PhotoVerdict Decide(
        PhotoPeople photo,
        IReadOnlyList<RosterConsent> roster,
        string channel,
        DateOnly today,
        bool optIn,
        IReadOnlyCollection<Guid> pupilsNamedInText)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(pupilsNamedInText);

        var index = new RosterIndex(roster, photo.People);
        var matched = new Dictionary<Guid, (TaggedPerson Person, string How)>();
        var unknown = new Dictionary<string, TaggedPerson>(StringComparer.Ordinal);
        var ambiguities = new List<string>();

        foreach (var person in photo.People)
        {
            if (person.IsFreeText)
            {
                foreach (var pupil in index.NamedIn(person.Name))
                {
                    matched.TryAdd(pupil.PupilId, (person, $"named in the {Describe(person.Source)}"));
                }

                continue;
            }

            var (pupils, how) = index.Match(person);
            if (pupils.Count > 1)
            {
                // Two pupils share the name: both are judged, so an objection for either one blocks.
                var ambiguity = $"{Label(person)} matches {pupils.Count} pupils on the roster";
                if (!ambiguities.Contains(ambiguity))
                {
                    ambiguities.Add(ambiguity);
                }
            }

            foreach (var pupil in pupils)
            {
                matched.TryAdd(pupil.PupilId, (person, how));
            }

            if (pupils.Count == 0 && !person.IsKeyword)
            {
                unknown.TryAdd(NameFolding.Fold(person.Name ?? person.PersonId), person);
            }
        }

        foreach (var pupilId in pupilsNamedInText)
        {
            if (index.ById(pupilId) is not null)
            {
                var text = photo.People.FirstOrDefault(p => p.IsFreeText) ?? new TaggedPerson(null, null, PersonSource.Caption);
                matched.TryAdd(pupilId, (text, "named in the text, by the name matcher"));
            }
        }

        var verdicts = new List<PersonVerdict>();
        foreach (var (pupilId, (person, how)) in matched)
        {
            verdicts.Add(Judge(index.ById(pupilId)!, person, how, channel, today, optIn));
        }

        foreach (var person in unknown.Values)
        {
            verdicts.Add(new(person, null, PersonVerdictKind.Unknown, null,
                $"{Label(person)} ({Describe(person.Source)}) matches no pupil on the roster"));
        }

        return Conclude(photo, verdicts, ambiguities);
    }

    private static PhotoVerdict Conclude(PhotoPeople photo, List<PersonVerdict> verdicts, List<string> ambiguities)
    {
        var blocking = verdicts
            .Where(v => v.Kind is PersonVerdictKind.NeverPublish or PersonVerdictKind.Objected or PersonVerdictKind.NoConsent)
            .ToList();
        if (blocking.Count > 0)
        {
            return new(PhotoVerdictKind.Blocked, verdicts, blocking.Select(v => v.Reason).ToList());
        }

        var reasons = new List<string>();
        if (!photo.Readable)
        {
            reasons.Add("the photo's metadata could not be read in full: " + photo.Error);
        }

        reasons.AddRange(verdicts.Where(v => v.Kind is PersonVerdictKind.Unknown or PersonVerdictKind.Restricted).Select(v => v.Reason));
        reasons.AddRange(ambiguities);

        if (photo.UnnamedFaceRegions > 0)
        {
            reasons.Add($"{photo.UnnamedFaceRegions} of {photo.FaceRegions} marked faces have no name");
        }
        else if (photo.FaceRegions > verdicts.Count)
        {
            reasons.Add($"{photo.FaceRegions} marked faces but only {verdicts.Count} people identified");
        }

        return reasons.Count > 0
            ? new(PhotoVerdictKind.NeedsConfirmation, verdicts, reasons)
            : new(PhotoVerdictKind.Clear, verdicts, verdicts.Count == 0 ? ["no people or faces are tagged"] : verdicts.Select(v => v.Reason).ToList());
    }

    private static PersonVerdict Judge(RosterConsent pupil, TaggedPerson person, string how, string channel, DateOnly today, bool optIn)
    {
        var who = $"{pupil.Names.FirstOrDefault() ?? pupil.MisId} (MIS {pupil.MisId}, {how})";

        // A protective record (objection, never-publish) applies from the moment it exists; only its expiry lifts it.
        bool Protects(ConsentEntry c) => c.ExpiresOn is not { } end || today <= end;
        bool Effective(ConsentEntry c) => c.EffectiveFrom <= today && Protects(c);

        if (pupil.Consents.Any(c => c.NeverPublish && Protects(c)))
        {
            return new(person, pupil.PupilId, PersonVerdictKind.NeverPublish, null, $"{who}: never publish");
        }

        var forChannel = pupil.Consents.Where(c => string.Equals(c.Channel.Trim(), channel.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();

        if (forChannel.Any(c => Is(c, Objected) && Protects(c)))
        {
            return new(person, pupil.PupilId, PersonVerdictKind.Objected, null, $"{who}: objection recorded for {channel}");
        }

        // A status the rules do not know is treated as a restriction a person must read.
        var restrictions = forChannel
            .Where(c => Effective(c) && !Is(c, Granted) && !Is(c, Objected))
            .Select(c => Is(c, Restricted) ? XmpFields.Clean(c.Restriction) ?? "restricted (no detail recorded)" : $"unrecognised consent status '{c.Status}'")
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (restrictions.Count > 0)
        {
            var restriction = string.Join("; ", restrictions);
            return new(person, pupil.PupilId, PersonVerdictKind.Restricted, restriction, $"{who}: consent for {channel} is restricted: {restriction}");
        }

        if (forChannel.Any(c => Is(c, Granted) && Effective(c)))
        {
            return new(person, pupil.PupilId, PersonVerdictKind.Allowed, null, $"{who}: consent granted for {channel}");
        }

        var lapsed = forChannel.Where(c => Is(c, Granted) && c.ExpiresOn is { } end && end < today).Max(c => c.ExpiresOn);
        var pending = forChannel.Where(c => Is(c, Granted) && c.EffectiveFrom > today).Min(c => (DateOnly?)c.EffectiveFrom);
        var history = lapsed is { } l ? $"consent for {channel} expired on {l:yyyy-MM-dd}"
            : pending is { } p ? $"consent for {channel} starts on {p:yyyy-MM-dd}"
            : $"no consent record for {channel}";

        return optIn
            ? new(person, pupil.PupilId, PersonVerdictKind.NoConsent, null, $"{who}: no written consent ({history}; the school is opt-in)")
            : new(person, pupil.PupilId, PersonVerdictKind.Allowed, null, $"{who}: no objection ({history}; the school is opt-out)");
    }

    private static bool Is(ConsentEntry c, string status) => string.Equals(c.Status.Trim(), status, StringComparison.OrdinalIgnoreCase);

    private static string Label(TaggedPerson person) => person.Name ?? person.PersonId ?? "an unnamed person";

    private static string Describe(PersonSource source) => source switch
    {
        PersonSource.PersonInImage => "IPTC PersonInImage",
        PersonSource.PersonInImageWDetails => "IPTC PersonInImageWDetails",
        PersonSource.MwgFaceRegion => "MWG face region",
        PersonSource.MicrosoftPeopleTag => "Microsoft people tag",
        PersonSource.XmpSubject => "XMP keyword",
        PersonSource.IptcKeywords => "IPTC keyword",
        PersonSource.Caption => "caption",
        PersonSource.AltText => "alt text",
        PersonSource.EmbeddedCaption => "caption stored in the file",
        _ => source.ToString(),
    };

    private sealed class RosterIndex
    {
        private readonly Dictionary<Guid, RosterConsent> _byId = [];
        private readonly Dictionary<string, RosterConsent> _byMisId = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<RosterConsent>> _byName = new(StringComparer.Ordinal);
        private readonly Dictionary<string, RosterConsent> _aliases = new(StringComparer.Ordinal);

        public RosterIndex(IReadOnlyList<RosterConsent> roster, IReadOnlyList<TaggedPerson> people)
        {
            foreach (var pupil in roster)
            {
                _byId[pupil.PupilId] = pupil;
                _byMisId[pupil.MisId.Trim()] = pupil;
                foreach (var name in pupil.Names.Select(NameFolding.Fold).Where(n => n.Length > 0).Distinct())
                {
                    if (!_byName.TryGetValue(name, out var list))
                    {
                        _byName[name] = list = [];
                    }

                    list.Add(pupil);
                }
            }

            // The name written beside a matching MIS id is that pupil's name in this photo, even when the roster spells
            // it differently ("Liv" for Olivia): the same name in another field then means the same pupil.
            foreach (var person in people)
            {
                if (person.MisId is { } misId && _byMisId.TryGetValue(misId, out var pupil) && NameFolding.Fold(person.Name) is { Length: > 0 } alias)
                {
                    _aliases.TryAdd(alias, pupil);
                }
            }
        }

        public RosterConsent? ById(Guid id) => _byId.GetValueOrDefault(id);

        public (IReadOnlyList<RosterConsent> Pupils, string How) Match(TaggedPerson person)
        {
            if (person.MisId is { } misId && _byMisId.TryGetValue(misId, out var byMis))
            {
                return ([byMis], $"MIS id in the {Describe(person.Source)}");
            }

            var name = NameFolding.Fold(person.Name);
            if (name.Length == 0)
            {
                return ([], string.Empty);
            }

            if (_byName.TryGetValue(name, out var byName))
            {
                return (byName, $"name in the {Describe(person.Source)}");
            }

            return _aliases.TryGetValue(name, out var alias)
                ? ([alias], $"name given with the MIS id, in the {Describe(person.Source)}")
                : ([], string.Empty);
        }

        /// <summary>Pupils any of whose roster names appear in the text as whole words.</summary>
        public IEnumerable<RosterConsent> NamedIn(string? text)
        {
            var folded = NameFolding.WordPadded(text);
            foreach (var (name, pupils) in _byName)
            {
                if (NameFolding.NamesWhole(folded, name))
                {
                    foreach (var pupil in pupils)
                    {
                        yield return pupil;
                    }
                }
            }
        }
    }
}
