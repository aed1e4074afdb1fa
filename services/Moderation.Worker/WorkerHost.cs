using MassTransit;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Screening;
using Moderation.Worker.Notifications;
using Moderation.Worker.Platforms;
using Moderation.Worker.Routing;
using Moderation.Worker.Screening;

namespace Moderation.Worker;

public static class WorkerHost
{
    /// <summary>The worker's composition: the database, the bus with every stage's consumers, and the outbox relay.</summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(Settings(args));
        builder.AddModerationPersistence();
        builder.AddModerationMessaging(bus =>
        {
            bus.AddConsumer<ItemReceivedConsumer, ItemReceivedConsumerDefinition>();
            bus.AddConsumer<SafeguardingConcernConsumer, SafeguardingConcernConsumerDefinition>();
            bus.AddConsumer<NotificationDeliveryConsumer, NotificationDeliveryConsumerDefinition>();
            bus.AddConsumer<ItemScreenedConsumer, ItemScreenedConsumerDefinition>();
            bus.AddConsumer<ItemEscalatedConsumer, ItemEscalatedConsumerDefinition>();
            bus.AddConsumer<ItemDecidedConsumer, ItemDecidedConsumerDefinition>();
            bus.AddConsumer<PlatformActionConsumer, PlatformActionConsumerDefinition>();
            bus.AddConsumer<PlatformActionsConsumer, PlatformActionsConsumerDefinition>();
            bus.AddConsumer<WebhookReceivedConsumer, WebhookReceivedConsumerDefinition>();
            bus.AddConsumer<Consent.ConsentReconciliationConsumer, Consent.ConsentReconciliationConsumerDefinition>();
        });
        builder.AddModerationScreening();
        builder.AddModerationNotifications();
        builder.AddModerationRouting();
        builder.AddModerationPlatforms();
        builder.AddModerationSafeguarding();
        builder.AddRoutingSweep();
        builder.Services.AddScoped<Consent.ConsentReconciliationSweep>();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddHttpClient<IWebhookSender, HttpWebhookSender>();
        builder.Services.Configure<OutboxRelayOptions>(builder.Configuration.GetSection("OutboxRelay"));
        builder.Services.AddHostedService<OutboxRelay>();
        return builder;
    }

    /// <summary>appsettings.json is read from beside the binary, wherever the worker is started from.</summary>
    public static HostApplicationBuilderSettings Settings(string[] args) => new() { Args = args, ContentRootPath = AppContext.BaseDirectory };

    public static Task PrepareAsync(this IServiceProvider services) => services.MigrateModerationDatabaseAsync();
}
