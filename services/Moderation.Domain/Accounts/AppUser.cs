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

    public static readonly IReadOnlyList<string> All = [Administrator, Moderator, Headteacher, Dsl, Author];

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
