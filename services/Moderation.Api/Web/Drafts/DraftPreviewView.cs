using Moderation.Api.Queue;
using Moderation.Domain.Screening;

namespace Moderation.Api.Web.Drafts;

/// <summary>Places the preview's redactions and text findings on the redacted text, for highlighting as on the item page.</summary>
public static class DraftPreviewView
{
    public static IReadOnlyList<FindingDto> Marks(PreviewResult preview)
    {
        ArgumentNullException.ThrowIfNull(preview);
        var offsets = new RedactedOffsets(preview.Redactions.Select(r => new Replacement(r.Offset, r.Length, r.Replacement.Length)));
        var findings = preview.Findings
            .Where(f => f.Photo is null)
            .Select(f =>
            {
                var (offset, length) = offsets.Map(f.Offset, f.Length);
                return new FindingDto(f.Category, f.Rule, Enum.TryParse<FindingSeverity>(f.Severity, out var s) ? s : FindingSeverity.Warning, offset, length, f.Explanation, null);
            });
        var names = preview.Redactions.Select(r => new FindingDto(
            ItemModel.PupilNameCategory, "redacted", FindingSeverity.Info, r.RedactedOffset, r.Replacement.Length,
            "A pupil's name, redacted under the school's name policy.", null));
        return [.. findings, .. names];
    }
}
