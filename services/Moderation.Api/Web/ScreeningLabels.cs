using Moderation.Api.Queue;
using Moderation.Domain.Items;
using Moderation.Domain.Screening;

namespace Moderation.Api.Web;

/// <summary>Screening's and the lifecycle's codes in the words a member of school staff would use.</summary>
public static class ScreeningLabels
{
    /// <summary>A tagged person's consent verdict (ScreeningJson's kebab-case words), with any restriction.</summary>
    public static string Person(string verdict, string? restriction) => verdict switch
    {
        "allowed" => "Allowed",
        "objected" => "Blocked: parents objected",
        "noconsent" or "no-consent" => "Blocked: no consent",
        "never-publish" => "Blocked: never publish",
        "restricted" => restriction is null ? "Restricted" : $"Restricted: {restriction}",
        "unknown" => "Not on the roster: check who this is",
        _ => verdict,
    };

    /// <summary>A CSS class for a person's or photo's verdict: allowed, blocked or check.</summary>
    public static string Tone(string? verdict) => verdict switch
    {
        "allowed" or "clear" => "allowed",
        "objected" or "noconsent" or "no-consent" or "never-publish" or "blocked" => "blocked",
        _ => "restricted",
    };

    /// <summary>A photo's overall verdict.</summary>
    public static string Photo(string? verdict) => verdict switch
    {
        "clear" => "Clear: everyone tagged may appear",
        "blocked" => "Blocked by consent",
        "needs-confirmation" => "Needs checking before it is published",
        null => "Not screened yet",
        _ => verdict,
    };

    /// <summary>
    /// Whether a photo should sit blurred behind a content warning until someone chooses to see it: anything but a
    /// clear verdict (unscreened included), or a finding about the photo. A location alone is not distressing, and
    /// the published copy has it removed.
    /// </summary>
    public static bool IsFlagged(MediaSummary media, IEnumerable<FindingDto> findings) =>
        media.Verdict is not "clear"
        || findings.Any(f => f.MediaId == media.Id && f.Category != ScreeningEngine.PhotoLocationCategory && f.Severity >= FindingSeverity.Warning);

    public static string Reason(RejectionReason reason) => reason switch
    {
        RejectionReason.Abusive => "Abusive or offensive",
        RejectionReason.Spam => "Spam or advertising",
        RejectionReason.PersonalData => "Personal data (phone, address, e-mail)",
        RejectionReason.PupilIdentifiable => "A pupil could be identified",
        RejectionReason.NoPhotoConsent => "A photo without consent",
        RejectionReason.Inaccurate => "Inaccurate",
        RejectionReason.OffTopic => "Off topic",
        _ => "Other (say why)",
    };

    /// <summary>An audit entry's state, as the queue names it.</summary>
    public static string State(string state) => Enum.TryParse<ItemState>(state, out var s) ? QueueModel.Label(s) : state;

    /// <summary>An audit entry's action, as a sentence fragment.</summary>
    public static string Action(string action) => action switch
    {
        "received" => "received",
        "draft-submitted" => "submitted the draft",
        "screened" => "screened",
        "claimed" => "claimed it",
        "released" => "released the claim",
        "approved" => "approved",
        "rejected" => "rejected",
        "escalated" => "escalated",
        "actioned" => "carried out on the platform",
        "original-revealed" => "revealed the original text",
        "platform-publish" => "published on the platform",
        "platform-hide" => "hidden on the platform",
        "platform-unhide" => "shown again on the platform",
        "platform-delete" => "deleted on the platform",
        _ => action.Replace('-', ' '),
    };
}
