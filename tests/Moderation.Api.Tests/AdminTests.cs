using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Admin;
using Moderation.Contracts;
using Moderation.Domain.Audit;
using Moderation.Domain.Messaging;
using Moderation.Testing;

namespace Moderation.Api.Tests;

public sealed class AdminTests(ApiFixture fixture) : ApiTest(fixture)
{
    /// <summary>Sends an ItemReceived for an item that does not exist: the screening consumer refuses it for good.</summary>
    internal static async Task<Guid> PoisonAsync(ApiFixture fixture, Guid schoolId)
    {
        await fixture.Env.PurgeQueuesAsync();
        await using var db = fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var row = Outbox.Enqueue(db, new ItemReceived(Guid.NewGuid(), schoolId, "InboundComment", DateTimeOffset.UtcNow), DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        // Queue counters in the management API lag by seconds; look for this very message instead.
        await Eventually.WaitForAsync(
            async () =>
            {
                using var http = fixture.Env.ManagementClient();
                using var got = await http.PostAsJsonAsync(
                    $"queues/{Uri.EscapeDataString(fixture.Env.Name)}/screening_error/get",
                    new { count = 50, ackmode = "ack_requeue_true", encoding = "auto" });
                return got.IsSuccessStatusCode && (await got.Content.ReadAsStringAsync()).Contains(row.MessageId.ToString(), StringComparison.Ordinal);
            },
            found => found,
            "the poison message to reach screening_error");
        return row.MessageId;
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_error_queue_where_an_administrator_can_inspect_it_and_other_items_flow_on()
    {
        // Arrange
        var messageId = await PoisonAsync(Fixture, Fixture.Schools["fleming-primary"]);
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        // The management API's message counters lag the queue by seconds, so the summary is read until it catches up.
        var queues = await Eventually.WaitForAsync(
            async () => await admin.GetFromJsonAsync<List<ErrorQueueSummary>>("/api/admin/error-queues", ApiFixture.Json) ?? [],
            list => list.Exists(q => q.Name == "screening_error" && q.Messages >= 1),
            "the error queue summary to count the poison message");
        var messages = await admin.GetFromJsonAsync<List<FaultedMessage>>("/api/admin/error-queues/screening_error/messages", ApiFixture.Json);
        var again = await admin.GetFromJsonAsync<List<FaultedMessage>>("/api/admin/error-queues/screening_error/messages", ApiFixture.Json);
        var healthy = await Fixture.IngestAndScreenAsync("fleming-primary", "An ordinary comment after the poison one");

        // Assert
        queues.Should().Contain(q => q.Name == "screening_error" && q.Messages >= 1);
        var faulted = messages.Should().ContainSingle().Subject;
        faulted.MessageId.Should().Be(messageId.ToString());
        faulted.MessageType.Should().Contain("ItemReceived");
        faulted.ExceptionType.Should().Contain("InvalidOperationException");
        faulted.FaultMessage.Should().Contain("does not exist");
        again.Should().ContainSingle("peeking requeues, so nothing is lost by looking");
        healthy.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Only_error_queues_can_be_read_through_the_api()
    {
        using var admin = await Fixture.As("admin@riverside.example");
        using var response = await admin.GetAsync("/api/admin/error-queues/screening/messages");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_audit_chain_verifies_and_names_the_first_tampered_entry()
    {
        // Arrange: the demo rotas, so that each item is simply assigned
        await Fixture.SeedDemoRotasAsync();
        var first = await Fixture.IngestAndScreenAsync("fleming-primary", "First");
        await Fixture.IngestAndScreenAsync("fleming-primary", "Second");
        using var admin = await Fixture.As("admin@riverside.example");
        var school = Fixture.Schools["fleming-primary"];
        var intact = await admin.GetFromJsonAsync<List<AuditVerification>>($"/api/admin/audit/verify?school={school}", ApiFixture.Json);

        // Act: someone edits an entry in the database directly.
        await using var db = Fixture.Db();
        var target = await db.AuditEntries.Where(a => a.ItemId == first && a.Action == "screened").SingleAsync();
        await db.Database.ExecuteSqlAsync($"UPDATE audit_entries SET to_state = 'Approved' WHERE seq = {target.Seq}");
        var broken = await admin.GetFromJsonAsync<List<AuditVerification>>($"/api/admin/audit/verify?school={school}", ApiFixture.Json);

        // Assert
        intact.Should().ContainSingle().Which.Intact.Should().BeTrue();
        intact![0].EntriesChecked.Should().Be(8, "each item has received, screening-started, screened and assigned");
        var result = broken.Should().ContainSingle().Subject;
        result.Intact.Should().BeFalse();
        result.FirstBroken!.Seq.Should().Be(target.Seq);
        result.FirstBroken.Reason.Should().Contain("content");
    }

    [Fact]
    public async Task Deleting_an_audit_entry_breaks_the_chain_at_the_next_one()
    {
        // Arrange
        var item = await Fixture.IngestAndScreenAsync("fleming-primary", "Chain");
        using var admin = await Fixture.As("admin@riverside.example");
        await using var db = Fixture.Db();
        var entries = await db.AuditEntries.Where(a => a.ItemId == item).OrderBy(a => a.Position).ToListAsync();

        // Act
        await db.Database.ExecuteSqlAsync($"DELETE FROM audit_entries WHERE seq = {entries[1].Seq}");
        var result = await admin.GetFromJsonAsync<List<AuditVerification>>($"/api/admin/audit/verify?school={Fixture.Schools["fleming-primary"]}", ApiFixture.Json);

        // Assert
        result![0].FirstBroken!.Seq.Should().Be(entries[2].Seq);
    }

    [Fact]
    public async Task Readiness_checks_postgresql_and_rabbitmq_and_liveness_answers()
    {
        using var client = Fixture.Anonymous();
        using var ready = await client.GetAsync("/health/ready");
        using var live = await client.GetAsync("/health/live");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadAsStringAsync()).Should().Be("Healthy");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_queue_endpoints()
    {
        using var client = Fixture.Anonymous();
        var doc = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        paths.TryGetProperty("/api/items/{id}/approve", out _).Should().BeTrue();
        paths.TryGetProperty("/api/schools/{schoolId}/drafts", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        using var client = Fixture.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            (await client.PostAsJsonAsync("/api/auth/login", new { email = "dsl@stmarys.example", password = $"wrong-password-{i}" })).Dispose();
        }

        using var right = await client.PostAsJsonAsync("/api/auth/login", new { email = "dsl@stmarys.example", password = ApiFixture.Password });
        right.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await right.Content.ReadAsStringAsync()).Should().Contain("locked");
    }

    [Fact]
    public async Task Me_names_the_callers_roles_and_schools()
    {
        using var admin = await Fixture.As("admin@riverside.example");
        var me = await admin.GetFromJsonAsync<Accounts.MeResponse>("/api/me", ApiFixture.Json);
        me!.Roles.Should().Equal("Administrator");
        me.Schools.Select(s => s.Slug).Should().BeEquivalentTo(["fleming-primary", "st-marys-ce"]);
    }
}
