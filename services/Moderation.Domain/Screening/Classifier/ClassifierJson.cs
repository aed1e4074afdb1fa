using System.Text.Json;

namespace Moderation.Domain.Screening.Classifier;

/// <summary>The classifier's wire format, as documented in docs/classifier.md: camelCase JSON over HTTP POST.</summary>
internal static class ClassifierJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// What is sent: the school (so one service can keep per-school statistics), the redacted text, and the categories
/// to score.
/// </summary>
internal sealed record ClassifierRequest(Guid SchoolId, string Text, IReadOnlyList<string> Categories);

/// <summary>
/// What comes back: the model's version (it names the findings' rule) and one score per category the model has
/// an opinion on; a category may appear more than once, for different spans.
/// </summary>
internal sealed record ClassifierResponse(string? ModelVersion, IReadOnlyList<ClassifierScore?>? Scores);

/// <summary>
/// One score, 0 to 1. <see cref="Offset"/> and <see cref="Length"/> locate it in the text sent, in UTF-16 code units;
/// without both, the score is about the whole text.
/// </summary>
internal sealed record ClassifierScore(string? Category, double? Score, int? Offset, int? Length);
