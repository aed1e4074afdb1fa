using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>The leadership report for a period, as JSON and CSV.</summary>
public sealed class LeadershipReportTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    private static string Today(int offset = 0) => DateTime.UtcNow.AddDays(offset).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_report_counts_incidents_by_category_time_to_acknowledge_referrals_overdue_cases_and_rejections()
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);
        using var moderator = await Fixture.As(Moderator);
        var hate = await RaiseAsync(Dsl, new { category = "Hate", severity = "High", summary = "Racist slur" });
        var late = await RaiseAsync(Head, new { category = "Hate", severity = "Critical", summary = "Threatening slur" });
        await RaiseAsync(Head, new { category = "Bullying", severity = "Low", summary = "Mocking comment" });
        (await dsl.PostAsync($"/api/safeguarding/cases/{hate.Id}/acknowledge", null)).EnsureSuccessStatusCode();
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{hate.Id}/referrals", new { agency = "Police101", madeAt = DateTimeOffset.UtcNow })).EnsureSuccessStatusCode();

        var spam = await Fixture.IngestAndScreenAsync("fleming-primary", "Buy cheap watches now");
        (await moderator.PostAsJsonAsync($"/api/items/{spam}/reject", new { reason = "Spam" })).EnsureSuccessStatusCode();

        // The report is read an hour later on the API's clock, while the worker's sweep keeps real time and leaves the cases be.
        await using var later = Fixture.WithClock(new Moderation.Testing.ManualTimeProvider(DateTimeOffset.UtcNow.AddHours(1)));
        using var head = await ApiFixture.SignInAsync(later, Head);

        // Act
        var report = await head.GetFromJsonAsync<LeadershipReport>($"/api/schools/{Fleming}/safeguarding/report?from={Today(-1)}&to={Today(1)}", ApiFixture.Json);
        using var csvResponse = await head.GetAsync($"/api/schools/{Fleming}/safeguarding/report?from={Today(-1)}&to={Today(1)}&format=csv");
        var csv = await csvResponse.Content.ReadAsStringAsync();

        // Assert
        report!.CasesOpened.Should().Be(3);
        report.IncidentsByCategory.Should().BeEquivalentTo([new CategoryCount("Hate", 2, 1, 1, 0, 0), new CategoryCount("Bullying", 1, 0, 0, 0, 1)]);
        report.Acknowledgement.Acknowledged.Should().Be(1);
        report.Acknowledgement.WithinFirstLimit.Should().Be(1);
        report.Acknowledgement.MedianMinutes.Should().BeGreaterThanOrEqualTo(0);
        report.ReferralsMade.Should().ContainSingle().Which.Should().Be(new AgencyCount(ReferralAgency.Police101, 1));
        report.OpenPastTimeLimit.Should().ContainSingle().Which.CaseId.Should().Be(late.Id);
        report.OpenPastTimeLimit[0].MinutesOverdue.Should().BeInRange(25, 46, "a critical case is due within 15 minutes (30 out of hours)");
        report.RejectedItemsByReason.Should().ContainSingle().Which.Should().Be(new ReasonCount("Spam", 1));
        csvResponse.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        csv.Should().StartWith("section,name,value,detail\n");
        csv.Should().Contain("incidents by category,Hate,2,critical 1; high 1; medium 0; low 0\n");
        csv.Should().Contain("referrals made,Police101,1,\n");
        csv.Should().Contain($"open past time limit,{late.Id},");
        csv.Should().Contain("rejected items by reason,Spam,1,\n");
    }

    [Fact]
    public async Task A_case_about_the_headteacher_is_in_the_chairs_report_and_not_the_headteachers()
    {
        // Arrange
        await RaiseAsync(Dsl, new { category = "AllegationAgainstStaff", severity = "High", summary = "About the head", aboutHeadteacher = true });
        using var head = await Fixture.As(Head);
        using var chair = await Fixture.As(Chair);
        var url = $"/api/schools/{Fleming}/safeguarding/report?from={Today(-1)}&to={Today(1)}";

        // Act
        var byHead = await head.GetFromJsonAsync<LeadershipReport>(url, ApiFixture.Json);
        var byChair = await chair.GetFromJsonAsync<LeadershipReport>(url, ApiFixture.Json);

        // Assert
        byHead!.CasesOpened.Should().Be(0);
        byChair!.CasesOpened.Should().Be(1);
    }

    [Theory]
    [InlineData("from=2026-12-01", "to")]
    [InlineData("to=2026-12-01", "from")]
    [InlineData("from=2026-12-01&to=2026-11-01", "to")]
    [InlineData("from=2020-01-01&to=2026-11-01", "to")]
    [InlineData("from=2026-11-01&to=2026-12-01&format=xlsx", "format")]
    public async Task A_bad_period_or_format_gets_a_validation_problem(string query, string field)
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.GetAsync($"/api/schools/{Fleming}/safeguarding/report?{query}");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Should().ContainKey(field);
    }

    [Fact]
    public async Task A_date_that_is_not_a_date_gets_problem_details()
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.GetAsync($"/api/schools/{Fleming}/safeguarding/report?from=2026-13-45&to=2026-12-01");

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }
}
