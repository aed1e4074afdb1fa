using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Moderation.Domain.Messaging;

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";
    public int ManagementPort { get; set; } = 15672;
}

public static class MessagingSetup
{
    /// <summary>Binds the RabbitMq section; the API needs it for health and the error queues without running a bus.</summary>
    public static RabbitMqOptions AddRabbitMqOptions(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(RabbitMqOptions.Section);
        builder.Services.Configure<RabbitMqOptions>(section);
        return section.Get<RabbitMqOptions>() ?? new RabbitMqOptions();
    }

    /// <summary>MassTransit on RabbitMQ; each host adds its own consumers. Messages leave only through the outbox.</summary>
    public static IHostApplicationBuilder AddModerationMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        var rabbit = builder.AddRabbitMqOptions();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            consumers?.Invoke(bus);
            // Every endpoint waits out a database restart instead of faulting its messages (see TransientFaults).
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.UseTransientFaultRetry());
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
