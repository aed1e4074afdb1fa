using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Notifications;
using Moderation.Api.Routing;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Routing;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>Assignment and time limits through the API, with the real worker routing what it screens.</summary>
public sealed class RoutingApiTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Grooming = "hey, this is our little secret ok? meet me at the park after school";

    private Guid Fleming => Fixture.Schools["fleming-primary"];

    private async Task<Guid> UserAsync(string email)
    {
        await using var db = Fixture.Db();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
    }

    private static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    [Fact]
    public async Task Routing_settings_are_the_defaults_until_an_administrator_saves_them_and_then_read_back_as_saved()
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        var tom = await UserAsync("moderator2@fleming.example");
        var url = $"/api/schools/{Fleming}/routing";

        // Act
        var before = await admin.GetFromJsonAsync<RoutingSettingsResponse>(url, ApiFixture.Json);
        using var put = await admin.PutAsJsonAsync(url, new
        {
            openItemCap = 5,
            maxReassignments = 1,
            claimLeaseMinutes = 10,
            safeguardingAcknowledgeMinutes = 10,
            schoolHours = new[] { new { day = "Monday", start = "08:30", end = "15:30" } },
            dueTimes = new[] { new { appliesTo = "InboundComment", inSchoolHoursMinutes = 20, outsideSchoolHoursMinutes = 120 }, new { appliesTo = "Bullying", inSchoolHoursMinutes = 10, outsideSchoolHoursMinutes = 60 } },
            escalationLevels = new[] { new[] { tom } },
            deputyDsls = Array.Empty<Guid>(),
        });
        var after = await admin.GetFromJsonAsync<RoutingSettingsResponse>(url, ApiFixture.Json);

        // Assert
        before!.Saved.Should().BeFalse();
        before.Settings.OpenItemCap.Should().Be(15);
        before.EffectiveEscalationLevels.Select(l => l.Select(p => p.Name).ToList()).Should().BeEquivalentTo(
            new[] { new[] { "Priya Shah (trust IT lead)" }, new[] { "Mrs Helen Carter (Headteacher)" } }, o => o.WithStrictOrdering());
        before.EffectiveDsls.Should().ContainSingle().Which.Name.Should().Be("Mr David Lowe (DSL)");
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        after!.Saved.Should().BeTrue();
        after.Settings.OpenItemCap.Should().Be(5);
        after.Settings.SchoolHours.Should().Equal(new WeeklyWindow(DayOfWeek.Monday, new TimeOnly(8, 30), new TimeOnly(15, 30)));
        after.Settings.DueTimes.Should().HaveCount(2);
        after.EffectiveEscalationLevels.Select(l => l.Select(p => p.Id).ToList()).Should().BeEquivalentTo(
            new[] { new[] { tom }, new[] { await UserAsync("head@fleming.example") } }, o => o.WithStrictOrdering());
        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.ChainId == Fleming && a.Action == "routing-settings-changed")).Should().Be(1);
    }

    [Fact]
    public async Task Invalid_routing_settings_are_refused_with_every_problem_listed_and_nothing_is_saved()
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        var author = await UserAsync("author@fleming.example");
        var moderator = await UserAsync("moderator@fleming.example");
        var url = $"/api/schools/{Fleming}/routing";

        // Act
        using var put = await admin.PutAsJsonAsync(url, new
        {
            openItemCap = 0,
            claimLeaseMinutes = 1000,
            dueTimes = new[] { new { appliesTo = "Tweets", inSchoolHoursMinutes = 30, outsideSchoolHoursMinutes = 0 } },
            escalationLevels = new[] { new[] { author } },
            dsls = new[] { moderator },
            deputyDsls = Array.Empty<Guid>(),
        });

        // Assert
        put.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        put.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await ErrorsAsync(put)).Keys.Should().BeEquivalentTo(
            "openItemCap", "claimLeaseMinutes", "dueTimes[0].appliesTo", "dueTimes[0].outsideSchoolHoursMinutes", "escalationLevels[0][0]", "dsls[0]");
        (await admin.GetFromJsonAsync<RoutingSettingsResponse>(url, ApiFixture.Json))!.Saved.Should().BeFalse();
    }

    [Theory]
    [InlineData("webadmin@stmarys.example", HttpStatusCode.NotFound)]
    [InlineData("moderator@fleming.example", HttpStatusCode.Forbidden)]
    public async Task Only_the_schools_own_administrators_see_or_change_its_routing_and_alerts(string email, HttpStatusCode expected)
    {
        // Arrange
        using var client = await Fixture.As(email);

        // Act
        using var get = await client.GetAsync($"/api/schools/{Fleming}/routing");
        using var put = await client.PutAsJsonAsync($"/api/schools/{Fleming}/routing", new { openItemCap = 3 });
        using var alerts = await client.GetAsync($"/api/schools/{Fleming}/alerts");

        // Assert
        get.StatusCode.Should().Be(expected);
        put.StatusCode.Should().Be(expected);
        alerts.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task A_screened_comment_is_assigned_to_the_moderator_on_duty_and_is_in_their_assignments_with_its_due_time()
    {
        // Arrange
        await Fixture.SeedDemoRotasAsync();

        // Act
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Will the car park be open for the Christmas fair?");

        // Assert: the owner is whoever the rota has on duty at that moment.
        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == id);
        var rotas = await new RotaStore().ForSchoolAsync(db, Fleming, CancellationToken.None);
        var onDuty = ScheduleCalculator.OnDutyForSchool(rotas, Fleming, item.AssignedAt!.Value);
        item.AssignedToId.Should().Be(onDuty[0].UserId);
        item.DueAt.Should().BeAfter(item.AssignedAt.Value);
        var email = await db.Users.Where(u => u.Id == item.AssignedToId).Select(u => u.Email).SingleAsync();
        using var owner = await Fixture.As(email!);
        var mine = await owner.GetFromJsonAsync<List<AssignmentDto>>("/api/me/assignments", ApiFixture.Json);
        var assignment = mine.Should().ContainSingle(a => a.ItemId == id).Subject;
        assignment.DueAt.Should().Be(item.DueAt);
        assignment.Overdue.Should().BeFalse();
        assignment.Excerpt.Should().Contain("car park");
        var notices = await Eventually.WaitForAsync(
            async () => (await owner.GetFromJsonAsync<List<NotificationDto>>("/api/me/notifications", ApiFixture.Json))!,
            n => n.Any(x => x.ItemId == id), "the owner's notification");
        notices.Should().ContainSingle(n => n.ItemId == id).Which.Kind.Should().Be("assigned");
        using var other = await Fixture.As("moderator@stmarys.example");
        (await other.GetFromJsonAsync<List<AssignmentDto>>("/api/me/assignments", ApiFixture.Json)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_grooming_comment_goes_to_the_DSL_escalated_and_only_the_DSL_or_headteacher_of_the_school_can_acknowledge_it()
    {
        // Arrange
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", Grooming);
        using var moderator = await Fixture.As("moderator@fleming.example");
        using var otherDsl = await Fixture.As("dsl@stmarys.example");
        using var dsl = await Fixture.As("dsl@fleming.example");

        // Act
        using var byModerator = await moderator.PostAsync($"/api/items/{id}/acknowledge", null);
        using var approveByModerator = await moderator.PostAsJsonAsync($"/api/items/{id}/approve", new { });
        using var byOtherSchool = await otherDsl.PostAsync($"/api/items/{id}/acknowledge", null);
        var before = await dsl.GetFromJsonAsync<List<AssignmentDto>>("/api/me/assignments", ApiFixture.Json);
        using var byDsl = await dsl.PostAsync($"/api/items/{id}/acknowledge", null);
        using var twice = await dsl.PostAsync($"/api/items/{id}/acknowledge", null);
        var after = await dsl.GetFromJsonAsync<List<AssignmentDto>>("/api/me/assignments", ApiFixture.Json);

        // Assert
        byModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        approveByModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a safeguarding item is escalated: only the headteacher or DSL decide it");
        byOtherSchool.StatusCode.Should().Be(HttpStatusCode.NotFound);
        before.Should().ContainSingle(a => a.ItemId == id).Which.Should().Match<AssignmentDto>(a =>
            a.Safeguarding && a.NeedsAcknowledgement && a.State == ItemState.Escalated);
        byDsl.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byDsl.Content.ReadFromJsonAsync<AssignmentResponse>(ApiFixture.Json))!.AcknowledgedAt.Should().NotBeNull();
        twice.StatusCode.Should().Be(HttpStatusCode.Conflict);
        after.Should().ContainSingle(a => a.ItemId == id).Which.NeedsAcknowledgement.Should().BeFalse();
    }

    [Fact]
    public async Task An_administrator_reassigns_an_item_to_another_reviewer_who_is_told_and_the_move_is_audited()
    {
        // Arrange
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Is there a uniform sale this week?");
        await using var db = Fixture.Db();
        var owner = (await db.Items.AsNoTracking().SingleAsync(i => i.Id == id)).AssignedToId;
        var amy = await UserAsync("moderator@fleming.example");
        var target = owner == amy ? "moderator2@fleming.example" : "moderator@fleming.example";
        var targetId = await UserAsync(target);
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        using var response = await admin.PostAsJsonAsync($"/api/items/{id}/reassign", new { userId = targetId, reason = "covering the Year 6 trip" });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<AssignmentResponse>(ApiFixture.Json))!.AssignedToId.Should().Be(targetId);
        (await db.AuditEntries.AsNoTracking().SingleAsync(a => a.ItemId == id && a.Action == "reassigned")).Detail.Should().Contain("covering the Year 6 trip");
        using var newOwner = await Fixture.As(target);
        var notices = await Eventually.WaitForAsync(
            async () => (await newOwner.GetFromJsonAsync<List<NotificationDto>>("/api/me/notifications", ApiFixture.Json))!,
            n => n.Any(x => x.ItemId == id && x.Kind == "reassigned"), "the new owner's notification");
        notices.Should().Contain(n => n.ItemId == id && n.Body.Contains("covering the Year 6 trip"));
        (await newOwner.GetFromJsonAsync<List<AssignmentDto>>("/api/me/assignments", ApiFixture.Json)).Should().Contain(a => a.ItemId == id);
    }

    [Fact]
    public async Task Reassigning_with_bad_input_lists_every_problem_and_refuses_people_who_cannot_hold_the_item()
    {
        // Arrange
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "What time is the nativity?");
        using var admin = await Fixture.As("admin@riverside.example");
        var author = await UserAsync("author@fleming.example");
        var otherSchool = await UserAsync("moderator@stmarys.example");

        // Act
        using var empty = await admin.PostAsJsonAsync($"/api/items/{id}/reassign", new { });
        using var toAuthor = await admin.PostAsJsonAsync($"/api/items/{id}/reassign", new { userId = author, reason = "knows the parent" });
        using var toOtherSchool = await admin.PostAsJsonAsync($"/api/items/{id}/reassign", new { userId = otherSchool, reason = "spare capacity" });
        using var unknownItem = await admin.PostAsJsonAsync($"/api/items/{Guid.NewGuid()}/reassign", new { userId = otherSchool, reason = "x" });

        // Assert
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(empty)).Keys.Should().BeEquivalentTo("userId", "reason");
        toAuthor.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(toAuthor))["userId"].Should().ContainSingle().Which.Should().Contain("cannot decide");
        toOtherSchool.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(toOtherSchool))["userId"].Should().ContainSingle().Which.Should().Contain("not a member");
        unknownItem.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = Fixture.Db();
        (await db.ItemAssignments.CountAsync(a => a.ItemId == id)).Should().Be(1, "nothing was reassigned");
    }

    [Theory]
    [InlineData("webadmin@stmarys.example", HttpStatusCode.NotFound)]
    [InlineData("moderator@fleming.example", HttpStatusCode.Forbidden)]
    [InlineData("head@fleming.example", HttpStatusCode.Forbidden)]
    public async Task Only_an_administrator_of_the_items_school_may_reassign_it(string email, HttpStatusCode expected)
    {
        // Arrange
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Lovely harvest festival");
        var tom = await UserAsync("moderator2@fleming.example");
        using var client = await Fixture.As(email);

        // Act
        using var response = await client.PostAsJsonAsync($"/api/items/{id}/reassign", new { userId = tom, reason = "please" });

        // Assert
        response.StatusCode.Should().Be(expected);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Administrators_see_open_alerts_and_resolve_them_with_a_note()
    {
        // Arrange: an item that went past the rota (as the router records it), with eleven more folded into its alert.
        await Fixture.SeedDemoRotasAsync();
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Is school open on Monday?");
        Guid alertId;
        await using (var db = Fixture.Db())
        {
            var alert = new RoutingAlert
            {
                Id = Guid.NewGuid(), SchoolId = Fleming, ItemId = id, Reasons = "NobodyOnDuty", Message = "A comment on Facebook went to escalation level 1: nobody on duty.",
                RaisedAt = DateTimeOffset.UtcNow.AddMinutes(-5), ItemCount = 12, LastRaisedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            };
            db.Alerts.Add(alert);
            await db.SaveChangesAsync();
            alertId = alert.Id;
        }

        using var admin = await Fixture.As("admin@riverside.example");
        var url = $"/api/schools/{Fleming}/alerts";

        // Act
        var open = await admin.GetFromJsonAsync<List<AlertDto>>(url, ApiFixture.Json);
        using var noNote = await admin.PostAsJsonAsync($"{url}/{alertId}/resolve", new { });
        using var resolved = await admin.PostAsJsonAsync($"{url}/{alertId}/resolve", new { resolution = "Tom added to the rota" });
        using var again = await admin.PostAsJsonAsync($"{url}/{alertId}/resolve", new { resolution = "again" });
        var openAfter = await admin.GetFromJsonAsync<List<AlertDto>>(url, ApiFixture.Json);
        var all = await admin.GetFromJsonAsync<List<AlertDto>>($"{url}?open=false", ApiFixture.Json);
        using var stMarys = await Fixture.As("webadmin@stmarys.example");
        using var foreign = await stMarys.PostAsJsonAsync($"{url}/{alertId}/resolve", new { resolution = "not mine" });

        // Assert
        var shown = open.Should().ContainSingle().Subject;
        shown.ItemId.Should().Be(id);
        shown.ItemCount.Should().Be(12);
        shown.LastRaisedAt.Should().BeAfter(shown.RaisedAt);
        noNote.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        resolved.StatusCode.Should().Be(HttpStatusCode.OK);
        (await resolved.Content.ReadFromJsonAsync<AlertDto>(ApiFixture.Json))!.ItemCount.Should().Be(12, "resolving it resolves all it stands for");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        openAfter.Should().BeEmpty();
        all.Should().ContainSingle().Which.Resolution.Should().Be("Tom added to the rota");
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_alert_resolved_by_someone_else_while_the_request_waited_for_the_schools_lock_answers_409_and_writes_nothing()
    {
        // Arrange: an open alert, and another administrator's resolution of it in a transaction that holds the
        // school's chain lock and has not committed, so the request reads the alert as open and then waits.
        await Fixture.SeedDemoRotasAsync();
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Is the car park open on Saturday?");
        var alertId = Guid.NewGuid();
        await using (var db = Fixture.Db())
        {
            db.Alerts.Add(new RoutingAlert
            {
                Id = alertId, SchoolId = Fleming, ItemId = id, Reasons = "EveryoneAtCap", Message = "A comment on Facebook went to escalation level 1.",
                RaisedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        using var admin = await Fixture.As("admin@riverside.example");
        await using var other = Fixture.Db();
        await using var otherTx = await other.Database.BeginTransactionAsync();
        await AuditLog.LockChainAsync(other, Fleming, CancellationToken.None);
        await other.Alerts.Where(a => a.Id == alertId)
            .ExecuteUpdateAsync(x => x.SetProperty(a => a.ResolvedAt, DateTimeOffset.UtcNow).SetProperty(a => a.Resolution, "Sorted by the other administrator"));
        var before = await WithDb(db => db.AuditEntries.CountAsync(e => e.ChainId == Fleming));

        // Act: the request waits for the school's lock; the other resolution commits meanwhile.
        var request = admin.PostAsJsonAsync($"/api/schools/{Fleming}/alerts/{alertId}/resolve", new { resolution = "Tom added to the rota" });
        await using (var probe = Fixture.Db())
        {
            await Eventually.WaitForAsync(
                () => probe.Database.SqlQueryRaw<int>(
                    "SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND NOT granted " +
                    "AND ((classid::bigint << 32) | objid::bigint) = hashtextextended({0}, 7)", Fleming.ToString()).SingleAsync(),
                n => n >= 1, "the request to wait for the school's chain lock");
        }

        request.IsCompleted.Should().BeFalse("the other transaction still holds the school's lock");
        await otherTx.CommitAsync();
        using var response = await request;

        // Assert: a conflict, the other resolution kept, and no audit entry for the refused one.
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var stored = await WithDb(db => db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alertId));
        stored.Resolution.Should().Be("Sorted by the other administrator");
        stored.ResolvedById.Should().BeNull();
        (await WithDb(db => db.AuditEntries.CountAsync(e => e.ChainId == Fleming))).Should().Be(before);
    }

    [Fact]
    public async Task An_item_escalated_by_hand_goes_to_the_headteacher_with_a_due_time_and_a_notification()
    {
        // Arrange
        await Fixture.SeedDemoRotasAsync();
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Who do I speak to about a teacher shouting at my son?");
        Guid owner;
        await using (var db = Fixture.Db())
        {
            owner = (await Eventually.WaitForAsync(
                () => db.Items.AsNoTracking().SingleAsync(i => i.Id == id), i => i.AssignedToId is not null, "the first assignment")).AssignedToId!.Value;
        }

        var email = await WithDb(db => db.Users.Where(u => u.Id == owner).Select(u => u.Email!).SingleAsync());
        using var moderator = await Fixture.As(email);
        var head = await UserAsync("head@fleming.example");

        // Act
        using (var escalated = await moderator.PostAsJsonAsync($"/api/items/{id}/escalate", new { reason = "A complaint about a member of staff" }))
        {
            escalated.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // Assert
        var item = await WithDb(db => Eventually.WaitForAsync(
            () => db.Items.AsNoTracking().SingleAsync(i => i.Id == id), i => i.AssignedToId == head, "the headteacher to own the item"));
        item.State.Should().Be(ItemState.Escalated);
        item.DueAt.Should().BeAfter(item.AssignedAt!.Value);
        var audit = await WithDb(db => db.AuditEntries.AsNoTracking().SingleAsync(a => a.ItemId == id && a.Action == "assignment-escalated"));
        audit.Detail.Should().Contain("A complaint about a member of staff");
        using var headClient = await Fixture.As("head@fleming.example");
        var notices = await Eventually.WaitForAsync(
            async () => (await headClient.GetFromJsonAsync<List<NotificationDto>>("/api/me/notifications", ApiFixture.Json))!,
            n => n.Any(x => x.ItemId == id), "the headteacher's notification");
        notices.Should().ContainSingle(n => n.ItemId == id).Which.Kind.Should().Be("escalated");
        (await WithDb(db => db.Alerts.CountAsync(a => a.ItemId == id))).Should().Be(0, "the headteacher is there to take it");
    }

    private async Task<T> WithDb<T>(Func<Moderation.Domain.Persistence.ModerationDbContext, Task<T>> query)
    {
        await using var db = Fixture.Db();
        return await query(db);
    }
}
