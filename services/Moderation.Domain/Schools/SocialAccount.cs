namespace Moderation.Domain.Schools;

public enum Platform
{
    Facebook,
    Instagram,
    X,
    YouTube,
    Blog,
}

/// <summary>One of a school's official accounts. Personal staff accounts are out of scope (003 §4.10, 004 §6.3(g)).</summary>
public sealed class SocialAccount
{
    public Guid Id { get; set; }
    public Guid SchoolId { get; set; }
    public Platform Platform { get; set; }
    public required string Handle { get; set; }
    public required string ExternalId { get; set; }

    /// <summary>Under pre-moderation, anything the platform already shows is hidden first and reviewed second.</summary>
    public bool PreModerated { get; set; } = true;
}
