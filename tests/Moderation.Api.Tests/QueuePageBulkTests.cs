using System.Net;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;

namespace Moderation.Api.Tests;

/// <summary>The queue page's bulk form: anti-forgery, bad input that decides nothing, and the per-item report.</summary>
public sealed class QueuePageBulkTests(ApiFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task A_bulk_rejection_without_a_reason_decides_nothing_and_says_why()
    {
        // Arrange
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", "What time does the summer fair start on Saturday?");
        using var client = await WebSignIn.SignedInAsync(Fixture.Factory, "moderator@fleming.example");
        var page = await client.GetStringAsync("/?state=AwaitingReview");
        page.Should().Contain($"name=\"ids\" value=\"{item}\"");
        var token = WebSignIn.TokenIn(page);

        // Act
        using var noToken = await client.PostAsync("/?state=AwaitingReview&handler=Bulk", Form(("verb", "Approve"), ("ids", item.ToString())));
        using var noReason = await client.PostAsync("/?state=AwaitingReview&handler=Bulk",
            Form(("verb", "Reject"), ("ids", item.ToString()), ("__RequestVerificationToken", token)));
        var after = await client.GetStringAsync(noReason.Headers.Location!.ToString());
        using var approve = await client.PostAsync("/?state=AwaitingReview&handler=Bulk",
            Form(("verb", "Approve"), ("ids", item.ToString()), ("ids", Guid.NewGuid().ToString()), ("__RequestVerificationToken", token)));
        var report = await client.GetStringAsync(approve.Headers.Location!.ToString());

        // Assert
        noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        noReason.StatusCode.Should().Be(HttpStatusCode.Redirect);
        after.Should().Contain("A rejection needs a reason");
        report.Should().Contain("Approved 1 item(s); 1 refused").And.Contain("No such item in your schools.");
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == item)).State.Should().Be(ItemState.Approved);
        (await db.AuditEntries.CountAsync(e => e.Action == "rejected")).Should().Be(0);
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));
}
