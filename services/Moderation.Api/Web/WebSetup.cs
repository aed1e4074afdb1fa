using Moderation.Api.Dashboard;
using Moderation.Api.Queue;

namespace Moderation.Api.Web;

public static class WebSetup
{
    /// <summary>Pages authenticate with the Identity cookie, so an anonymous visitor is redirected to sign in.</summary>
    public const string Scheme = "Identity.Application";

    /// <summary>The staff web pages: server-rendered Razor Pages with anti-forgery on every form.</summary>
    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o => o.RootDirectory = "/Web");
        builder.Services.AddScoped<QueueQueries>();
        builder.Services.AddScoped<Moderation.Api.Drafts.DraftComposer>();
        builder.Services.AddQueueLive();
        builder.Services.AddDashboard();
        return builder;
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapQueueLiveApi();
        app.MapDashboardApi();
        return app;
    }
}
