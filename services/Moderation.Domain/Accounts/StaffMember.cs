namespace Moderation.Domain.Accounts;

/// <summary>The signed-in person acting: their roles and the schools they belong to.</summary>
public sealed record StaffMember(Guid UserId, string Name, IReadOnlySet<string> Roles, IReadOnlySet<Guid> SchoolIds)
{
    public bool IsInAny(IEnumerable<string> roles) => roles.Any(Roles.Contains);

    public bool BelongsTo(Guid schoolId) => SchoolIds.Contains(schoolId);

    public Audit.Actor AsActor() => new(UserId, Name);
}
