using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Testing;

namespace Moderation.Worker.Tests;

public sealed class ClassifierPipelineTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task With_the_classifier_down_items_are_screened_by_the_rules_and_the_item_says_so()
    {
        // Arrange: a classifier address where nothing listens
        int closedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var ids = await Fixture.IngestAsync(2);

        // Act
        using var worker = await WorkerFixture.StartWorkerAsync(null, $"--Screening:Classifier:Url=http://127.0.0.1:{closedPort}/classify");
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync(ids, ItemState.AwaitingReview), n => n == 2, "the items to reach review");
        await worker.StopAsync();

        // Assert
        await using var db = Fixture.Db();
        var items = await db.Items.AsNoTracking().Where(i => ids.Contains(i.Id)).ToListAsync();
        items.Should().AllSatisfy(i =>
        {
            i.ScreeningNote.Should().StartWith("Classifier unavailable (").And.EndWith("); screened by rules alone.");
            i.RedactedText.Should().NotBeNull("the rules still ran");
        });
    }
}
