using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FluentAssertions;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Notifications;
using Moderation.Testing;

namespace Moderation.Api.Tests;

public sealed class NotificationTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Grooming = "hey, this is our little secret ok? meet me at the park after school";

    private async Task<List<NotificationDto>> MineAsync(string email, string query = "")
    {
        using var client = await Fixture.As(email);
        return (await client.GetFromJsonAsync<List<NotificationDto>>($"/api/me/notifications{query}", ApiFixture.Json))!;
    }

    private async Task<List<DeliveryDto>> DeliveriesAsync(string slug, string query = "")
    {
        using var admin = await Fixture.As("admin@riverside.example");
        return (await admin.GetFromJsonAsync<List<DeliveryDto>>($"/api/schools/{Fixture.Schools[slug]}/notifications/deliveries{query}", ApiFixture.Json))!;
    }

    private async Task SetWebhookAsync(string slug, string url)
    {
        using var admin = await Fixture.As("admin@riverside.example");
        using var response = await admin.PutAsJsonAsync($"/api/schools/{Fixture.Schools[slug]}/notifications/webhook", new { url });
        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_safeguarding_concern_reaches_the_DSL_and_headteacher_in_the_app_by_email_and_on_the_webhook_without_the_item_text()
    {
        // Arrange
        await SetWebhookAsync("fleming-primary", Fixture.Webhook.Url);

        // Act
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);

        // Assert: in the app, for the DSL and the headteacher of that school only
        var dsl = await Eventually.WaitForAsync(() => MineAsync("dsl@fleming.example"), n => n.Count > 0, "the DSL's notification");
        dsl.Should().ContainSingle().Which.Should().Match<NotificationDto>(n =>
            n.Kind == "safeguarding-concern" && n.ItemId == itemId && n.Title.Contains("grooming") && n.Link == $"/items/{itemId}");
        (await Eventually.WaitForAsync(() => MineAsync("head@fleming.example"), n => n.Count > 0, "the headteacher's notification"))
            .Should().ContainSingle(n => n.ItemId == itemId);
        (await MineAsync("moderator@fleming.example")).Should().BeEmpty("the rota is skipped for safeguarding");
        (await MineAsync("dsl@stmarys.example")).Should().BeEmpty("another school's DSL learns nothing");

        // By e-mail, with a link and never the words of the comment
        var mail = await Eventually.WaitForAsync(
            () => Task.FromResult(Fixture.Smtp.To("dsl@fleming.example").ToList()), m => m.Count > 0, "the DSL's e-mail");
        var message = mail.Should().ContainSingle().Subject;
        message.Subject.Should().Contain("Safeguarding concern").And.Contain("Fleming Primary");
        message.TextBody.Should().Contain($"http://moderation.test/items/{itemId}").And.NotContain("our little secret").And.NotContain("meet me at the park");
        (await Eventually.WaitForAsync(
            () => Task.FromResult(Fixture.Smtp.To("head@fleming.example").ToList()), m => m.Count > 0, "the headteacher's e-mail")).Should().ContainSingle();

        // On the school's webhook, as {"text": ...}, once per person told
        var posts = await Eventually.WaitForAsync(
            () => Task.FromResult(Fixture.Webhook.Bodies.ToList()), b => b.Count >= 2, "two webhook posts");
        posts.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("text").GetString()).Should()
            .AllSatisfy(t => t.Should().Contain("Safeguarding concern").And.NotContain("our little secret"));

        // Every delivery is recorded as sent
        var deliveries = await Eventually.WaitForAsync(
            () => DeliveriesAsync("fleming-primary"), d => d.Count == 4 && d.All(x => x.Status == "sent"), "four sent deliveries");
        deliveries.Select(d => d.Channel).Should().BeEquivalentTo(["email", "email", "webhook", "webhook"]);
        deliveries.Where(d => d.Channel == "webhook").Should().AllSatisfy(d => d.Target.Should().Be("127.0.0.1", "the URL's secret path is never shown"));
    }

    [Fact]
    public async Task A_webhook_that_keeps_failing_is_marked_failed_with_the_reason_and_an_administrator_can_send_it_again()
    {
        // Arrange
        await SetWebhookAsync("fleming-primary", Fixture.Webhook.Url);
        Fixture.Webhook.Answer = HttpStatusCode.InternalServerError;

        // Act
        await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);

        // Assert: both webhook deliveries fail after the first try and two retries; e-mail is unaffected
        var failed = await Eventually.WaitForAsync(
            () => DeliveriesAsync("fleming-primary", "?status=failed"), d => d.Count == 2, "two failed webhook deliveries");
        failed.Should().AllSatisfy(d =>
        {
            d.Channel.Should().Be("webhook");
            d.Attempts.Should().Be(3);
            d.LastError.Should().Contain("HTTP 500").And.Contain("127.0.0.1");
        });
        (await DeliveriesAsync("fleming-primary", "?status=sent")).Should().HaveCount(2).And.OnlyContain(d => d.Channel == "email");

        // Act: the endpoint is fixed, and an administrator sends one again
        Fixture.Webhook.Answer = HttpStatusCode.OK;
        using var admin = await Fixture.As("admin@riverside.example");
        var schoolId = Fixture.Schools["fleming-primary"];
        using (var retried = await admin.PostAsync($"/api/schools/{schoolId}/notifications/deliveries/{failed[0].Id}/retry", null))
        {
            retried.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        // Assert
        var sent = await Eventually.WaitForAsync(
            () => DeliveriesAsync("fleming-primary", "?status=sent"), d => d.Any(x => x.Id == failed[0].Id), "the retried delivery to be sent");
        sent.Single(d => d.Id == failed[0].Id).LastError.Should().BeNull();
        Fixture.Webhook.Bodies.Should().ContainSingle();
        using (var again = await admin.PostAsync($"/api/schools/{schoolId}/notifications/deliveries/{failed[0].Id}/retry", null))
        {
            again.StatusCode.Should().Be(HttpStatusCode.Conflict, "a sent delivery is not sent twice");
        }

        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.Action == "notification-delivery-retried")).Should().Be(1);
    }

    [Fact]
    public async Task A_refusing_mail_server_leaves_the_email_failed_while_the_notification_stays_in_the_app()
    {
        // Arrange
        Fixture.Smtp.Refuse = true;

        // Act
        await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);

        // Assert
        var failed = await Eventually.WaitForAsync(
            () => DeliveriesAsync("fleming-primary", "?status=failed"), d => d.Count == 2, "two failed e-mails");
        failed.Should().AllSatisfy(d => d.LastError.Should().Contain("try again later"));
        (await MineAsync("dsl@fleming.example")).Should().ContainSingle();
    }

    [Fact]
    public async Task Marking_a_notification_read_hides_it_from_the_unread_list_and_nobody_else_can_mark_it()
    {
        // Arrange
        await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);
        var mine = await Eventually.WaitForAsync(() => MineAsync("dsl@fleming.example", "?unread=true"), n => n.Count == 1, "an unread notification");

        // Act
        using var head = await Fixture.As("head@fleming.example");
        using var notHers = await head.PostAsync($"/api/me/notifications/{mine[0].Id}/read", null);
        using var dsl = await Fixture.As("dsl@fleming.example");
        using var read = await dsl.PostAsync($"/api/me/notifications/{mine[0].Id}/read", null);

        // Assert
        notHers.StatusCode.Should().Be(HttpStatusCode.NotFound);
        read.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await MineAsync("dsl@fleming.example", "?unread=true")).Should().BeEmpty();
        (await MineAsync("dsl@fleming.example")).Should().ContainSingle().Which.ReadAt.Should().NotBeNull();
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://hooks.example/x")]
    [InlineData("/relative/path")]
    [InlineData("")]
    public async Task A_webhook_that_is_not_an_absolute_http_address_is_refused_and_nothing_changes(string url)
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        var schoolId = Fixture.Schools["fleming-primary"];

        // Act
        using var response = await admin.PutAsJsonAsync($"/api/schools/{schoolId}/notifications/webhook", new { url });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain("webhook URL");
        var current = await admin.GetFromJsonAsync<WebhookDto>($"/api/schools/{schoolId}/notifications/webhook", ApiFixture.Json);
        current!.Configured.Should().BeFalse();
    }

    [Fact]
    public async Task The_webhook_shows_only_its_host_and_setting_it_is_audited_without_the_secret()
    {
        // Act
        await SetWebhookAsync("fleming-primary", Fixture.Webhook.Url);

        // Assert
        using var admin = await Fixture.As("admin@riverside.example");
        var current = await admin.GetFromJsonAsync<WebhookDto>($"/api/schools/{Fixture.Schools["fleming-primary"]}/notifications/webhook", ApiFixture.Json);
        current.Should().Be(new WebhookDto(true, "127.0.0.1"));
        await using var db = Fixture.Db();
        var audit = await db.AuditEntries.SingleAsync(a => a.Action == "notification-webhook-set");
        audit.Detail.Should().NotContain("secret-token");
    }

    [Theory]
    [InlineData("webadmin@stmarys.example", HttpStatusCode.NotFound)]
    [InlineData("moderator@fleming.example", HttpStatusCode.Forbidden)]
    [InlineData("head@fleming.example", HttpStatusCode.Forbidden)]
    public async Task Only_the_schools_administrators_see_deliveries_or_change_the_webhook(string email, HttpStatusCode expected)
    {
        // Arrange
        using var client = await Fixture.As(email);
        var schoolId = Fixture.Schools["fleming-primary"];

        // Act
        using var list = await client.GetAsync($"/api/schools/{schoolId}/notifications/deliveries");
        using var set = await client.PutAsJsonAsync($"/api/schools/{schoolId}/notifications/webhook", new { url = "https://hooks.example/x" });
        using var retry = await client.PostAsync($"/api/schools/{schoolId}/notifications/deliveries/{Guid.NewGuid()}/retry", null);

        // Assert
        list.StatusCode.Should().Be(expected);
        set.StatusCode.Should().Be(expected);
        retry.StatusCode.Should().Be(expected);
        await using var db = Fixture.Db();
        (await db.Schools.SingleAsync(s => s.Id == schoolId)).NotificationWebhookUrl.Should().BeNull();
    }

    [Theory]
    [InlineData("/notifications/deliveries?status=bogus", "status is one of")]
    [InlineData("/notifications/deliveries?status=1", "status is one of")]
    [InlineData("/notifications/deliveries/00000000-0000-0000-0000-000000000001/retry", "No such delivery")]
    public async Task Bad_delivery_requests_get_problem_details(string path, string detail)
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        var url = $"/api/schools/{Fixture.Schools["fleming-primary"]}{path}";

        // Act
        using var response = path.EndsWith("/retry", StringComparison.Ordinal) ? await admin.PostAsync(url, null) : await admin.GetAsync(url);

        // Assert
        response.StatusCode.Should().BeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain(detail);
    }

    [Fact]
    public async Task An_out_of_range_limit_on_my_notifications_is_a_bad_request()
    {
        // Arrange
        using var client = await Fixture.As("dsl@fleming.example");

        // Act
        using var response = await client.GetAsync("/api/me/notifications?limit=0");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }
}
