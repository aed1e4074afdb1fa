namespace Moderation.Domain.Schools;

/// <summary>How pupils may be named in anything the school publishes (003 §6.3(f); 000 "Moderation of content").</summary>
public enum NamePolicy
{
    NoNames,
    FirstNameOnly,
    InitialsOnly,
}

/// <summary>Opt-out: consent assumed unless a parent objected (003 §7.1). Opt-in: written consent needed (001 §5).</summary>
public enum ConsentModel
{
    OptOut,
    OptIn,
}

public sealed class School
{
    public Guid Id { get; set; }
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? TrustName { get; set; }
    public NamePolicy NamePolicy { get; set; }
    public ConsentModel ConsentModel { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Goes up whenever what screening knows about the school changes (its roster, consents or its own screening
    /// words), so that cached screening profiles are rebuilt.
    /// </summary>
    public long ScreeningVersion { get; set; }

    /// <summary>A Teams or Slack incoming-webhook URL that receives the school's notifications; it is a secret.</summary>
    public string? NotificationWebhookUrl { get; set; }

    /// <summary>How a published post comes down when a pupil's consent goes: Hide (the default, where the platform can) or Delete.</summary>
    public Items.PlatformAction ConsentTakedownAction { get; set; } = Items.PlatformAction.Hide;
}
