using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Routing;

/// <summary>
/// How long an item of one kind, or with a finding in one risk category, may wait: <see cref="InSchoolHoursMinutes"/>
/// while school hours run and <see cref="OutsideSchoolHoursMinutes"/> outside them (see <see cref="DueTimeCalculator"/>).
/// </summary>
/// <param name="AppliesTo">An item kind (<c>InboundComment</c>, <c>InboundVisitorPost</c>, <c>OutboundDraft</c>) or a
/// risk category such as <c>Bullying</c>. Safeguarding categories use the acknowledgement deadline instead.</param>
public sealed record DueTimeRule(string AppliesTo, int InSchoolHoursMinutes, int OutsideSchoolHoursMinutes)
{
    [JsonIgnore]
    public TimeSpan InSchoolHours => TimeSpan.FromMinutes(InSchoolHoursMinutes);

    [JsonIgnore]
    public TimeSpan OutsideSchoolHours => TimeSpan.FromMinutes(OutsideSchoolHoursMinutes);
}

/// <summary>
/// A school's routing settings: caps, time limits, school hours, the escalation policy and the safeguarding leads. A
/// school that has saved nothing gets <see cref="Defaults"/>; people are taken from roles wherever a list is null.
/// </summary>
public sealed record RoutingSettings
{
    public const int MaxEscalationLevels = 5;

    // Declared before Defaults: static initialisers run in order, and Defaults reads it.
    public static IReadOnlyList<DueTimeRule> DefaultDueTimes { get; } =
    [
        new(nameof(ItemKind.InboundComment), 30, 240),
        new(nameof(ItemKind.InboundVisitorPost), 60, 480),
        new(nameof(ItemKind.OutboundDraft), 240, 1440),
    ];

    public static RoutingSettings Defaults { get; } = new();

    /// <summary>Open items a moderator may hold before new ones overflow to the next person on duty.</summary>
    public int OpenItemCap { get; init; } = 15;

    /// <summary>How often an overdue item moves to the next person on duty before it goes up the escalation policy.</summary>
    public int MaxReassignments { get; init; } = 2;

    /// <summary>How long a claim from the queue (a viewing lease) lasts before the item goes back to the queue.</summary>
    public int ClaimLeaseMinutes { get; init; } = 15;

    /// <summary>Safeguarding items go to the DSL at once and must be acknowledged within this many minutes, day or night.</summary>
    public int SafeguardingAcknowledgeMinutes { get; init; } = 15;

    /// <summary>Weekly windows of London time; outside them the longer time limits apply.</summary>
    public IReadOnlyList<WeeklyWindow> SchoolHours { get; init; } = WeeklyWindow.SchoolDays(new TimeOnly(8, 0), new TimeOnly(16, 0));

    /// <summary>Time limits by kind and by risk category; a kind left out keeps its default, and the strictest match wins.</summary>
    public IReadOnlyList<DueTimeRule> DueTimes { get; init; } = DefaultDueTimes;

    /// <summary>
    /// The escalation levels before the headteacher, in order, each a list of people. Null means one level of the
    /// school's administrators. The headteacher level (the Headteacher role holders) always comes last.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<Guid>>? EscalationLevels { get; init; }

    /// <summary>The designated safeguarding leads, in order; null means everyone with the DSL role.</summary>
    public IReadOnlyList<Guid>? Dsls { get; init; }

    /// <summary>Deputy DSLs, who take a safeguarding item the DSLs cannot (or did not acknowledge in time).</summary>
    public IReadOnlyList<Guid> DeputyDsls { get; init; } = [];

    internal static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static RoutingSettings FromJson(string json) =>
        JsonSerializer.Deserialize<RoutingSettings>(json, s_json) ?? Defaults;

    /// <summary>The rules that apply to an item: its kind's (configured or default) and any for its findings' categories.</summary>
    public IEnumerable<DueTimeRule> RulesFor(ItemKind kind, IEnumerable<string> categories)
    {
        var kindName = kind.ToString();
        yield return DueTimes.FirstOrDefault(r => r.AppliesTo == kindName)
            ?? DefaultDueTimes.First(r => r.AppliesTo == kindName);
        var found = categories.ToHashSet(StringComparer.Ordinal);
        foreach (var rule in DueTimes.Where(r => found.Contains(r.AppliesTo)))
        {
            yield return rule;
        }
    }

    /// <summary>
    /// Every problem with these settings, keyed by the field in the request, so an administrator can fix them all at
    /// once. <paramref name="staff"/> is the school's members with their roles.
    /// </summary>
    public Dictionary<string, string[]> Validate(IReadOnlyDictionary<Guid, IReadOnlySet<string>> staff)
    {
        ArgumentNullException.ThrowIfNull(staff);
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        Range(OpenItemCap, 1, 500, "openItemCap", "An open-item cap", Add);
        Range(MaxReassignments, 0, 20, "maxReassignments", "The number of reassignments before escalation", Add);
        Range(ClaimLeaseMinutes, 1, 480, "claimLeaseMinutes", "A claim lease", Add);
        Range(SafeguardingAcknowledgeMinutes, 1, 240, "safeguardingAcknowledgeMinutes", "The safeguarding acknowledgement deadline", Add);

        if (SchoolHours is null)
        {
            Add("schoolHours", "School hours are required; send an empty list for none.");
        }
        else
        {
            if (SchoolHours.Count > 21)
            {
                Add("schoolHours", "At most 21 windows of school hours.");
            }

            for (var i = 0; i < SchoolHours.Count; i++)
            {
                if (SchoolHours[i] is null || !Enum.IsDefined(SchoolHours[i].Day))
                {
                    Add($"schoolHours[{i}].day", "Each window needs a day of the week, such as Monday.");
                }
            }
        }

        ValidateDueTimes(Add);
        ValidateEscalation(staff, Add);
        ValidateLeads(staff, Add);
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    private void ValidateDueTimes(Action<string, string> add)
    {
        if (DueTimes is null)
        {
            add("dueTimes", "Time limits are required; send an empty list for the defaults.");
            return;
        }

        var kinds = Enum.GetNames<ItemKind>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < DueTimes.Count; i++)
        {
            var rule = DueTimes[i];
            var field = $"dueTimes[{i}]";
            if (rule is null)
            {
                add(field, "A time limit cannot be empty.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(rule.AppliesTo))
            {
                add($"{field}.appliesTo", "Say what the limit applies to: an item kind or a risk category.");
            }
            else if (RiskCategories.Safeguarding.Contains(rule.AppliesTo))
            {
                add($"{field}.appliesTo", $"{rule.AppliesTo} is a safeguarding category: it goes to the DSL at once; set safeguardingAcknowledgeMinutes instead.");
            }
            else if (!kinds.Contains(rule.AppliesTo, StringComparer.Ordinal) && !RiskCategories.All.Contains(rule.AppliesTo))
            {
                add($"{field}.appliesTo", $"'{rule.AppliesTo}' is neither an item kind ({string.Join(", ", kinds)}) nor a risk category.");
            }
            else if (!seen.Add(rule.AppliesTo))
            {
                add($"{field}.appliesTo", $"{rule.AppliesTo} has more than one time limit.");
            }

            Range(rule.InSchoolHoursMinutes, 1, 10_080, $"{field}.inSchoolHoursMinutes", "A time limit", add);
            Range(rule.OutsideSchoolHoursMinutes, 1, 10_080, $"{field}.outsideSchoolHoursMinutes", "A time limit", add);
        }
    }

    private void ValidateEscalation(IReadOnlyDictionary<Guid, IReadOnlySet<string>> staff, Action<string, string> add)
    {
        if (EscalationLevels is null)
        {
            return;
        }

        if (EscalationLevels.Count > MaxEscalationLevels)
        {
            add("escalationLevels", $"At most {MaxEscalationLevels} levels before the headteacher.");
        }

        var seen = new HashSet<Guid>();
        for (var level = 0; level < EscalationLevels.Count; level++)
        {
            var people = EscalationLevels[level];
            if (people is null || people.Count == 0)
            {
                add($"escalationLevels[{level}]", "A level needs at least one person.");
                continue;
            }

            for (var i = 0; i < people.Count; i++)
            {
                var field = $"escalationLevels[{level}][{i}]";
                if (!staff.TryGetValue(people[i], out var roles))
                {
                    add(field, $"{people[i]} is not a member of this school.");
                }
                else if (!roles.Overlaps(Roles.Reviewers))
                {
                    add(field, $"{people[i]} cannot review items: an escalation level needs an administrator, moderator or headteacher.");
                }

                if (!seen.Add(people[i]))
                {
                    add(field, $"{people[i]} appears more than once in the escalation levels.");
                }
            }
        }
    }

    private void ValidateLeads(IReadOnlyDictionary<Guid, IReadOnlySet<string>> staff, Action<string, string> add)
    {
        void Check(IReadOnlyList<Guid>? people, string name)
        {
            if (people is null)
            {
                return;
            }

            for (var i = 0; i < people.Count; i++)
            {
                if (!staff.TryGetValue(people[i], out var roles))
                {
                    add($"{name}[{i}]", $"{people[i]} is not a member of this school.");
                }
                else if (!roles.Contains(Roles.Dsl))
                {
                    add($"{name}[{i}]", $"{people[i]} does not hold the DSL role.");
                }
            }
        }

        Check(Dsls, "dsls");
        if (DeputyDsls is null)
        {
            add("deputyDsls", "Deputy DSLs are required; send an empty list for none.");
            return;
        }

        Check(DeputyDsls, "deputyDsls");
        if (Dsls is not null)
        {
            foreach (var both in Dsls.Intersect(DeputyDsls))
            {
                add("deputyDsls", $"{both} is both a DSL and a deputy.");
            }
        }
    }

    private static void Range(int value, int min, int max, string field, string what, Action<string, string> add)
    {
        if (value < min || value > max)
        {
            add(field, $"{what} is between {min} and {max}; {value} is not.");
        }
    }
}

/// <summary>A school's saved routing settings, as a JSON document; a school without a row uses the defaults.</summary>
public sealed class SchoolRoutingSettings : ISchoolSettingsRow
{
    public Guid SchoolId { get; set; }

    /// <summary><see cref="RoutingSettings"/> as JSON.</summary>
    public required string Settings { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? UpdatedById { get; set; }
}

internal sealed class SchoolRoutingSettingsConfiguration : IEntityTypeConfiguration<SchoolRoutingSettings>
{
    public void Configure(EntityTypeBuilder<SchoolRoutingSettings> builder)
    {
        builder.ToTable("routing_settings");
        builder.HasKey(s => s.SchoolId);
        builder.Property(s => s.Settings).HasColumnType("jsonb");
        builder.HasOne<School>().WithOne().HasForeignKey<SchoolRoutingSettings>(s => s.SchoolId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UpdatedById).OnDelete(DeleteBehavior.SetNull);
    }
}
