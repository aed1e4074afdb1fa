using Moderation.Domain.Platforms;

namespace Moderation.Domain.Tests.Platforms.WordPress;

internal static class Polling
{
    /// <summary>
    /// Reads on while the connector says there is more, as the poller does (with a bound, so a connector that always
    /// says "more" fails the test instead of hanging it); returns the comments, the cursor to store and the pages read.
    /// </summary>
    public static async Task<(List<PlatformComment> Comments, string? Cursor, int Pages)> PollAsync(
        this IPlatformConnector connector, ConnectedAccount account, string? cursor, int limit = 100)
    {
        var comments = new List<PlatformComment>();
        var pages = 0;
        FetchResult result;
        do
        {
            result = await connector.FetchAsync(account, cursor, limit, CancellationToken.None);
            comments.AddRange(result.Comments);
            cursor = result.NextCursor ?? cursor;
            pages++;
        }
        while (result.More && pages < 50);

        result.More.Should().BeFalse("the connector should run out of pages");
        return (comments, cursor, pages);
    }
}
