using System.Collections.Frozen;

namespace Moderation.Domain.Screening.Risk;

/// <summary>
/// The categories of risk text screening reports, as <see cref="Finding.Category"/> values. The first eight follow
/// DOMAIN.md's safeguarding table; the rest are the product's own rules (links, 003 §6.3(g); trip and empty-house
/// disclosures, 000 question 4) and the school's own word list.
/// </summary>
public static class RiskCategories
{
    public const string ChildSexualAbuse = nameof(ChildSexualAbuse);
    public const string Grooming = nameof(Grooming);
    public const string ThreatToLife = nameof(ThreatToLife);
    public const string Hate = nameof(Hate);
    public const string AllegationAgainstStaff = nameof(AllegationAgainstStaff);
    public const string Bullying = nameof(Bullying);
    public const string Radicalisation = nameof(Radicalisation);
    public const string Complaint = nameof(Complaint);
    public const string Profanity = nameof(Profanity);
    public const string Links = nameof(Links);
    public const string LocationDisclosure = nameof(LocationDisclosure);

    /// <summary>Words a school's administrators banned or marked as suspect for their own accounts.</summary>
    public const string SchoolTerm = nameof(SchoolTerm);

    /// <summary>Every category a rule file may name.</summary>
    public static FrozenSet<string> All { get; } = FrozenSet.ToFrozenSet(
    [
        ChildSexualAbuse, Grooming, ThreatToLife, Hate, AllegationAgainstStaff, Bullying, Radicalisation, Complaint,
        Profanity, Links, LocationDisclosure, SchoolTerm,
    ], StringComparer.Ordinal);

    /// <summary>
    /// Categories that open a safeguarding concern for the DSL or the headteacher, whatever the finding's severity
    /// (000 "Moderation of content": extreme offence or risk of harm is never posted and is escalated). Bullying,
    /// complaints, profanity, links and disclosures are handled from the queue; bullying evidence is kept there
    /// (000 "Cyberbullying").
    /// </summary>
    public static FrozenSet<string> Safeguarding { get; } = FrozenSet.ToFrozenSet(
    [
        ChildSexualAbuse, Grooming, ThreatToLife, Hate, Radicalisation, AllegationAgainstStaff,
    ], StringComparer.Ordinal);

    public static bool RaisesSafeguardingConcern(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return Safeguarding.Contains(finding.Category);
    }
}
