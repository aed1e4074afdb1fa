using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Queue;

namespace Moderation.Api.Tests;

/// <summary>Another school's staff, even administrators, get 404 or 403 on every endpoint and learn nothing.</summary>
public sealed class TenancyTests(ApiFixture fixture) : ApiTest(fixture)
{
    public static TheoryData<string, string> ItemEndpoints => new()
    {
        { "GET", "/api/items/{id}" },
        { "GET", "/api/items/{id}/media/{media}" },
        { "POST", "/api/items/{id}/claim" },
        { "POST", "/api/items/{id}/release" },
        { "POST", "/api/items/{id}/approve" },
        { "POST", "/api/items/{id}/reject" },
        { "POST", "/api/items/{id}/escalate" },
    };

    [Theory]
    [MemberData(nameof(ItemEndpoints))]
    public async Task Another_schools_administrator_gets_404_on_every_item_endpoint_and_nothing_changes(string method, string template)
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();
        using var submitted = await LifecycleTests.SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Fleming news", accounts.Take(1), ("a.png", LifecycleTests.Png));
        var created = await submitted.Content.ReadFromJsonAsync<Drafts.DraftCreated>(ApiFixture.Json);
        var item = await Fixture.WaitForStateAsync(created!.Id, Domain.Items.ItemState.AwaitingReview);
        await using var db = Fixture.Db();
        var mediaId = await db.ItemMedia.Where(m => m.ItemId == item.Id).Select(m => m.Id).SingleAsync();
        var auditBefore = await db.AuditEntries.CountAsync();
        using var outsider = await Fixture.As("webadmin@stmarys.example");
        var url = template.Replace("{id}", item.Id.ToString()).Replace("{media}", mediaId.ToString());

        // Act
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "POST" ? JsonContent.Create(new { reason = "Abusive" }) : null,
        };
        using var response = await outsider.SendAsync(request);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().NotContain("Fleming news").And.NotContain(item.SchoolId.ToString());
        (await db.AuditEntries.CountAsync()).Should().Be(auditBefore);
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == item.Id)).Version.Should().Be(item.Version);
    }

    [Fact]
    public async Task The_queue_lists_only_the_callers_schools_and_filtering_by_another_school_is_404()
    {
        // Arrange
        await Fixture.IngestAndScreenAsync("fleming-primary", "Fleming comment");
        await Fixture.IngestAndScreenAsync("st-marys-ce", "St Mary's comment");
        using var outsider = await Fixture.As("moderator@stmarys.example");
        using var trustAdmin = await Fixture.As("admin@riverside.example");

        // Act
        var own = await outsider.GetFromJsonAsync<QueuePage>("/api/items", ApiFixture.Json);
        using var filtered = await outsider.GetAsync($"/api/items?school={Fixture.Schools["fleming-primary"]}");
        var trust = await trustAdmin.GetFromJsonAsync<QueuePage>("/api/items", ApiFixture.Json);

        // Assert
        own!.Items.Should().ContainSingle().Which.Excerpt.Should().Be("St Mary's comment");
        own.CountsByState.Values.Sum().Should().Be(1);
        filtered.StatusCode.Should().Be(HttpStatusCode.NotFound);
        trust!.Total.Should().Be(2, "a trust IT lead belongs to both schools");
    }

    [Fact]
    public async Task Another_schools_author_cannot_submit_a_draft_to_this_school()
    {
        // Arrange
        using var outsider = await Fixture.As("author@stmarys.example");
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();

        // Act
        using var response = await LifecycleTests.SubmitDraftAsync(outsider, Fixture.Schools["fleming-primary"], "Not my school", accounts.Take(1));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = Fixture.Db();
        (await db.Items.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Another_schools_administrator_cannot_verify_or_read_this_schools_audit_chain()
    {
        // Arrange
        using var outsider = await Fixture.As("webadmin@stmarys.example");

        // Act
        using var response = await outsider.GetAsync($"/api/admin/audit/verify?school={Fixture.Schools["fleming-primary"]}");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_schools_administrator_does_not_see_this_schools_faulted_messages()
    {
        // Arrange: a poison message for Fleming lands in the error queue.
        await AdminTests.PoisonAsync(Fixture, Fixture.Schools["fleming-primary"]);
        using var outsider = await Fixture.As("webadmin@stmarys.example");
        using var insider = await Fixture.As("admin@riverside.example");

        // Act
        var seenByOutsider = await outsider.GetFromJsonAsync<List<Admin.FaultedMessage>>("/api/admin/error-queues/screening_error/messages", ApiFixture.Json);
        var seenByInsider = await insider.GetFromJsonAsync<List<Admin.FaultedMessage>>("/api/admin/error-queues/screening_error/messages", ApiFixture.Json);

        // Assert
        seenByOutsider.Should().BeEmpty();
        seenByInsider.Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("author@fleming.example", "GET", "/api/items")]
    [InlineData("author@fleming.example", "GET", "/api/admin/error-queues")]
    [InlineData("moderator@fleming.example", "GET", "/api/admin/error-queues")]
    [InlineData("moderator@fleming.example", "GET", "/api/admin/audit/verify")]
    [InlineData("dsl@fleming.example", "GET", "/api/drafts/mine")]
    public async Task A_role_that_may_not_use_an_endpoint_gets_403(string email, string method, string url)
    {
        // Arrange
        using var client = await Fixture.As(email);

        // Act
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("GET", "/api/items")]
    [InlineData("GET", "/api/me")]
    [InlineData("GET", "/api/admin/error-queues")]
    [InlineData("POST", "/api/items/00000000-0000-0000-0000-000000000001/approve")]
    public async Task Anonymous_callers_get_401(string method, string url)
    {
        using var client = Fixture.Anonymous();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string, string, string?> SafeguardingEndpoints()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var (method, url, body) in Safeguarding.AuthorisationMatrixTests.CaseEndpoints)
        {
            data.Add(method, url, body);
        }

        foreach (var (method, url, body, _) in Safeguarding.AuthorisationMatrixTests.SchoolEndpoints)
        {
            data.Add(method, url, body);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SafeguardingEndpoints))]
    public async Task Another_schools_staff_get_404_on_every_safeguarding_endpoint_and_nothing_changes(string method, string template, string? body)
    {
        // Arrange: a Fleming case with its evidence and a referral.
        using var dsl = await Fixture.As("dsl@fleming.example");
        using var raised = await dsl.PostAsJsonAsync($"/api/schools/{Fixture.Schools["fleming-primary"]}/safeguarding/cases",
            new { category = "Hate", severity = "High", summary = "Fleming only", payload = "{}" });
        var c = (await raised.Content.ReadFromJsonAsync<Api.Safeguarding.CaseDto>(ApiFixture.Json))!;
        using var referral = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/referrals", new { agency = "Police101", madeAt = DateTimeOffset.UtcNow });
        var referralId = (await referral.Content.ReadFromJsonAsync<Api.Safeguarding.ReferralDto>(ApiFixture.Json))!.Id;
        await using var db = Fixture.Db();
        var partId = await db.EvidenceParts.Where(p => p.CaseId == c.Id).Select(p => p.Id).FirstAsync();
        var url = template.Replace("{case}", c.Id.ToString()).Replace("{referral}", referralId.ToString()).Replace("{part}", partId.ToString())
            .Replace("{school}", Fixture.Schools["fleming-primary"].ToString());
        var auditBefore = await db.AuditEntries.CountAsync();

        foreach (var outsider in new[] { "webadmin@stmarys.example", "dsl@stmarys.example", "head@stmarys.example" })
        {
            // Act
            using var client = await Fixture.As(outsider);
            using var request = new HttpRequestMessage(new HttpMethod(method), url)
            {
                Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await client.SendAsync(request);

            // Assert
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{outsider} {method} {template}");
            (await response.Content.ReadAsStringAsync()).Should().NotContain("Fleming only");
        }

        (await db.AuditEntries.CountAsync()).Should().Be(auditBefore);
        (await db.SafeguardingCases.CountAsync()).Should().Be(1);
    }
}
