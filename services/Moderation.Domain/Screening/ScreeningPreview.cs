using Moderation.Domain.Consent;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Screening;

/// <summary>A pupil's name in the text: where it is in the original and in the redacted text, and what replaced it.</summary>
public sealed record PreviewRedaction(int Offset, int Length, int RedactedOffset, Guid PupilId, string Replacement);

public sealed record PreviewFinding(string Category, string Rule, string Severity, int Offset, int Length, string Explanation, string? Photo);

public sealed record PreviewPhoto(
    string FileName,
    string? Format,
    string Verdict,
    string Channel,
    IReadOnlyList<PhotoPersonView> People,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> LocationFlags,
    bool PublishableCopy,
    string? Problem);

public sealed record PreviewClassifier(string Status, string? Reason);

/// <summary>
/// The whole screening of a draft, as <c>POST /api/schools/{id}/screening/preview</c> and the worker's
/// <c>preview</c> command return it. Offsets index the text as sent, except <c>redactedOffset</c>.
/// </summary>
public sealed record PreviewResult(
    Guid SchoolId,
    string NamePolicy,
    IReadOnlyList<string> Channels,
    string Text,
    string RedactedText,
    IReadOnlyList<PreviewRedaction> Redactions,
    IReadOnlyList<PreviewFinding> Findings,
    bool SafeguardingConcern,
    IReadOnlyList<PreviewPhoto> Photos,
    string? PhotoVerdict,
    PreviewClassifier Classifier,
    bool Complete,
    IReadOnlyList<string> Failures);

/// <summary>Screens a draft without storing anything, for authors and administrators to check before submitting.</summary>
public sealed class ScreeningPreview(ScreeningEngine engine, SchoolScreeningProfiles profiles, TimeProvider time)
{
    public const int MaxTextLength = 10_000;
    public const int MaxPhotos = 10;

    /// <summary>Everything wrong with a preview request, as messages; empty when it can be screened.</summary>
    public static IReadOnlyList<string> Validate(string? text, IReadOnlyCollection<PhotoInput> photos, IReadOnlyCollection<string> channels, out IReadOnlyList<ConsentChannel> parsed)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(channels);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(text) && photos.Count == 0)
        {
            errors.Add("Send some text, or at least one photo, to screen.");
        }

        if (text?.Length > MaxTextLength)
        {
            errors.Add($"The text is {text.Length} characters; at most {MaxTextLength} can be screened.");
        }

        if (photos.Count > MaxPhotos)
        {
            errors.Add($"{photos.Count} photos were sent; at most {MaxPhotos} can be screened at once.");
        }

        errors.AddRange(photos.Where(p => p.Content.Length == 0).Select(p => $"The photo \"{p.FileName}\" is empty."));
        var list = new List<ConsentChannel>();
        foreach (var channel in channels)
        {
            if (Enum.TryParse<ConsentChannel>(channel, ignoreCase: true, out var c) && Enum.IsDefined(c) && !int.TryParse(channel, out _))
            {
                list.Add(c);
            }
            else
            {
                errors.Add($"\"{channel}\" is not a channel; use {string.Join(", ", Enum.GetNames<ConsentChannel>())}.");
            }
        }

        parsed = list;
        return errors;
    }

    /// <summary>The screening result, or null when the school does not exist.</summary>
    public async Task<PreviewResult?> RunAsync(
        ModerationDbContext db, Guid schoolId, string? text, IReadOnlyList<PhotoInput> photos, IReadOnlyList<ConsentChannel> channels, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(channels);
        var profile = await profiles.GetAsync(db, schoolId, ct);
        if (profile is null)
        {
            return null;
        }

        text ??= "";
        IReadOnlyCollection<ConsentChannel> bound = channels.Count == 0 ? [ConsentChannel.SocialMedia] : channels.Distinct().ToList();
        var result = await engine.ScreenAsync(profile, text, photos, bound, ItemChannels.Today(time), ct);
        var offsets = ScreeningEngine.OffsetsOf(new Names.RedactionResult(result.RedactedText, result.Redactions));
        var names = photos.Where(p => p.MediaId is not null).ToDictionary(p => p.MediaId!.Value, p => p.FileName);
        return new PreviewResult(
            schoolId,
            profile.NamePolicy.ToString(),
            [.. bound.Select(c => c.ToString())],
            text,
            result.RedactedText,
            [.. result.Redactions.Select(r => new PreviewRedaction(r.Offset, r.Length, offsets.Map(r.Offset, r.Length).Offset, r.PupilId, r.Replacement))],
            [.. result.Findings.Select(f => new PreviewFinding(
                f.Category, f.Rule, f.Severity.ToString(), f.Offset, f.Length, f.Explanation, f.MediaId is { } id ? names.GetValueOrDefault(id) : null))],
            result.SafeguardingConcerns.Count > 0,
            [.. result.Photos.Select(p => new PreviewPhoto(
                p.FileName, p.Format, ScreeningJson.VerdictName(p.Verdict.Kind), p.Channel, ScreeningJson.People(p), p.Verdict.Reasons,
                p.LocationFlags, p.PublishableContent is not null, p.Problem))],
            result.PhotoVerdict is { } v ? ScreeningJson.VerdictName(v) : null,
            new PreviewClassifier(result.Classifier.Status.ToString(), result.Classifier.Reason),
            result.Complete,
            result.Failures);
    }
}
