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
    /// <summary>MassTransit on RabbitMQ; each host adds its own consumers. Messages leave only through the outbox.</summary>
    public static IHostApplicationBuilder AddModerationMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        var section = builder.Configuration.GetSection(RabbitMqOptions.Section);
        builder.Services.Configure<RabbitMqOptions>(section);
        var rabbit = section.Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            consumers?.Invoke(bus);
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
