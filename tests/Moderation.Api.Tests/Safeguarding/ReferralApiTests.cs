using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>Referral records (agency, when, who, reference, outcome) and the guidance shown for each agency.</summary>
public sealed class ReferralApiTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    [Fact]
    public async Task A_referral_is_recorded_with_its_reference_then_its_outcome_and_the_cases_flag_shows_it_made()
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "Grooming", severity = "Critical", summary = "Adult asked a pupil to meet" });
        using var dsl = await Fixture.As(Dsl);
        using var head = await Fixture.As(Head);
        var madeAt = DateTimeOffset.UtcNow.AddMinutes(-20);

        // Act
        using var made = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/referrals", new { agency = "Ceop", madeAt, reference = "CEOP-2026-001" });
        var referral = (await made.Content.ReadFromJsonAsync<ReferralDto>(ApiFixture.Json))!;
        using var updated = await head.PutAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/referrals/{referral.Id}", new { outcome = "CEOP passed it to the local police; crime ref 44/1234" });
        var list = await head.GetFromJsonAsync<List<ReferralDto>>($"/api/safeguarding/cases/{raised.Id}/referrals", ApiFixture.Json);
        var after = await head.GetFromJsonAsync<CaseDto>($"/api/safeguarding/cases/{raised.Id}", ApiFixture.Json);

        // Assert
        made.StatusCode.Should().Be(HttpStatusCode.Created);
        referral.Agency.Should().Be(ReferralAgency.Ceop);
        referral.MadeBy.Should().Be("Mr David Lowe (DSL)");
        referral.MadeAt.Should().BeCloseTo(madeAt, TimeSpan.FromMilliseconds(1));
        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        list.Should().ContainSingle().Which.Should().Match<ReferralDto>(r =>
            r.Reference == "CEOP-2026-001" && r.Outcome!.StartsWith("CEOP passed") && r.OutcomeAt != null);
        after!.SuggestedReferrals.Should().ContainEquivalentOf(new SuggestedReferralDto(ReferralAgency.Ceop, true));
        after.SuggestedReferrals.Should().ContainEquivalentOf(new SuggestedReferralDto(ReferralAgency.Platform, false));
        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.Action == "case-referral-recorded" || a.Action == "case-referral-updated")).Should().Be(2);
    }

    public static TheoryData<string, string> BadReferrals => new()
    {
        { """{"madeAt":"2026-12-01T04:00:00+00:00"}""", "agency" },
        { """{"agency":"Ceop"}""", "madeAt" },
        { """{"agency":"Ceop","madeAt":"2026-12-01T04:00:00+00:00","reference":"REFERENCE-THAT-IS-FAR-TOO-LONG-REFERENCE-THAT-IS-FAR-TOO-LONG-REFERENCE-THAT-IS-FAR-TOO-LONG-REFERENCE-THAT-IS-FAR-TOO-LONG"}""", "reference" },
    };

    [Theory]
    [MemberData(nameof(BadReferrals))]
    public async Task A_bad_referral_gets_a_validation_problem_and_stores_nothing(string json, string field)
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "Hate", severity = "High", summary = "x" });
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/referrals", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorsAsync(response)).Should().ContainKey(field);
        (await RowCountAsync("safeguarding_referrals")).Should().Be(0);
    }

    [Theory]
    [InlineData("""{"agency":"Carrier pigeon","madeAt":"2026-12-01T04:00:00+00:00"}""")]
    [InlineData("""{"agency":"Ceop","madeAt":"2099-01-01T00:00:00+00:00"}""")]
    public async Task An_unknown_agency_or_a_referral_made_in_the_future_is_refused_and_stores_nothing(string json)
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "Hate", severity = "High", summary = "x" });
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/referrals", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await RowCountAsync("safeguarding_referrals")).Should().Be(0);
    }

    [Fact]
    public async Task Updating_a_referral_of_another_case_is_404_and_an_empty_update_is_refused()
    {
        // Arrange
        var first = await RaiseAsync(Dsl, new { category = "Hate", severity = "High", summary = "one" });
        var second = await RaiseAsync(Dsl, new { category = "Hate", severity = "High", summary = "two" });
        using var dsl = await Fixture.As(Dsl);
        using var made = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{first.Id}/referrals", new { agency = "Police101", madeAt = DateTimeOffset.UtcNow });
        var referral = (await made.Content.ReadFromJsonAsync<ReferralDto>(ApiFixture.Json))!;

        // Act
        using var wrongCase = await dsl.PutAsJsonAsync($"/api/safeguarding/cases/{second.Id}/referrals/{referral.Id}", new { reference = "101-1" });
        using var empty = await dsl.PutAsJsonAsync($"/api/safeguarding/cases/{first.Id}/referrals/{referral.Id}", new { });

        // Assert
        wrongCase.StatusCode.Should().Be(HttpStatusCode.NotFound);
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Guidance_covers_every_agency_with_when_to_use_it_and_what_to_have_ready()
    {
        // Arrange
        using var moderator = await Fixture.As(Moderator);

        // Act
        var guidance = await moderator.GetFromJsonAsync<List<AgencyGuidance>>("/api/safeguarding/referral-guidance", ApiFixture.Json);

        // Assert
        guidance!.Select(g => g.Agency).Should().BeEquivalentTo(Enum.GetValues<ReferralAgency>());
        guidance.Should().OnlyContain(g => g.WhenToUse.Length > 20 && g.HaveReady.Count > 0 && g.HowToReach.Length > 0);
        guidance!.Single(g => g.Agency == ReferralAgency.Iwf).WhenToUse.Should().Contain("never download");
        guidance!.Single(g => g.Agency == ReferralAgency.Police999).WhenToUse.Should().Contain("Immediate risk");
    }
}
