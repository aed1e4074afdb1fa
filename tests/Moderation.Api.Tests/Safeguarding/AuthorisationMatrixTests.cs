using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>
/// Every safeguarding endpoint against every role: who may use it, and that everyone else gets 404 on a case (they do
/// not learn it exists) or 403 on a school-wide list, changes nothing and reads nothing of it.
/// </summary>
public sealed class AuthorisationMatrixTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    private const string Secret = "Confidential: the child disclosed at 10:05 to Mrs Carter";
    private const string OtherSchoolDsl = "dsl@stmarys.example";

    private static readonly string[] s_caseTeam = [Dsl, Deputy, Head];
    private static readonly string[] s_headCaseTeam = [Dsl, Deputy, Chair];

    /// <summary>(method, url template, JSON body or null); {case}, {referral} and {part} are filled in per call.</summary>
    public static readonly (string Method, string Url, string? Body)[] CaseEndpoints =
    [
        ("GET", "/api/safeguarding/cases/{case}", null),
        ("GET", "/api/safeguarding/cases/{case}/history", null),
        ("POST", "/api/safeguarding/cases/{case}/acknowledge", null),
        ("PUT", "/api/safeguarding/cases/{case}/classification", """{"category":"Hate","severity":"High"}"""),
        ("GET", "/api/safeguarding/cases/{case}/notes", null),
        ("POST", "/api/safeguarding/cases/{case}/notes", """{"text":"Spoke to the class teacher"}"""),
        ("GET", "/api/safeguarding/cases/{case}/referrals", null),
        ("POST", "/api/safeguarding/cases/{case}/referrals", """{"agency":"Ceop","madeAt":"2026-12-01T04:00:00+00:00","reference":"CEOP-1"}"""),
        ("PUT", "/api/safeguarding/cases/{case}/referrals/{referral}", """{"outcome":"Passed to the local force"}"""),
        ("POST", "/api/safeguarding/cases/{case}/legal-hold", """{"reason":"Police request"}"""),
        ("POST", "/api/safeguarding/cases/{case}/legal-hold/release", """{"reason":"Police done"}"""),
        ("POST", "/api/safeguarding/cases/{case}/closure", """{"outcome":"Resolved"}"""),
        ("POST", "/api/safeguarding/cases/{case}/closure/sign-off", null),
        ("POST", "/api/safeguarding/cases/{case}/closure/withdraw", null),
        ("GET", "/api/safeguarding/cases/{case}/evidence", null),
        ("GET", "/api/safeguarding/cases/{case}/evidence/parts/{part}", null),
        ("GET", "/api/safeguarding/cases/{case}/evidence/export", null),
    ];

    /// <summary>(method, url template under the school, JSON body or null, the roles allowed); {school} is filled in.</summary>
    public static readonly (string Method, string Url, string? Body, string[] Allowed)[] SchoolEndpoints =
    [
        ("GET", "/api/schools/{school}/safeguarding/cases", null, [Dsl, Deputy, Head, Chair]),
        ("POST", "/api/schools/{school}/safeguarding/cases", """{"category":"Hate","severity":"High","summary":"Slur in a comment"}""", [Dsl, Deputy, Head]),
        ("GET", "/api/schools/{school}/safeguarding/settings", null, [Dsl, Deputy, Head]),
        ("GET", "/api/schools/{school}/safeguarding/report?from=2026-11-01&to=2026-12-31", null, [Dsl, Deputy, Head, Chair]),
        ("GET", "/api/schools/{school}/safeguarding/report?from=2026-11-01&to=2026-12-31&format=csv", null, [Dsl, Deputy, Head, Chair]),
        ("GET", "/api/schools/{school}/safeguarding/retention/purges", null, [Dsl, Deputy, Head, Chair]),
        ("PUT", "/api/schools/{school}/safeguarding/settings", """{"criticalAcknowledgeMinutes":15,"highAcknowledgeMinutes":30,"mediumAcknowledgeMinutes":120,"lowAcknowledgeMinutes":480,"outOfHours":{"acknowledgeMinutes":30,"onCall":[]},"retention":[]}""", [Dsl, Head]),
    ];

    private async Task<(CaseDto Case, Guid Referral, Guid Part)> CaseWithNoteAsync(bool aboutHeadteacher)
    {
        var raised = await RaiseAsync(Dsl, new
        {
            category = "AllegationAgainstStaff", severity = "High", summary = "Matrix case", aboutHeadteacher, payload = """{"id":"1"}""",
        });
        using var dsl = await Fixture.As(Dsl);
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/notes", new { text = Secret })).EnsureSuccessStatusCode();
        using var referral = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/referrals", new { agency = "Lado", madeAt = DateTimeOffset.UtcNow });
        referral.EnsureSuccessStatusCode();
        await using var db = Fixture.Db();
        var part = await db.EvidenceParts.Where(p => p.CaseId == raised.Id).OrderBy(p => p.Position).Select(p => p.Id).FirstAsync();
        return (raised, (await referral.Content.ReadFromJsonAsync<ReferralDto>(ApiFixture.Json))!.Id, part);
    }

    private async Task<HttpResponseMessage> CallAsync(string email, string method, string url, string? body)
    {
        using var client = await Fixture.As(email);
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        return await client.SendAsync(request);
    }

    private async Task<int> AuditCountAsync()
    {
        await using var db = Fixture.Db();
        return await db.AuditEntries.CountAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_case_endpoint_answers_its_team_and_gives_everyone_else_404_changing_and_revealing_nothing(bool aboutHeadteacher)
    {
        var team = aboutHeadteacher ? s_headCaseTeam : s_caseTeam;
        var failures = new List<string>();
        foreach (var (method, template, body) in CaseEndpoints)
        {
            foreach (var email in Everyone)
            {
                // Arrange: a fresh case for every call, so one role's change cannot hide another's.
                var (c, referral, part) = await CaseWithNoteAsync(aboutHeadteacher);
                var url = template.Replace("{case}", c.Id.ToString()).Replace("{referral}", referral.ToString()).Replace("{part}", part.ToString());
                var auditBefore = await AuditCountAsync();

                // Act
                using var response = await CallAsync(email, method, url, body);

                // Assert
                var status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync();
                if (team.Contains(email))
                {
                    if (status is 401 or 403 or 404 or >= 500)
                    {
                        failures.Add($"{email} {method} {template}: {status}, expected to be let in");
                    }
                }
                else if (status != 404 || text.Contains(Secret) || text.Contains("Matrix case") || await AuditCountAsync() != auditBefore)
                {
                    failures.Add($"{email} {method} {template}: {status}, expected a 404 that changes and reveals nothing");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Every_school_safeguarding_endpoint_answers_the_roles_allowed_403_to_other_roles_and_404_to_another_school()
    {
        var failures = new List<string>();
        foreach (var (method, template, body, allowed) in SchoolEndpoints)
        {
            foreach (var email in Everyone)
            {
                // Arrange
                await Fixture.ResetAsync();
                var url = template.Replace("{school}", Fleming.ToString());

                // Act
                using var response = await CallAsync(email, method, url, body);

                // Assert
                var status = (int)response.StatusCode;
                var expected = email == OtherSchoolDsl ? "404" : allowed.Contains(email) ? "2xx" : "403";
                var ok = expected == "2xx" ? status is >= 200 and < 300 : status.ToString(System.Globalization.CultureInfo.InvariantCulture) == expected;
                if (!ok)
                {
                    failures.Add($"{email} {method} {template}: {status}, expected {expected}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Referral_guidance_is_served_to_every_signed_in_role_and_to_nobody_anonymous()
    {
        foreach (var email in Everyone)
        {
            // Act
            using var response = await CallAsync(email, "GET", "/api/safeguarding/referral-guidance", null);

            // Assert
            response.StatusCode.Should().Be(HttpStatusCode.OK, email);
        }

        using var anonymous = Fixture.Anonymous();
        (await anonymous.GetAsync("/api/safeguarding/referral-guidance")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await anonymous.GetAsync($"/api/safeguarding/cases/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Notes_are_read_by_the_DSL_and_headteacher_and_stay_out_of_the_case_the_audit_chain_and_notifications()
    {
        // Arrange
        var (c, _, _) = await CaseWithNoteAsync(aboutHeadteacher: false);
        using var head = await Fixture.As(Head);

        // Act
        var notes = await head.GetFromJsonAsync<List<NoteDto>>($"/api/safeguarding/cases/{c.Id}/notes", ApiFixture.Json);
        var caseText = await head.GetStringAsync($"/api/safeguarding/cases/{c.Id}");

        // Assert
        notes.Should().ContainSingle().Which.Text.Should().Be(Secret);
        notes![0].Author.Should().Be("Mr David Lowe (DSL)");
        caseText.Should().NotContain(Secret);
        await using var db = Fixture.Db();
        (await db.AuditEntries.AnyAsync(a => a.Detail != null && a.Detail.Contains("disclosed"))).Should().BeFalse();
        (await db.Notifications.AnyAsync(n => n.Body.Contains("disclosed") || n.Title.Contains("disclosed"))).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"text":""}""")]
    [InlineData("""{}""")]
    public async Task An_empty_note_is_refused_and_stores_nothing(string json)
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "Bullying", severity = "Low", summary = "x" });
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/notes", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await RowCountAsync("safeguarding_notes")).Should().Be(0);
    }

    [Fact]
    public async Task Every_role_may_check_a_bundle_but_only_the_case_team_learns_whether_it_matches_the_record()
    {
        // Arrange
        var (c, _, _) = await CaseWithNoteAsync(aboutHeadteacher: false);
        using var dsl = await Fixture.As(Dsl);
        var zip = await dsl.GetByteArrayAsync($"/api/safeguarding/cases/{c.Id}/evidence/export");
        var failures = new List<string>();

        foreach (var email in Everyone)
        {
            // Act
            using var client = await Fixture.As(email);
            using var content = new ByteArrayContent(zip);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");
            using var response = await client.PostAsync("/api/safeguarding/evidence/verify", content);
            var check = await response.Content.ReadFromJsonAsync<BundleCheckResponse>(ApiFixture.Json);

            // Assert
            bool? expected = s_caseTeam.Contains(email) ? true : null;
            if (response.StatusCode != HttpStatusCode.OK || check!.MatchesRecord != expected || !check.Valid)
            {
                failures.Add($"{email}: {(int)response.StatusCode}, matchesRecord {check?.MatchesRecord}, expected {expected}");
            }
        }

        failures.Should().BeEmpty();
    }
}
