using System.Text.Json;
using System.Text.Json.Serialization;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Screening;

/// <summary>One person in a photo as stored on the item and shown to reviewers.</summary>
public sealed record PhotoPersonView(
    string? Name, string? PersonId, string Source, Guid? PupilId, string Verdict, string? Restriction, string Reason);

/// <summary>How screening results are written as JSON: camelCase, enums as kebab-case words ("needs-confirmation").</summary>
public static class ScreeningJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string VerdictName(PhotoVerdictKind kind) => kind switch
    {
        PhotoVerdictKind.Clear => "clear",
        PhotoVerdictKind.Blocked => "blocked",
        _ => "needs-confirmation",
    };

    public static string VerdictName(PersonVerdictKind kind) => kind switch
    {
        PersonVerdictKind.NeverPublish => "never-publish",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static IReadOnlyList<PhotoPersonView> People(PhotoScreening photo)
    {
        ArgumentNullException.ThrowIfNull(photo);
        return [.. photo.Verdict.People.Select(p => new PhotoPersonView(
            p.Person.IsFreeText ? null : p.Person.Name, p.Person.PersonId, p.Person.Source.ToString(), p.PupilId,
            VerdictName(p.Kind), p.Restriction, p.Reason))];
    }

    public static IReadOnlyList<RedactionSpan> ReadRedactions(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<RedactionSpan>>(json, Options) ?? [];

    public static IReadOnlyList<PhotoPersonView> ReadPeople(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<PhotoPersonView>>(json, Options) ?? [];
}
