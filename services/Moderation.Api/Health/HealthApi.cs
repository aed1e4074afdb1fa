using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Moderation.Domain.Messaging;
using Moderation.Domain.Persistence;
using RabbitMQ.Client;

namespace Moderation.Api.Health;

public static class HealthApi
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RabbitMqHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: ["ready"])
            .AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: ["ready"]);
        return builder;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}

/// <summary>Ready only when PostgreSQL answers a query.</summary>
internal sealed class PostgresHealthCheck(ModerationDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("PostgreSQL is unreachable.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable.", ex);
        }
    }
}

/// <summary>Ready only when an AMQP connection to the broker opens (the connection is kept and reused).</summary>
internal sealed class RabbitMqHealthCheck(IOptions<RabbitMqOptions> options) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }

                var o = options.Value;
                var factory = new ConnectionFactory
                {
                    HostName = o.Host, Port = o.Port, VirtualHost = o.VirtualHost, UserName = o.Username, Password = o.Password,
                    RequestedConnectionTimeout = TimeSpan.FromSeconds(3), ClientProvidedName = "moderation-api-health",
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _connection = null;
            return HealthCheckResult.Unhealthy("RabbitMQ is unreachable.", ex);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _lock.Dispose();
    }
}
