using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Dashboard;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>
/// The dashboard's figures against items, audit entries, assignments and cases written with known answers, on a
/// fixed clock: noon on Monday 30 November 2026 (London is on GMT), so the window is 1 to 30 November.
/// </summary>
public sealed class DashboardTests(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task States_decision_times_breaches_and_escalations_are_counted_from_the_tables()
    {
        // Arrange
        var ids = await SeedAsync();
        await using var factory = Fixture.WithClock(new ManualTimeProvider(s_now));
        using var head = await ApiFixture.SignInAsync(factory, "head@fleming.example");

        // Act
        var data = await head.GetFromJsonAsync<DashboardData>("/api/dashboard", ApiFixture.Json);

        // Assert
        data!.From.Should().Be(new DateOnly(2026, 11, 1));
        data.To.Should().Be(new DateOnly(2026, 11, 30));
        data.StatesByDay.Should().HaveCount(30);
        Day(data, 27).Should().BeEmpty();
        Day(data, 28).Should().BeEquivalentTo(new Dictionary<string, int> { ["AwaitingReview"] = 1 });
        Day(data, 29).Should().BeEquivalentTo(new Dictionary<string, int> { ["Approved"] = 2, ["Rejected"] = 1 });
        Day(data, 30).Should().BeEquivalentTo(new Dictionary<string, int> { ["Approved"] = 2, ["Rejected"] = 1, ["AwaitingReview"] = 1 });

        // Decided on the 29th: 30 min, 60 min, 25 h (1500 min) and 29 days (41 760 min, an item from October).
        var day = data.DecisionTimes.Should().ContainSingle().Subject;
        day.Day.Should().Be(new DateOnly(2026, 11, 29));
        day.Decisions.Should().Be(4);
        day.MedianMinutes.Should().BeApproximately(780, 0.001, "the mean of 60 and 1500");
        day.P90Minutes.Should().BeApproximately(29682, 0.001, "1500 + 0.7 × (41760 − 1500), interpolated as percentile_cont does");
        data.Decisions.Should().Be(4);
        data.MedianMinutes.Should().BeApproximately(780, 0.001);
        data.P90Minutes.Should().BeApproximately(29682, 0.001);

        data.Breaches.Where(b => b.Breaches > 0).Should().Equal(
            new BreachDay(new DateOnly(2026, 11, 28), 1), new BreachDay(new DateOnly(2026, 11, 29), 1), new BreachDay(new DateOnly(2026, 11, 30), 1));
        data.TotalBreaches.Should().Be(3);

        data.Escalations.Where(e => e.Cases > 0).Should().Equal(new EscalationCount("Grooming", 2), new EscalationCount("Bullying", 1));
        data.Escalations.Select(e => e.Category).Should().BeEquivalentTo(CaseCategories.All);
        ids.Should().NotBeEmpty();
    }

    [Fact]
    public async Task An_administrator_of_two_schools_sees_both_or_one_and_never_a_school_of_others()
    {
        // Arrange
        await SeedAsync();
        await using var factory = Fixture.WithClock(new ManualTimeProvider(s_now));
        using var admin = await ApiFixture.SignInAsync(factory, "admin@riverside.example");
        using var stMarysHead = await ApiFixture.SignInAsync(factory, "head@stmarys.example");

        // Act
        var both = await admin.GetFromJsonAsync<DashboardData>("/api/dashboard", ApiFixture.Json);
        var stMarys = await admin.GetFromJsonAsync<DashboardData>($"/api/dashboard?school={Fixture.Schools["st-marys-ce"]}", ApiFixture.Json);
        using var foreign = await stMarysHead.GetAsync($"/api/dashboard?school={Fixture.Schools["fleming-primary"]}");

        // Assert: St Mary's adds one five-minute decision and one Grooming case
        both!.Decisions.Should().Be(5);
        both.Escalations.Single(e => e.Category == "Grooming").Cases.Should().Be(3);
        stMarys!.Decisions.Should().Be(1);
        stMarys.MedianMinutes.Should().BeApproximately(5, 0.001);
        stMarys.TotalBreaches.Should().Be(0);
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_moderator_may_not_see_the_dashboard()
    {
        using var moderator = await Fixture.As("moderator@fleming.example");
        using var response = await moderator.GetAsync("/api/dashboard");
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_dashboard_page_draws_each_chart_with_its_figures_as_a_table()
    {
        // Arrange
        await SeedAsync();
        await using var factory = Fixture.WithClock(new ManualTimeProvider(s_now)).WithRealCookieClock();
        using var client = await WebSignIn.SignedInAsync(factory, "head@fleming.example");

        // Act
        var html = await client.GetStringAsync("/dashboard");

        // Assert
        html.Should().Contain("<svg role=\"img\" aria-labelledby=\"states-t states-d\"");
        html.Should().Contain("id=\"decision-time-table\"").And.Contain("id=\"breaches-table\"").And.Contain("id=\"escalations-table\"");
        html.Should().Contain("<strong id=\"figure-decisions\">4</strong>");
        html.Should().Contain("<strong id=\"figure-median\">13 h</strong>");
        html.Should().Contain("<strong id=\"figure-breaches\">3</strong>");
        html.Should().Contain("<tr><th scope=\"row\">Grooming</th><td>2</td></tr>");
    }

    private static IReadOnlyDictionary<string, int> Day(DashboardData data, int day) =>
        data.StatesByDay.Single(d => d.Day == new DateOnly(2026, 11, day)).Counts;

    /// <summary>Writes the known data set; returns Fleming's item ids A to E.</summary>
    private async Task<List<Guid>> SeedAsync()
    {
        var fleming = Fixture.Schools["fleming-primary"];
        var stMarys = Fixture.Schools["st-marys-ce"];
        var moderator = await Fixture.UserIdAsync("moderator@fleming.example");
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var actor = Actor.System("dashboard-test");

        // A: arrives 28th 09:00, approved 29th 10:00 (25 h); due 28th 13:00 and still unanswered then: a breach.
        var a = Item(db, fleming, ItemState.Approved, At(11, 28, 9), At(11, 29, 10), moderator);
        await AuditLog.AppendAsync(db, fleming, actor, "screened", At(11, 28, 9), a.Id, "Screening", "AwaitingReview");
        Assignment(db, a, moderator, At(11, 28, 9), At(11, 28, 13), ended: null);
        await AuditLog.AppendAsync(db, fleming, actor, "approved", At(11, 29, 10), a.Id, "AwaitingReview", "Approved");

        // B: 29th 08:00, rejected 09:00 (60 min), due 12:00: no breach.
        var b = Item(db, fleming, ItemState.Rejected, At(11, 29, 8), At(11, 29, 9), moderator);
        await AuditLog.AppendAsync(db, fleming, actor, "screened", At(11, 29, 8), b.Id, "Screening", "AwaitingReview");
        Assignment(db, b, moderator, At(11, 29, 8), At(11, 29, 12), ended: null);
        await AuditLog.AppendAsync(db, fleming, actor, "rejected", At(11, 29, 9), b.Id, "AwaitingReview", "Rejected");

        // C: 29th 11:00, approved 11:30 (30 min); its first owner's 10 minutes ran out at 11:10 (a breach) and it
        // was handed on at 11:20 to someone who decided in time.
        var c = Item(db, fleming, ItemState.Approved, At(11, 29, 11), At(11, 29, 11, 30), moderator);
        await AuditLog.AppendAsync(db, fleming, actor, "screened", At(11, 29, 11), c.Id, "Screening", "AwaitingReview");
        Assignment(db, c, moderator, At(11, 29, 11), At(11, 29, 11, 10), ended: At(11, 29, 11, 20));
        Assignment(db, c, moderator, At(11, 29, 11, 20), At(11, 29, 13), ended: null);
        await AuditLog.AppendAsync(db, fleming, actor, "approved", At(11, 29, 11, 30), c.Id, "AwaitingReview", "Approved");

        // D: 30th 10:00, still awaiting review at noon, due 11:00: a breach. Its next due time tomorrow is not yet one.
        var d = Item(db, fleming, ItemState.AwaitingReview, At(11, 30, 10), null, moderator);
        await AuditLog.AppendAsync(db, fleming, actor, "screened", At(11, 30, 10), d.Id, "Screening", "AwaitingReview");
        Assignment(db, d, moderator, At(11, 30, 10), At(11, 30, 11), ended: null);

        // E: arrived in October (outside the states chart), decided on the 29th after 29 days.
        var e = Item(db, fleming, ItemState.Approved, At(10, 31, 12), At(11, 29, 12), moderator);
        await AuditLog.AppendAsync(db, fleming, actor, "approved", At(11, 29, 12), e.Id, "AwaitingReview", "Approved");

        // Cases: two Grooming and one Bullying in November, one Hate in October (outside the window).
        Case(db, fleming, "Grooming", At(11, 10, 9));
        Case(db, fleming, "Grooming", At(11, 29, 9));
        Case(db, fleming, "Bullying", At(11, 20, 9));
        Case(db, fleming, "Hate", At(10, 15, 9));

        // St Mary's: one decision in five minutes, one Grooming case; only its own staff and the trust see them.
        var stMarysModerator = await Fixture.UserIdAsync("moderator@stmarys.example");
        var s = Item(db, stMarys, ItemState.Approved, At(11, 29, 9), At(11, 29, 9, 5), stMarysModerator);
        await AuditLog.AppendAsync(db, stMarys, actor, "approved", At(11, 29, 9, 5), s.Id, "AwaitingReview", "Approved");
        Case(db, stMarys, "Grooming", At(11, 29, 9));

        await db.SaveChangesAsync();
        await tx.CommitAsync();
        return [a.Id, b.Id, c.Id, d.Id, e.Id];
    }

    private static ModerationItem Item(ModerationDbContext db, Guid school, ItemState state, DateTimeOffset received, DateTimeOffset? decided, Guid owner)
    {
        var item = new ModerationItem
        {
            Id = Guid.NewGuid(),
            SchoolId = school,
            Kind = ItemKind.InboundComment,
            State = state,
            Text = "Dashboard test item",
            RedactedText = "Dashboard test item",
            ScreeningComplete = true,
            ReceivedAt = received,
            UpdatedAt = decided ?? received,
            DecidedAt = decided,
            DecidedById = decided is null ? null : owner,
            // Owned, so the routing sweep leaves it alone (its due time is only in the assignments).
            AssignedToId = owner,
            AssignedAt = received,
        };
        db.Items.Add(item);
        return item;
    }

    private static void Assignment(ModerationDbContext db, ModerationItem item, Guid owner, DateTimeOffset assigned, DateTimeOffset due, DateTimeOffset? ended) =>
        db.ItemAssignments.Add(new ItemAssignment
        {
            Id = Guid.NewGuid(),
            ItemId = item.Id,
            SchoolId = item.SchoolId,
            UserId = owner,
            Reason = "Rota",
            AssignedAt = assigned,
            DueAt = due,
            EndedAt = ended,
            Explanation = "dashboard test",
        });

    private static void Case(ModerationDbContext db, Guid school, string category, DateTimeOffset raised) =>
        db.SafeguardingCases.Add(new SafeguardingCase
        {
            Id = Guid.NewGuid(),
            SchoolId = school,
            Category = category,
            Severity = CaseSeverity.Medium,
            Source = CaseSource.Raised,
            Summary = "dashboard test case",
            RaisedBy = "test",
            RaisedAt = raised,
            Status = CaseStatus.Acknowledged,
            AcknowledgedAt = raised,
        });
}
