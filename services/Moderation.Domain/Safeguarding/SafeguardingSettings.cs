using System.Text.Json;
using System.Text.Json.Serialization;

namespace Moderation.Domain.Safeguarding;

/// <summary>How long things of one class are kept before the retention job deletes them.</summary>
/// <param name="AppliesTo"><see cref="SafeguardingSettings.RejectedItems"/>, or a case category (a closed case's age
/// counts from its closure).</param>
public sealed record RetentionRule(string AppliesTo, int Days);

/// <summary>Out-of-hours rules: who takes a case first outside school hours, how long they have, and what may wait.</summary>
public sealed record OutOfHoursRules
{
    /// <summary>The acknowledgement limit outside school hours, for cases that do not wait for school to open.</summary>
    public int AcknowledgeMinutes { get; init; } = 30;

    /// <summary>People on call outside school hours (for example a DSL with the school's safeguarding phone); they are the first step of the chain then.</summary>
    public IReadOnlyList<Guid> OnCall { get; init; } = [];

    /// <summary>Low and medium severity cases raised outside school hours are due that long after school opens; high and critical never wait.</summary>
    public bool NonUrgentWaitForSchoolHours { get; init; } = true;
}

/// <summary>
/// A school's safeguarding settings: acknowledgement limits by severity, out-of-hours rules and retention periods. A
/// school that saved nothing gets <see cref="Defaults"/>. School hours are the routing settings' school hours.
/// </summary>
public sealed record SafeguardingSettings
{
    /// <summary>Ordinary rejected items (not part of any case).</summary>
    public const string RejectedItems = "RejectedItems";

    public const int MaxRetentionDays = 36_500;

    /// <summary>
    /// Rejected comments go after 90 days; closed cases are kept for 25 years, the usual period for child protection
    /// records, except complaints (6 years) and unclassified escalations (6 years).
    /// </summary>
    public static IReadOnlyList<RetentionRule> DefaultRetention { get; } =
    [
        new(RejectedItems, 90),
        .. CaseCategories.All.Select(c => new RetentionRule(c, c is CaseCategories.Complaint or CaseCategories.Unclassified ? 6 * 365 : 25 * 365)),
    ];

    public static SafeguardingSettings Defaults { get; } = new();

    public int CriticalAcknowledgeMinutes { get; init; } = 15;
    public int HighAcknowledgeMinutes { get; init; } = 30;
    public int MediumAcknowledgeMinutes { get; init; } = 120;
    public int LowAcknowledgeMinutes { get; init; } = 480;
    public OutOfHoursRules OutOfHours { get; init; } = new();

    /// <summary>A class left out keeps its default.</summary>
    public IReadOnlyList<RetentionRule> Retention { get; init; } = DefaultRetention;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static SafeguardingSettings FromJson(string json) => JsonSerializer.Deserialize<SafeguardingSettings>(json, s_json) ?? Defaults;

    public TimeSpan AcknowledgeWithin(CaseSeverity severity) => TimeSpan.FromMinutes(severity switch
    {
        CaseSeverity.Critical => CriticalAcknowledgeMinutes,
        CaseSeverity.High => HighAcknowledgeMinutes,
        CaseSeverity.Medium => MediumAcknowledgeMinutes,
        _ => LowAcknowledgeMinutes,
    });

    /// <summary>Days to keep a class, from the saved rule or the default.</summary>
    public int RetentionDays(string appliesTo) =>
        (Retention.FirstOrDefault(r => r.AppliesTo == appliesTo) ?? DefaultRetention.First(r => r.AppliesTo == appliesTo)).Days;

    /// <summary>Every problem, keyed by the request field; <paramref name="members"/> are the school's people.</summary>
    public Dictionary<string, string[]> Validate(IReadOnlySet<Guid> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Minutes(int value, string field)
        {
            if (value is < 1 or > 10_080)
            {
                errors[field] = ["An acknowledgement limit is 1 to 10080 minutes (a week)."];
            }
        }

        Minutes(CriticalAcknowledgeMinutes, "criticalAcknowledgeMinutes");
        Minutes(HighAcknowledgeMinutes, "highAcknowledgeMinutes");
        Minutes(MediumAcknowledgeMinutes, "mediumAcknowledgeMinutes");
        Minutes(LowAcknowledgeMinutes, "lowAcknowledgeMinutes");
        if (OutOfHours is null)
        {
            errors["outOfHours"] = ["Out-of-hours rules are required."];
        }
        else
        {
            Minutes(OutOfHours.AcknowledgeMinutes, "outOfHours.acknowledgeMinutes");
            if (OutOfHours.OnCall is null || OutOfHours.OnCall.Any(u => !members.Contains(u)))
            {
                errors["outOfHours.onCall"] = ["Everyone on call must be a member of the school."];
            }
        }

        if (Retention is null)
        {
            errors["retention"] = ["Retention rules are required; send an empty list for the defaults."];
        }
        else
        {
            var classes = DefaultRetention.Select(r => r.AppliesTo).ToHashSet(StringComparer.Ordinal);
            for (var i = 0; i < Retention.Count; i++)
            {
                var rule = Retention[i];
                if (rule is null || !classes.Contains(rule.AppliesTo))
                {
                    errors[$"retention[{i}].appliesTo"] = [$"One of: {string.Join(", ", classes)}."];
                }
                else if (rule.Days is < 1 or > MaxRetentionDays)
                {
                    errors[$"retention[{i}].days"] = [$"Between 1 and {MaxRetentionDays} days."];
                }
                else if (Retention.Take(i).Any(r => r?.AppliesTo == rule.AppliesTo))
                {
                    errors[$"retention[{i}].appliesTo"] = [$"{rule.AppliesTo} appears twice."];
                }
            }
        }

        return errors;
    }
}

/// <summary>A school's saved safeguarding settings, as JSON.</summary>
public sealed class SchoolSafeguardingSettings : Schools.ISchoolSettingsRow
{
    public Guid SchoolId { get; set; }
    public required string Settings { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? UpdatedById { get; set; }
}
