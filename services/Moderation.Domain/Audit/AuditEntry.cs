namespace Moderation.Domain.Audit;

/// <summary>
/// One link in a school's hash chain. Each entry's hash covers its own fields and the previous entry's hash, and
/// (chain, position) is unique, so an edit, a deletion or a fork is detectable.
/// </summary>
public sealed class AuditEntry
{
    public long Seq { get; set; }

    /// <summary>The school's id, or <see cref="Guid.Empty"/> for installation-wide entries.</summary>
    public Guid ChainId { get; set; }
    public long Position { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ActorId { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public Guid? ItemId { get; set; }
    public string? FromState { get; set; }
    public string? ToState { get; set; }
    public string? Detail { get; set; }
    public required string PrevHash { get; set; }
    public required string Hash { get; set; }
}
