using Microsoft.AspNetCore.Identity;

namespace Moderation.Domain.Accounts;

public sealed class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
}

/// <summary>The roles in DOMAIN.md "People and what they do".</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Moderator = "Moderator";
    public const string Headteacher = "Headteacher";
    public const string Dsl = "DSL";
    public const string Author = "Author";

    /// <summary>A deputy designated safeguarding lead: second on a safeguarding case's chain.</summary>
    public const string DeputyDsl = "DeputyDSL";

    /// <summary>The chair of governors, who takes an allegation about the headteacher.</summary>
    public const string ChairOfGovernors = "ChairOfGovernors";

    public static readonly IReadOnlyList<string> All = [Administrator, Moderator, Headteacher, Dsl, Author, DeputyDsl, ChairOfGovernors];

    /// <summary>Who may open a safeguarding case by hand, and see and act on the cases their role allows (ADR 0301).</summary>
    public static readonly IReadOnlyList<string> SafeguardingLeads = [Dsl, DeputyDsl, Headteacher];

    /// <summary>Who may read the school's safeguarding leadership report and retention log.</summary>
    public static readonly IReadOnlyList<string> SafeguardingReaders = [Dsl, DeputyDsl, Headteacher, ChairOfGovernors];

    /// <summary>Who may approve or reject inbound comments and visitor posts.</summary>
    public static readonly IReadOnlyList<string> Reviewers = [Administrator, Moderator, Headteacher];

    /// <summary>Who may approve the school's own outgoing posts (000 "Moderation of content"; 004 §7.6; 001 §5).</summary>
    public static readonly IReadOnlyList<string> DraftApprovers = [Administrator, Headteacher];

    /// <summary>Who may decide an item that has been escalated.</summary>
    public static readonly IReadOnlyList<string> EscalationReviewers = [Headteacher, Dsl];

    /// <summary>Who may read an item's original text behind its name redactions, giving a reason that is audited.</summary>
    public static readonly IReadOnlyList<string> OriginalReaders = [Administrator, Headteacher, Dsl];

    /// <summary>Who may see a school's queue at all.</summary>
    public static readonly IReadOnlyList<string> QueueViewers = [Administrator, Moderator, Headteacher, Dsl];
}

/// <summary>Tenancy: a person sees only the schools they belong to. A trust's IT lead belongs to several.</summary>
public sealed class SchoolMembership
{
    public Guid UserId { get; set; }
    public Guid SchoolId { get; set; }
}
