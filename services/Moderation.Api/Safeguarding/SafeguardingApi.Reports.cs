namespace Moderation.Api.Safeguarding;

public static partial class SafeguardingApi
{
    private static void MapReports(RouteGroupBuilder school) => _ = school;
}
