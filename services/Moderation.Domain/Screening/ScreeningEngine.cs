using Moderation.Domain.Consent;
using Moderation.Domain.Screening.Classifier;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Photos;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Screening;

/// <summary>A photo to screen: the bytes as uploaded or fetched, and its name for messages.</summary>
public sealed record PhotoInput(Guid? MediaId, string FileName, byte[] Content);

/// <summary>What screening decided about one photo.</summary>
/// <param name="Verdict">The photo's verdict for the strictest of the item's channels.</param>
/// <param name="LocationFlags">What the metadata disclosed about where or by whom the photo was taken.</param>
/// <param name="PublishableContent">A copy with the metadata removed and verified clean; null when none could be made.</param>
/// <param name="Problem">Why the photo could not be screened fully (unreadable metadata, a corrupt file), or null.</param>
public sealed record PhotoScreening(
    Guid? MediaId,
    string FileName,
    string? Format,
    PhotoVerdict Verdict,
    string Channel,
    IReadOnlyList<string> LocationFlags,
    byte[]? PublishableContent,
    string? Problem);

/// <summary>
/// The whole screening of an item or a draft (ISSUE 3 §6): the redacted text and its spans, the photos' people and
/// verdicts, and the risk hits. <see cref="Findings"/> index the original text; <see cref="Redactions"/> too.
/// </summary>
public sealed record ScreeningResult(
    string RedactedText,
    IReadOnlyList<RedactionSpan> Redactions,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<PhotoScreening> Photos,
    PhotoVerdictKind? PhotoVerdict,
    ClassifierOutcome Classifier,
    IReadOnlyList<string> Failures)
{
    public bool Complete => Failures.Count == 0;

    /// <summary>The findings that must reach the DSL: one per safeguarding category, the most severe first found.</summary>
    public IReadOnlyList<Finding> SafeguardingConcerns =>
        [.. Findings.Where(RiskCategories.RaisesSafeguardingConcern)
            .GroupBy(f => f.Category, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(f => f.Severity).ThenBy(f => f.Offset).First())];

    /// <summary>What the item says about its screening: the failures, and whether the classifier took part.</summary>
    public string? Note
    {
        get
        {
            var parts = new List<string>();
            if (Failures.Count > 0)
            {
                parts.Add("Screening incomplete: " + string.Join("; ", Failures));
            }

            if (Classifier.Status == ClassifierStatus.Unavailable)
            {
                parts.Add($"Classifier unavailable ({Classifier.Reason}); screened by rules alone.");
            }

            return parts.Count == 0 ? null : string.Join(" ", parts);
        }
    }
}

/// <summary>
/// Runs every screener on a text and its photos under one school's profile: name redaction under the school's
/// policy, the risk rules with the school's context, personal data, the optional external classifier (on the redacted
/// text only: pupils' names never leave the service), and photo consent for each channel the item is bound for.
/// A screener that throws is recorded in <see cref="ScreeningResult.Failures"/>; the others still run.
/// </summary>
/// <param name="screeners">Context-free text screeners run beside the risk rules (personal data, and any others registered).</param>
public sealed class ScreeningEngine(RiskScreener risk, IEnumerable<ITextScreener> screeners, IRiskClassifier classifier)
{
    public const string PhotoConsentCategory = "PhotoConsent";
    public const string PhotoLocationCategory = "PhotoLocation";

    private readonly ITextScreener[] _screeners = [.. screeners.Where(s => s is not RiskScreener)];

    public async Task<ScreeningResult> ScreenAsync(
        SchoolScreeningProfile profile,
        string text,
        IReadOnlyList<PhotoInput> photos,
        IReadOnlyCollection<ConsentChannel> channels,
        DateOnly today,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(channels);
        var failures = new List<string>();
        var findings = new List<Finding>();

        IReadOnlyList<NameMatch> names = [];
        var redaction = new RedactionResult(text, []);
        Guard(failures, "names", () =>
        {
            names = profile.Names.Find(text);
            redaction = NameRedactor.Redact(text, names, profile.Names, profile.NamePolicy);
        });
        Guard(failures, risk.Name, () => findings.AddRange(risk.Screen(text, profile.Risk)));
        foreach (var screener in _screeners)
        {
            Guard(failures, screener.Name, () => findings.AddRange(screener.Screen(text)));
        }

        var classified = await classifier.ClassifyAsync(profile.SchoolId, redaction.RedactedText, ct);
        if (classified.Status == ClassifierStatus.Answered && classified.Findings.Count > 0)
        {
            var offsets = OffsetsOf(redaction);
            findings.AddRange(classified.Findings.Select(f =>
            {
                var (offset, length) = offsets.MapBack(f.Offset, f.Length);
                return f with { Offset = offset, Length = length };
            }));
        }

        var namedInText = photos.Count == 0 ? [] : names.Select(n => n.PupilId).ToHashSet();
        var screenedPhotos = new List<PhotoScreening>(photos.Count);
        foreach (var photo in photos)
        {
            var screened = ScreenPhoto(profile, photo, channels, today, namedInText);
            screenedPhotos.Add(screened);
            if (screened.Problem is not null)
            {
                failures.Add($"photo {photo.FileName}: {screened.Problem}");
            }

            findings.AddRange(PhotoFindings(screened));
        }

        PhotoVerdictKind? photoVerdict = screenedPhotos.Count == 0 ? null : screenedPhotos.Select(p => p.Verdict.Kind).MaxBy(Strictness);
        return new ScreeningResult(redaction.RedactedText, redaction.Spans, InTextOrder(findings), screenedPhotos, photoVerdict, classified, failures);
    }

    /// <summary>The findings by offset; a stable sort, so findings at one offset keep the order the screeners gave them.</summary>
    private static Finding[] InTextOrder(List<Finding> findings)
    {
        var order = new (Finding Finding, int Index)[findings.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = (findings[i], i);
        }

        Array.Sort(order, static (a, b) => a.Finding.Offset != b.Finding.Offset ? a.Finding.Offset.CompareTo(b.Finding.Offset) : a.Index.CompareTo(b.Index));
        var sorted = new Finding[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            sorted[i] = order[i].Finding;
        }

        return sorted;
    }

    /// <summary>Where each redaction moved the text, for mapping offsets between the original and redacted text.</summary>
    public static RedactedOffsets OffsetsOf(RedactionResult redaction)
    {
        ArgumentNullException.ThrowIfNull(redaction);
        return new RedactedOffsets(redaction.Spans.Select(s => new Replacement(s.Offset, s.Length, s.Replacement.Length)));
    }

    /// <summary>Clear &lt; needs confirmation &lt; blocked.</summary>
    public static int Strictness(PhotoVerdictKind kind) => kind switch
    {
        PhotoVerdictKind.Clear => 0,
        PhotoVerdictKind.NeedsConfirmation => 1,
        _ => 2,
    };

    private static PhotoScreening ScreenPhoto(
        SchoolScreeningProfile profile, PhotoInput photo, IReadOnlyCollection<ConsentChannel> channels, DateOnly today, HashSet<Guid> namedInText)
    {
        PhotoPeople people;
        try
        {
            people = PhotoMetadataReader.Read(photo.Content);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            people = new PhotoPeople(false, ex.Message, [], 0, 0, null, PhotoLocation.None, null);
        }

        // Names written in the file's own captions are matched like the item's text.
        var named = new HashSet<Guid>(namedInText);
        foreach (var free in people.People.Where(p => p.IsFreeText && p.Name is not null))
        {
            named.UnionWith(profile.Names.Find(free.Name!).Select(m => m.PupilId));
        }

        var optIn = profile.ConsentModel == Schools.ConsentModel.OptIn;
        var bound = channels.Count == 0 ? [ConsentChannel.SocialMedia] : channels;
        var (verdict, channel) = bound
            .Select(c => (Verdict: PhotoConsent.Decide(people, profile.Consents, c.ToString(), today, optIn, named), Channel: c.ToString()))
            .MaxBy(v => Strictness(v.Verdict.Kind));

        byte[]? publishable = null;
        var problem = people.Readable ? null : $"metadata unreadable ({people.Error})";
        try
        {
            var clean = PhotoSanitiser.StripForPublishing(photo.Content);
            if (clean.Succeeded)
            {
                publishable = clean.Image;
            }
            else if (clean.Outcome == SanitiseOutcome.Corrupt)
            {
                problem ??= "the file is corrupt or truncated: " + string.Join("; ", clean.Problems);
            }
            else
            {
                verdict = verdict with
                {
                    Kind = PhotoVerdictKind.Blocked == verdict.Kind ? verdict.Kind : PhotoVerdictKind.NeedsConfirmation,
                    Reasons = [.. verdict.Reasons, $"No clean copy for publishing: {string.Join("; ", clean.Problems)}"],
                };
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            problem ??= "the file could not be cleaned: " + ex.Message;
        }

        return new PhotoScreening(photo.MediaId, photo.FileName, people.Format, verdict, channel, LocationFlags(people.Location), publishable, problem);
    }

    private static List<string> LocationFlags(PhotoLocation location)
    {
        var flags = new List<string>();
        if (location.HasGps)
        {
            flags.Add(location.Latitude is { } lat && location.Longitude is { } lon
                ? FormattableString.Invariant($"GPS position {lat:0.####}, {lon:0.####}")
                : "GPS position");
        }

        flags.AddRange(location.LocationNames.Select(n => $"Location name \"{n}\""));
        if (location.CameraOwner is { } owner)
        {
            flags.Add($"Camera owner \"{owner}\"");
        }

        return flags;
    }

    private static IEnumerable<Finding> PhotoFindings(PhotoScreening photo)
    {
        foreach (var person in photo.Verdict.People.Where(p => p.Kind != PersonVerdictKind.Allowed))
        {
            var severity = person.Kind is PersonVerdictKind.Objected or PersonVerdictKind.NeverPublish ? FindingSeverity.Severe : FindingSeverity.Warning;
            yield return new Finding(
                PhotoConsentCategory, "photo-" + person.Kind.ToString().ToLowerInvariant(), severity, 0, 0,
                Truncate($"{photo.FileName}: {person.Reason}", 500), photo.MediaId);
        }

        if (photo.Verdict.Kind != PhotoVerdictKind.Clear && photo.Verdict.People.All(p => p.Kind == PersonVerdictKind.Allowed))
        {
            yield return new Finding(
                PhotoConsentCategory, "photo-" + (photo.Verdict.Kind == PhotoVerdictKind.Blocked ? "blocked" : "needs-confirmation"),
                photo.Verdict.Kind == PhotoVerdictKind.Blocked ? FindingSeverity.Severe : FindingSeverity.Warning, 0, 0,
                Truncate($"{photo.FileName}: {string.Join(" ", photo.Verdict.Reasons)}", 500), photo.MediaId);
        }

        foreach (var flag in photo.LocationFlags)
        {
            yield return new Finding(
                PhotoLocationCategory, "photo-location", FindingSeverity.Warning, 0, 0,
                Truncate($"{photo.FileName}: {flag}; removed from the copy that is published.", 500), photo.MediaId);
        }
    }

    private static void Guard(List<string> failures, string screener, Action run)
    {
        try
        {
            run();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            failures.Add($"{screener}: {ex.Message}");
        }
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
