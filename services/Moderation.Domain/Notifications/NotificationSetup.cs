using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Moderation.Domain.Notifications;

public static class NotificationSetup
{
    /// <summary>The <c>Notifications</c> options and the <see cref="Notifier"/> that records notifications in a transaction.</summary>
    public static IHostApplicationBuilder AddModerationNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<NotificationOptions>(builder.Configuration.GetSection(NotificationOptions.Section));
        builder.Services.AddSingleton<Notifier>();
        return builder;
    }
}
