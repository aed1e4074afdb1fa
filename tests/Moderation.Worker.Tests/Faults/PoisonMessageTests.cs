using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Testing;
using Xunit.Abstractions;

namespace Moderation.Worker.Tests.Faults;

/// <summary>
/// Fault test "a poison message": two messages no consumer can handle (a body that is not JSON, and an ItemReceived
/// for an item that does not exist) arrive among ordinary items. They go to the error queue, administrators see them
/// through the API and on the error-queue page, and every other item is screened and assigned.
/// </summary>
public sealed class PoisonMessageTests(WorkerFixture fixture, ITestOutputHelper output) : WorkerTest(fixture)
{
    [Fact]
    public async Task Poison_messages_go_to_the_error_queue_administrators_see_them_and_the_other_items_are_assigned()
    {
        // Arrange
        const int count = 40;
        Guid school;
        await using (var setup = Fixture.Db())
        {
            await FaultSchool.SetRotaAsync(setup);
            school = await setup.Schools.Where(s => s.Slug == FaultSchool.Slug).Select(s => s.Id).SingleAsync();
        }

        using var api = ServiceProcess.Api(Fixture.Env.Variables);
        using var worker = await WorkerFixture.StartWorkerAsync(null, "--Routing:SweepEnabled=false", "--Platforms:PollingEnabled=false");
        await api.WaitUntilListeningAsync();

        // Act: the items, with the two poison messages in the middle of them.
        var ids = await FaultSchool.IngestAsync(Fixture.Services, count / 2, "before");
        var malformedId = Guid.NewGuid();
        await PublishRawAsync("screening", malformedId, "{\"message\": this is not json");
        var missingItem = Guid.NewGuid();
        var unknownId = NewId.NextGuid();
        await worker.Services.GetRequiredService<IBus>().Publish(
            new ItemReceived(missingItem, school, "InboundComment", DateTimeOffset.UtcNow), c => c.MessageId = unknownId);
        ids.AddRange(await FaultSchool.IngestAsync(Fixture.Services, count - count / 2, "after"));
        await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                return await FaultCounts.AssignedNowAsync(db);
            },
            n => n == count, "every ordinary item to be screened and assigned");
        var errors = await Eventually.WaitForAsync(() => Fixture.Env.QueueStatsAsync("screening_error"), q => q.Messages == 2, "both poison messages in the error queue");

        // Assert: the counts, and nothing else faulted.
        await using var check = Fixture.Db();
        var counts = await FaultCounts.ReadAsync(check, count);
        output.WriteLine(counts.ToString());
        output.WriteLine($"poison messages sent 2, in screening_error {errors.Messages}");
        counts.ShouldBeExactlyOnce();
        (await Fixture.Env.QueueStatsAsync("routing_error")).Messages.Should().Be(0);

        // Assert: an administrator sees them, through the API and on the page.
        using var admin = await SignInAsync(api.Url!, "admin@riverside.example");
        var queues = await admin.GetFromJsonAsync<JsonElement[]>("api/admin/error-queues");
        queues.Should().ContainSingle(q => q.GetProperty("name").GetString() == "screening_error")
            .Which.GetProperty("messages").GetInt64().Should().Be(2);
        var messages = await admin.GetFromJsonAsync<JsonElement[]>("api/admin/error-queues/screening_error/messages");
        messages.Should().HaveCount(2);
        var unknown = messages!.Single(m => m.GetProperty("messageId").GetString() == unknownId.ToString());
        unknown.GetProperty("exceptionType").GetString().Should().Contain("InvalidOperationException");
        unknown.GetProperty("faultMessage").GetString().Should().Contain(missingItem.ToString()).And.Contain("does not exist");
        var malformed = messages!.Single(m => m.GetProperty("messageId").ValueKind == JsonValueKind.Null);
        malformed.GetProperty("exceptionType").GetString().Should().NotBeNullOrEmpty("the reason it could not be read is kept");

        var page = await admin.GetStringAsync("admin/errors");
        page.Should().Contain("screening_error").And.Contain(unknownId.ToString()).And.Contain("does not exist");
        using var moderator = await SignInAsync(api.Url!, "moderator@fleming.example");
        using var denied = await moderator.GetAsync("admin/errors");
        denied.StatusCode.Should().NotBe(HttpStatusCode.OK, "only administrators see the error queues");
    }

    /// <summary>Puts a body straight on a queue through the management API, as a broken or foreign publisher would.</summary>
    private async Task PublishRawAsync(string queue, Guid messageId, string body)
    {
        using var http = Fixture.Env.ManagementClient();
        using var response = await http.PostAsJsonAsync(
            $"exchanges/{Uri.EscapeDataString(Fixture.Env.Name)}/amq.default/publish",
            new
            {
                properties = new { content_type = "application/vnd.masstransit+json", message_id = messageId.ToString(), delivery_mode = 2 },
                routing_key = queue,
                payload = body,
                payload_encoding = "string",
            });
        response.EnsureSuccessStatusCode();
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("routed").GetBoolean().Should().BeTrue();
    }

    /// <summary>A client signed in with the Identity cookie, as a browser is: it reaches both the API and the pages.</summary>
    private static async Task<HttpClient> SignInAsync(Uri api, string email)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = api };
        using var response = await client.PostAsJsonAsync("api/auth/login", new { email, password = "Demo-Passw0rd!", twoFactorCode = Totp.Code(Totp.DemoKey), useCookies = true });
        response.EnsureSuccessStatusCode();
        return client;
    }
}
