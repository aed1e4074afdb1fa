using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>The case team sets what a case is: category, severity, and whether it is about the headteacher.</summary>
public sealed class ClassificationTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    [Fact]
    public async Task The_DSL_classifies_an_escalated_case_and_it_is_audited()
    {
        // Arrange
        var raised = await RaiseAsync(Head, new { category = "Unclassified", severity = "Medium", summary = "Odd message to a pupil" });
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PutAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/classification", new { category = "Grooming", severity = "Critical" });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var c = (await response.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!;
        c.Category.Should().Be(CaseCategories.Grooming);
        c.Severity.Should().Be(CaseSeverity.Critical);
        c.SuggestedReferrals.Select(r => r.Agency).Should().Contain(ReferralAgency.Ceop);
        await using var db = Fixture.Db();
        (await db.AuditEntries.SingleAsync(a => a.Action == "case-classified")).Detail.Should().Contain("Unclassified (Medium) now Grooming (Critical)");
    }

    [Fact]
    public async Task A_case_found_to_be_suspected_child_abuse_material_has_its_stored_media_wiped_keeping_the_hash_and_its_export_still_verifies()
    {
        // Arrange
        var image = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9, 9, 7, 7, 7 };
        var raised = await RaiseAsync(Dsl, new
        {
            category = "Unclassified", severity = "High", summary = "Image reply",
            files = new[] { new { fileName = "reply.png", contentType = "image/png", contentBase64 = Convert.ToBase64String(image) } },
        });
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var classified = await dsl.PutAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/classification", new { category = "ChildSexualAbuse", severity = "Critical" });
        var after = (await classified.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!;
        using var export = await dsl.GetAsync($"/api/safeguarding/cases/{raised.Id}/evidence/export");
        var zip = await export.Content.ReadAsByteArrayAsync();
        using var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var verified = await dsl.PostAsync("/api/safeguarding/evidence/verify", content);
        var check = (await verified.Content.ReadFromJsonAsync<BundleCheckResponse>(ApiFixture.Json))!;

        // Assert
        classified.StatusCode.Should().Be(HttpStatusCode.OK);
        after.EvidenceSha256.Should().NotBe(raised.EvidenceSha256);
        await using var db = Fixture.Db();
        var part = await db.EvidenceParts.AsNoTracking().SingleAsync(p => p.CaseId == raised.Id && p.Kind == EvidenceKind.Media);
        part.Content.Should().BeNull();
        part.Withheld.Should().BeTrue();
        part.Sha256.Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(image)));
        (await db.AuditEntries.SingleAsync(a => a.Action == "case-classified")).Detail.Should().Contain(raised.EvidenceSha256!).And.Contain(after.EvidenceSha256!);
        using var archive = new ZipArchive(new MemoryStream(zip));
        archive.Entries.Should().NotContain(e => e.FullName.StartsWith("evidence/media/"));
        check.Valid.Should().BeTrue(string.Join("; ", check.Problems));
        check.MatchesRecord.Should().BeTrue();
    }

    [Fact]
    public async Task A_case_marked_as_about_the_headteacher_goes_to_the_chair_and_out_of_the_headteachers_sight()
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "AllegationAgainstStaff", severity = "High", summary = "A parent's allegation" });
        using var dsl = await Fixture.As(Dsl);
        using var head = await Fixture.As(Head);

        // Act
        var before = await head.GetAsync($"/api/safeguarding/cases/{raised.Id}");
        using var marked = await dsl.PutAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/classification", new { category = "AllegationAgainstStaff", severity = "High", aboutHeadteacher = true });
        using var after = await head.GetAsync($"/api/safeguarding/cases/{raised.Id}");

        // Assert
        raised.OwnerId.Should().Be(await UserIdAsync(Head));
        before.StatusCode.Should().Be(HttpStatusCode.OK);
        (await marked.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!.OwnerId.Should().Be(await UserIdAsync(Chair));
        after.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = Fixture.Db();
        var chair = await UserIdAsync(Chair);
        (await db.Notifications.AnyAsync(n => n.RecipientId == chair && n.Title.StartsWith("Safeguarding case passed to you"))).Should().BeTrue();
    }

    [Theory]
    [InlineData(Dsl, """{"category":"Gossip","severity":"High"}""")]
    [InlineData(Dsl, """{"category":"Hate"}""")]
    [InlineData(Head, """{"category":"Hate","severity":"High","aboutHeadteacher":true}""")]
    public async Task A_bad_classification_is_refused_and_changes_nothing(string email, string json)
    {
        // Arrange
        var raised = await RaiseAsync(Dsl, new { category = "Bullying", severity = "Low", summary = "x" });
        using var client = await Fixture.As(email);

        // Act
        using var response = await client.PutAsync($"/api/safeguarding/cases/{raised.Id}/classification", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await using var db = Fixture.Db();
        var c = await db.SafeguardingCases.AsNoTracking().SingleAsync();
        (c.Category, c.Severity, c.AboutHeadteacher).Should().Be((CaseCategories.Bullying, CaseSeverity.Low, false));
    }
}
