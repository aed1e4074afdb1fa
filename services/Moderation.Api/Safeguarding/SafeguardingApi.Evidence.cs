namespace Moderation.Api.Safeguarding;

public static partial class SafeguardingApi
{
    private static void MapEvidence(IEndpointRouteBuilder app, RouteGroupBuilder cases)
    {
        _ = app;
        _ = cases;
    }
}
