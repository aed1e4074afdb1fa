using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.X;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.X;

public sealed class XConnectorContractTests : ConnectorContractTests
{
    private FakeX _x = null!;
    private string _replyId = null!;

    protected override string ReadPath => "/tweets/search/recent";

    protected override string ActPath => "/hidden";

    protected override async Task<FakePlatformServer> StartServerAsync()
    {
        _x = await FakeX.StartAsync();
        _replyId = _x.Reply("see you at the fair");
        return _x.Server;
    }

    protected override IPlatformConnector Connector(PlatformHttp http) => new XConnector(http, TimeProvider.System);

    protected override ConnectedAccount Account() => _x.Account();

    protected override string AddPending(string text) => _x.Reply(text);

    protected override Task ActAsync(IPlatformConnector connector) =>
        connector.ApplyAsync(Account(), PlatformAction.Hide, _replyId, CancellationToken.None);
}
