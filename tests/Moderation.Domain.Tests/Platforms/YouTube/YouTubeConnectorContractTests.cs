using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.YouTube;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.YouTube;

public sealed class YouTubeConnectorContractTests : ConnectorContractTests
{
    private FakeYouTube _youTube = null!;
    private string _commentId = null!;

    protected override string ReadPath => "/commentThreads";

    protected override string ActPath => "/comments/setModerationStatus";

    protected override async Task<FakePlatformServer> StartServerAsync()
    {
        _youTube = await FakeYouTube.StartAsync();
        _commentId = _youTube.Hold("Lovely concert, well done everyone");
        return _youTube.Server;
    }

    protected override IPlatformConnector Connector(PlatformHttp http) => new YouTubeConnector(http, TimeProvider.System);

    protected override ConnectedAccount Account() => _youTube.Account();

    protected override string AddPending(string text) => _youTube.Hold(text);

    protected override Task ActAsync(IPlatformConnector connector) =>
        connector.ApplyAsync(Account(), PlatformAction.Delete, _commentId, CancellationToken.None);
}
