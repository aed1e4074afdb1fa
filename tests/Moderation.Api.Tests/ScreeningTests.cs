using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Queue;
using Moderation.Contracts;
using Moderation.Domain.Items;
using Moderation.Domain.Screening;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>Screening in the pipeline and through the API, on the demo schools' rosters (seeds/demo.json).</summary>
public sealed class ScreeningTests(ApiFixture fixture) : ApiTest(fixture)
{
    private Guid Fleming => Fixture.Schools["fleming-primary"];

    private Guid StMarys => Fixture.Schools["st-marys-ce"];

    [Fact]
    public async Task A_pupils_full_name_is_redacted_to_the_first_name_and_reviewers_see_only_the_redacted_text()
    {
        // Arrange: Fleming's policy is FirstNameOnly.
        using var moderator = await Fixture.As("moderator@fleming.example");

        // Act
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Well done Olivia Smith for the reading award!");
        var detail = await moderator.GetFromJsonAsync<ItemDetail>($"/api/items/{id}", ApiFixture.Json);
        var queue = await moderator.GetStringAsync("/api/items?state=AwaitingReview");

        // Assert
        detail!.Text.Should().Be("Well done Olivia for the reading award!");
        detail.TextRedacted.Should().BeTrue();
        var span = detail.Redactions.Should().ContainSingle().Subject;
        detail.Text.Substring(span.Offset, span.Length).Should().Be("Olivia");
        span.Replacement.Should().Be("Olivia");
        detail.ScreeningComplete.Should().BeTrue();
        JsonSerializer.Serialize(detail, ApiFixture.Json).Should().NotContain("Smith");
        queue.Should().NotContain("Smith");
    }

    [Fact]
    public async Task The_sealed_original_is_shown_only_to_the_roles_allowed_with_a_reason_and_each_reveal_is_audited()
    {
        // Arrange: St Mary's policy is NoNames.
        var id = await Fixture.IngestAndScreenAsync("st-marys-ce", "Millie Hughes was brilliant in the nativity");
        using var moderator = await Fixture.As("moderator@stmarys.example");
        using var head = await Fixture.As("head@stmarys.example");

        // Act
        var detail = await moderator.GetFromJsonAsync<ItemDetail>($"/api/items/{id}", ApiFixture.Json);
        using var byModerator = await moderator.PostAsJsonAsync($"/api/items/{id}/original", new { reason = "curious" });
        using var withoutReason = await head.PostAsJsonAsync($"/api/items/{id}/original", new { reason = " " });
        using var byHead = await head.PostAsJsonAsync($"/api/items/{id}/original", new { reason = "Parent complaint about the post" });

        // Assert
        detail!.Text.Should().Be("[pupil] was brilliant in the nativity");
        byModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        withoutReason.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        byHead.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byHead.Content.ReadFromJsonAsync<OriginalText>(ApiFixture.Json))!.Text.Should().Be("Millie Hughes was brilliant in the nativity");
        await using var db = Fixture.Db();
        var reveals = await db.AuditEntries.Where(a => a.ItemId == id && a.Action == "original-revealed").ToListAsync();
        reveals.Should().ContainSingle().Which.Detail.Should().Be("Parent complaint about the post");
    }

    [Fact]
    public async Task Approving_a_blog_comment_without_an_edit_publishes_the_redacted_text_never_the_original()
    {
        // Arrange: the blog lets the school rewrite a visitor's comment as it approves it.
        var id = await Fixture.IngestAndScreenAsync("st-marys-ce", "Harry O'Brien scored twice today", "st-marys-blog");
        using var moderator = await Fixture.As("moderator@stmarys.example");
        var detail = await moderator.GetFromJsonAsync<ItemDetail>($"/api/items/{id}", ApiFixture.Json);

        // Act
        using var approve = await moderator.PostAsJsonAsync($"/api/items/{id}/approve", new { version = detail!.Version });

        // Assert
        approve.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == id)).ApprovedText.Should().Be("[pupil] scored twice today");
    }

    [Fact]
    public async Task A_facebook_comment_naming_a_pupil_in_full_cannot_be_approved_because_facebook_would_show_it_as_written()
    {
        // Arrange
        var id = await Fixture.IngestAndScreenAsync("st-marys-ce", "Harry O'Brien scored twice today", "@StMarysCEPrimary");
        using var moderator = await Fixture.As("moderator@stmarys.example");
        var detail = await moderator.GetFromJsonAsync<ItemDetail>($"/api/items/{id}", ApiFixture.Json);

        // Act
        using var approve = await moderator.PostAsJsonAsync($"/api/items/{id}/approve", new { version = detail!.Version });
        using var edited = await moderator.PostAsJsonAsync($"/api/items/{id}/approve", new { text = "Well done today", version = detail.Version });

        // Assert
        detail.OnPlatform.TextEditable.Should().BeFalse();
        approve.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await approve.Content.ReadAsStringAsync()).Should().Contain("names a pupil in full").And.Contain("PupilIdentifiable");
        edited.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await edited.Content.ReadAsStringAsync()).Should().Contain("does not let the school edit");
        await using var db = Fixture.Db();
        var item = await db.Items.SingleAsync(i => i.Id == id);
        item.State.Should().Be(Domain.Items.ItemState.AwaitingReview);
        item.Version.Should().Be(detail.Version, "nothing was written");
    }

    [Fact]
    public async Task A_grooming_approach_raises_a_safeguarding_concern_with_the_category_and_rule()
    {
        // Act
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "hey, this is our little secret ok? meet me at the park after school");

        // Assert
        await using var db = Fixture.Db();
        var findings = await db.ScreeningFindings.Where(f => f.ItemId == id).ToListAsync();
        findings.Should().Contain(f => f.Category == "Grooming" && f.Rule == "groom-secret");
        var concerns = await db.Outbox.Where(o => o.Type.Contains(nameof(SafeguardingConcernRaised))).ToListAsync();
        concerns.Should().ContainSingle("one concern per category, however many hits")
            .Which.Payload.Should().Contain("\"category\": \"Grooming\"").And.Contain(id.ToString());
        (await db.AuditEntries.CountAsync(a => a.ItemId == id && a.Action == "safeguarding-concern-raised")).Should().Be(1);
    }

    [Fact]
    public async Task An_allegation_naming_a_member_of_staff_by_title_and_surname_is_found_from_the_staff_list()
    {
        // Act: "Mr Lowe" is the DSL, "Mr David Lowe (DSL)" in the staff list.
        var id = await Fixture.IngestAndScreenAsync("fleming-primary", "Mr Lowe grabbed my son by the arm at pick up");

        // Assert
        await using var db = Fixture.Db();
        var findings = await db.ScreeningFindings.Where(f => f.ItemId == id).ToListAsync();
        findings.Should().Contain(f => f.Category == "AllegationAgainstStaff" && f.Severity == FindingSeverity.Severe);
    }

    [Fact]
    public async Task A_draft_photo_tagged_with_a_pupil_whose_parents_objected_is_blocked_and_the_location_is_flagged_and_stripped()
    {
        // Arrange: Zoë Núñez-Taylor (MIS 1002) is objected for social media; the photo has GPS.
        var photo = ExifTool.Tag(
            ExifTool.BaseJpeg,
            "-XMP-iptcExt:PersonInImageWDetails={PersonId=[urn:mis:1002],PersonName=Zoe Nunez-Taylor}",
            "-GPSLatitude=51.5072", "-GPSLatitudeRef=N", "-GPSLongitude=0.1276", "-GPSLongitudeRef=W");
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await FacebookAccountAsync(Fleming);

        // Act
        using var submit = await LifecycleTests.SubmitDraftAsync(author, Fleming, "Sports day!", accounts, ("sports.jpg", photo));
        var id = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Fixture.WaitForStateAsync(id, ItemState.AwaitingReview);
        using var moderator = await Fixture.As("moderator@fleming.example");
        var detail = await moderator.GetFromJsonAsync<ItemDetail>($"/api/items/{id}", ApiFixture.Json);

        // Assert
        detail!.PhotoVerdict.Should().Be("blocked");
        var media = detail.Media.Should().ContainSingle().Subject;
        media.Verdict.Should().Be("blocked");
        media.People.Should().ContainSingle(p => p.Verdict == "objected" && p.PersonId == "urn:mis:1002");
        media.LocationFlags.Should().Contain("GPS");
        media.HasPublishableCopy.Should().BeTrue();
        // Exactly one: screening reads the item's photos once, with the item and its school's screening version.
        var consent = detail.Findings.Where(f => f.Category == ScreeningEngine.PhotoConsentCategory).Should().ContainSingle().Subject;
        consent.MediaId.Should().Be(media.Id);
        consent.Severity.Should().Be(FindingSeverity.Severe);
        await using var db = Fixture.Db();
        var stored = await db.ItemMedia.SingleAsync(m => m.ItemId == id);
        Domain.Screening.Photos.PhotoSanitiser.Verify(stored.PublishableContent!).Should().BeEmpty("the published copy carries no location or people");
    }

    [Fact]
    public async Task A_corrupt_photo_never_clears_an_item_it_goes_to_review_marked_screening_incomplete()
    {
        // Arrange: a JPEG cut off after its first bytes.
        var whole = await File.ReadAllBytesAsync(ExifTool.BaseJpeg);
        var truncated = whole[..Math.Min(40, whole.Length)];
        using var author = await Fixture.As("author@fleming.example");

        // Act
        using var submit = await LifecycleTests.SubmitDraftAsync(author, Fleming, "Our new library", await FacebookAccountAsync(Fleming), ("library.jpg", truncated));
        submit.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var item = await Fixture.WaitForStateAsync(id, ItemState.AwaitingReview);

        // Assert
        item.ScreeningComplete.Should().BeFalse();
        item.ScreeningNote.Should().StartWith("Screening incomplete").And.Contain("library.jpg");
        item.PhotoVerdict.Should().Be("needs-confirmation");
    }

    [Fact]
    public async Task Preview_returns_the_redacted_text_the_people_with_their_verdicts_and_the_risk_hits_and_stores_nothing()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        var photo = ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Olivia Smith");
        var request = new
        {
            text = "Olivia Smith read to the class. Call 07700 900123 for tickets",
            channels = new[] { "SocialMedia" },
            photos = new[] { new { fileName = "reading.jpg", contentBase64 = Convert.ToBase64String(photo) } },
        };

        // Act
        using var response = await author.PostAsJsonAsync($"/api/schools/{Fleming}/screening/preview", request);
        var result = await response.Content.ReadFromJsonAsync<PreviewResult>(ApiFixture.Json);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        result!.RedactedText.Should().Be("Olivia read to the class. Call 07700 900123 for tickets");
        result.Redactions.Should().ContainSingle().Which.Should().Match<PreviewRedaction>(r => r.Offset == 0 && r.Length == 12 && r.Replacement == "Olivia");
        result.Findings.Should().Contain(f => f.Category == "PersonalData" && f.Rule == "uk-phone");
        var screened = result.Photos.Should().ContainSingle().Subject;
        screened.Verdict.Should().Be("clear");
        screened.People.Should().Contain(p => p.Name == "Olivia Smith" && p.Verdict == "allowed");
        result.Complete.Should().BeTrue();
        result.Classifier.Status.Should().Be("NotConfigured");
        await using var db = Fixture.Db();
        (await db.Items.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Preview_takes_multipart_form_data_with_photo_files_too()
    {
        // Arrange
        using var admin = await Fixture.As("webadmin@stmarys.example");
        var photo = ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Harry O'Brien");
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Year 5 football"), "text" },
            { new StringContent("SocialMedia"), "channel" },
            { new ByteArrayContent(photo), "photos", "football.jpg" },
        };

        // Act
        using var response = await admin.PostAsync($"/api/schools/{StMarys}/screening/preview", form);
        var result = await response.Content.ReadFromJsonAsync<PreviewResult>(ApiFixture.Json);

        // Assert: Harry's consent is restricted to group photos.
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var person = result!.Photos.Should().ContainSingle().Subject.People.Should().ContainSingle(p => p.Name == "Harry O'Brien").Subject;
        person.Verdict.Should().Be("restricted");
        person.Restriction.Should().Be("group photos only");
    }

    [Theory]
    [InlineData("{\"text\":\"   \"}", "Send some text")]
    [InlineData("{\"text\":\"hello\",\"channels\":[\"Telepathy\"]}", "\\\"Telepathy\\\" is not a channel")]
    [InlineData("{\"text\":\"hello\",\"channels\":[\"7\"]}", "is not a channel")]
    [InlineData("{\"text\":\"hello\",\"photos\":[{\"fileName\":\"a.jpg\",\"contentBase64\":\"***\"}]}", "not valid base64")]
    [InlineData("{\"text\":", "not valid JSON")]
    public async Task Bad_preview_requests_get_a_problem_naming_what_is_wrong(string body, string expected)
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        // Act
        using var response = await author.PostAsync($"/api/schools/{Fleming}/screening/preview", content);

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
    }

    [Fact]
    public async Task Preview_refuses_other_schools_and_other_media_types()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        using var text = new StringContent("hello", System.Text.Encoding.UTF8, "text/plain");

        // Act
        using var otherSchool = await author.PostAsJsonAsync($"/api/schools/{StMarys}/screening/preview", new { text = "hello" });
        using var plain = await author.PostAsync($"/api/schools/{Fleming}/screening/preview", text);
        using var anonymous = Fixture.Anonymous();
        using var signedOut = await anonymous.PostAsJsonAsync($"/api/schools/{Fleming}/screening/preview", new { text = "hello" });

        // Assert
        otherSchool.StatusCode.Should().Be(HttpStatusCode.NotFound);
        plain.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        signedOut.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_schools_own_banned_word_blocks_for_that_school_only_until_it_is_removed()
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        const string text = "See you at the conker championship";

        // Act
        using var added = await admin.PostAsJsonAsync($"/api/schools/{Fleming}/screening/terms", new { term = "conker", mode = "block" });
        var term = await added.Content.ReadFromJsonAsync<Screening.ScreeningTermDto>(ApiFixture.Json);
        var atFleming = await PreviewAsync(admin, Fleming, text);
        var atStMarys = await PreviewAsync(admin, StMarys, text);
        using var removed = await admin.DeleteAsync($"/api/schools/{Fleming}/screening/terms/{term!.Id}");
        var afterRemoval = await PreviewAsync(admin, Fleming, text);

        // Assert
        added.StatusCode.Should().Be(HttpStatusCode.Created);
        atFleming.Findings.Should().ContainSingle(f => f.Category == "SchoolTerm").Which.Severity.Should().Be("Severe");
        atStMarys.Findings.Should().NotContain(f => f.Category == "SchoolTerm");
        removed.StatusCode.Should().Be(HttpStatusCode.NoContent);
        afterRemoval.Findings.Should().NotContain(f => f.Category == "SchoolTerm");
        await using var db = Fixture.Db();
        (await db.AuditEntries.CountAsync(a => a.Action == "screening-term-added" || a.Action == "screening-term-removed")).Should().Be(2);
    }

    [Theory]
    [InlineData("conker", "shout", HttpStatusCode.BadRequest, "block")]
    [InlineData("!!!", "flag", HttpStatusCode.BadRequest, "no letters")]
    [InlineData("", "flag", HttpStatusCode.BadRequest, "1 to 100")]
    public async Task Bad_screening_words_are_refused_with_a_problem_and_nothing_is_added(string term, string mode, HttpStatusCode status, string expected)
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        using var response = await admin.PostAsJsonAsync($"/api/schools/{Fleming}/screening/terms", new { term, mode });

        // Assert
        response.StatusCode.Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().Contain(expected);
        await using var db = Fixture.Db();
        (await db.SchoolScreeningTerms.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_duplicate_screening_word_conflicts_and_only_administrators_may_change_the_list()
    {
        // Arrange
        using var admin = await Fixture.As("admin@riverside.example");
        using var moderator = await Fixture.As("moderator@fleming.example");
        using var first = await admin.PostAsJsonAsync($"/api/schools/{Fleming}/screening/terms", new { term = "Conker", mode = "flag" });

        // Act
        using var duplicate = await admin.PostAsJsonAsync($"/api/schools/{Fleming}/screening/terms", new { term = "conker", mode = "block" });
        using var byModerator = await moderator.PostAsJsonAsync($"/api/schools/{Fleming}/screening/terms", new { term = "hedgehog", mode = "flag" });
        var list = await admin.GetFromJsonAsync<List<Screening.ScreeningTermDto>>($"/api/schools/{Fleming}/screening/terms", ApiFixture.Json);

        // Assert
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        byModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        list.Should().ContainSingle().Which.Mode.Should().Be("flag");
    }

    private static async Task<PreviewResult> PreviewAsync(HttpClient client, Guid school, string text)
    {
        using var response = await client.PostAsJsonAsync($"/api/schools/{school}/screening/preview", new { text });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<PreviewResult>(ApiFixture.Json))!;
    }

    private async Task<List<Guid>> FacebookAccountAsync(Guid school)
    {
        await using var db = Fixture.Db();
        return await db.SocialAccounts.Where(a => a.SchoolId == school && a.Platform == Domain.Schools.Platform.Facebook).Select(a => a.Id).ToListAsync();
    }
}
