using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Moderation.Domain.Routing;

public static class RoutingSetup
{
    /// <summary>Routing for the API and the worker: the router, people's commands on assignments, and the sweep.</summary>
    public static IHostApplicationBuilder AddModerationRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RoutingOptions>(builder.Configuration.GetSection(RoutingOptions.Section));
        builder.Services.AddSingleton<RoutingInputs>();
        builder.Services.AddScoped<ItemRouter>();
        builder.Services.AddScoped<AssignmentCommands>();
        builder.Services.AddScoped<RoutingSweep>();
        return builder;
    }
}
