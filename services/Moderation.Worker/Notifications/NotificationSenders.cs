using System.Net.Http.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Moderation.Domain.Notifications;

namespace Moderation.Worker.Notifications;

/// <summary>The words of a notification as it leaves the app: its title, body and a link to the item.</summary>
public static class NotificationText
{
    public static string Plain(Notification notification, string schoolName, string? link) =>
        string.Join("\n", new[] { $"{notification.Title} ({schoolName})", notification.Body, link }.Where(l => !string.IsNullOrEmpty(l)));
}

public interface IEmailSender
{
    Task SendAsync(string to, string subject, string body, CancellationToken ct);
}

public interface IWebhookSender
{
    Task PostAsync(Uri url, string text, CancellationToken ct);
}

/// <summary>Sends mail through the configured SMTP server with MailKit; a new connection per message keeps it simple and safe to retry.</summary>
public sealed class SmtpEmailSender(IOptions<NotificationOptions> options) : IEmailSender
{
    public async Task SendAsync(string to, string subject, string body, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        if (!smtp.IsConfigured)
        {
            throw new InvalidOperationException("E-mail is not configured (Notifications:Smtp:Host is empty).");
        }

        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security, ct);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        }

        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}

/// <summary>
/// Posts <c>{"text": "..."}</c>, the body both Slack and Microsoft Teams incoming webhooks accept. Any answer other
/// than 2xx is a failure, with the status and the start of the answer in the message.
/// </summary>
public sealed class HttpWebhookSender(HttpClient http, IOptions<NotificationOptions> options) : IWebhookSender
{
    public async Task PostAsync(Uri url, string text, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(url, new { text }, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The webhook at {url.Host} did not answer within {options.Value.WebhookTimeout.TotalSeconds:0.#} s.");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadAsStringAsync(ct);
                throw new HttpRequestException(
                    $"The webhook at {url.Host} answered HTTP {(int)response.StatusCode}: {answer[..Math.Min(answer.Length, 200)]}",
                    null, response.StatusCode);
            }
        }
    }
}
