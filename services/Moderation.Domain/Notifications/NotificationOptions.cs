using MailKit.Security;

namespace Moderation.Domain.Notifications;

/// <summary>The <c>Notifications</c> section: how notifications leave the app.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    private static readonly TimeSpan[] s_defaultRetryIntervals =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    /// <summary>The address staff reach the app at, for links in e-mails and webhook posts (for example https://moderation.trust.sch.uk).</summary>
    public string? PublicBaseUrl { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How long one webhook post may take.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The waits between attempts; after the last, the delivery is marked failed for an administrator.</summary>
    public TimeSpan[]? RetryIntervals { get; set; }

    public IReadOnlyList<TimeSpan> EffectiveRetryIntervals => RetryIntervals is { Length: > 0 } set ? set : s_defaultRetryIntervals;

    /// <summary>A link to an item in the web app, or null when no public address is configured.</summary>
    public string? ItemLink(Guid? itemId) =>
        itemId is null || string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : $"{PublicBaseUrl.TrimEnd('/')}/items/{itemId}";
}

public sealed class SmtpOptions
{
    /// <summary>The SMTP server; empty means e-mail is not sent (notifications stay in the app and on the webhook).</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 587;

    /// <summary>None, Auto, SslOnConnect, StartTls or StartTlsWhenAvailable (MailKit's SecureSocketOptions).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "School moderation <moderation@localhost>";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}
