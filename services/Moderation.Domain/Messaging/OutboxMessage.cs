namespace Moderation.Domain.Messaging;

/// <summary>A message written in the same transaction as the state change that caused it; the relay publishes it.</summary>
public sealed class OutboxMessage
{
    public long Seq { get; set; }
    public Guid MessageId { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A message a consumer has already handled; the key makes redelivery a no-op.</summary>
public sealed class InboxMessage
{
    public required string Consumer { get; set; }
    public Guid MessageId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
}
