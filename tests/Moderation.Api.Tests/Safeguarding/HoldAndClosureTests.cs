using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Audit;
using Moderation.Domain.Safeguarding;
using Npgsql;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>Legal hold blocks deletion; closing a case takes two people; every change and view is in the audit chain.</summary>
public sealed class HoldAndClosureTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    private async Task<CaseDto> AcknowledgedCaseAsync(Guid? itemId = null)
    {
        var raised = itemId is { } id ? await RaiseAboutItemAsync(id) : await RaiseAsync(Dsl, new { category = "Bullying", severity = "Medium", summary = "Pupil mocked" });
        using var dsl = await Fixture.As(Dsl);
        (await dsl.PostAsync($"/api/safeguarding/cases/{raised.Id}/acknowledge", null)).EnsureSuccessStatusCode();
        return raised;
    }

    [Fact]
    public async Task Under_legal_hold_the_database_refuses_to_delete_the_item_the_case_or_its_evidence_and_after_release_it_allows_it()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Everyone laugh at the new girl in Year 6");
        var c = await AcknowledgedCaseAsync(itemId);
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var held = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/legal-hold", new { reason = "Police request, PC 1234" });
        var refusals = new List<string>();
        foreach (var delete in new Func<Moderation.Domain.Persistence.ModerationDbContext, Task<int>>[]
        {
            db => db.Database.ExecuteSqlAsync($"DELETE FROM evidence_parts WHERE case_id = {c.Id}"),
            db => db.Database.ExecuteSqlAsync($"DELETE FROM safeguarding_cases WHERE id = {c.Id}"),
            db => db.Database.ExecuteSqlAsync($"DELETE FROM items WHERE id = {itemId}"),
        })
        {
            await using var db = Fixture.Db();
            try
            {
                await delete(db);
            }
            catch (PostgresException ex)
            {
                refusals.Add(ex.MessageText);
            }
        }

        using var released = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/legal-hold/release", new { reason = "Police confirmed no further action" });
        int deleted;
        await using (var db = Fixture.Db())
        {
            deleted = await db.Database.ExecuteSqlAsync($"DELETE FROM evidence_parts WHERE case_id = {c.Id}");
        }

        // Assert
        held.StatusCode.Should().Be(HttpStatusCode.OK);
        (await held.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!.LegalHold.Should().BeTrue();
        refusals.Should().HaveCount(3).And.OnlyContain(m => m.StartsWith("legal hold"));
        released.StatusCode.Should().Be(HttpStatusCode.OK);
        deleted.Should().BeGreaterThan(0, "without the hold nothing stops it");
    }

    [Fact]
    public async Task Evidence_parts_can_never_be_changed_once_captured()
    {
        // Arrange
        var c = await AcknowledgedCaseAsync();

        // Act
        var act = async () =>
        {
            await using var db = Fixture.Db();
            await db.Database.ExecuteSqlAsync($"UPDATE evidence_parts SET sha256 = repeat('0', 64) WHERE case_id = {c.Id}");
        };

        // Assert
        (await act.Should().ThrowAsync<PostgresException>()).Which.MessageText.Should().StartWith("evidence:");
    }

    [Theory]
    [InlineData("/legal-hold", """{"reason":""}""")]
    [InlineData("/legal-hold", """{}""")]
    [InlineData("/closure", """{"outcome":"  "}""")]
    public async Task A_hold_or_closure_without_a_reason_is_refused_and_changes_nothing(string path, string json)
    {
        // Arrange
        var c = await AcknowledgedCaseAsync();
        using var dsl = await Fixture.As(Dsl);

        // Act
        using var response = await dsl.PostAsync($"/api/safeguarding/cases/{c.Id}{path}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var after = await dsl.GetFromJsonAsync<CaseDto>($"/api/safeguarding/cases/{c.Id}", ApiFixture.Json);
        after!.LegalHold.Should().BeFalse();
        after.Status.Should().Be(CaseStatus.Acknowledged);
    }

    [Fact]
    public async Task Closing_takes_a_second_person_the_requester_cannot_sign_off_and_an_unacknowledged_case_cannot_close()
    {
        // Arrange
        var unacknowledged = await RaiseAsync(Head, new { category = "Hate", severity = "High", summary = "Racist slur" });
        var c = await AcknowledgedCaseAsync();
        using var dsl = await Fixture.As(Dsl);
        using var head = await Fixture.As(Head);

        // Act
        using var tooEarly = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{unacknowledged.Id}/closure", new { outcome = "Dealt with" });
        using var noRequest = await head.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/sign-off", null);
        using var requested = await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/closure", new { outcome = "Parents met; bullying plan in place; platform removed the post" });
        using var bySelf = await dsl.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/sign-off", null);
        using var bySecond = await head.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/sign-off", null);
        using var twice = await head.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/sign-off", null);

        // Assert
        tooEarly.StatusCode.Should().Be(HttpStatusCode.Conflict);
        noRequest.StatusCode.Should().Be(HttpStatusCode.Conflict);
        requested.StatusCode.Should().Be(HttpStatusCode.OK);
        (await requested.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!.Status.Should().Be(CaseStatus.ClosurePending);
        bySelf.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        bySecond.StatusCode.Should().Be(HttpStatusCode.OK);
        var closed = (await bySecond.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!;
        closed.Status.Should().Be(CaseStatus.Closed);
        closed.ClosureRequestedById.Should().Be(await UserIdAsync(Dsl));
        closed.ClosedById.Should().Be(await UserIdAsync(Head));
        twice.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_pending_closure_can_be_withdrawn_and_the_case_goes_back_to_acknowledged()
    {
        // Arrange
        var c = await AcknowledgedCaseAsync();
        using var dsl = await Fixture.As(Dsl);
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/closure", new { outcome = "Done" })).EnsureSuccessStatusCode();

        // Act
        using var withdrawn = await dsl.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/withdraw", null);

        // Assert
        withdrawn.StatusCode.Should().Be(HttpStatusCode.OK);
        (await withdrawn.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!.Status.Should().Be(CaseStatus.Acknowledged);
    }

    [Fact]
    public async Task Every_change_and_every_view_of_evidence_is_in_the_schools_hash_chain_which_still_verifies()
    {
        // Arrange
        var c = await AcknowledgedCaseAsync();
        using var dsl = await Fixture.As(Dsl);
        using var head = await Fixture.As(Head);

        // Act
        var evidence = await head.GetFromJsonAsync<EvidenceDto>($"/api/safeguarding/cases/{c.Id}/evidence", ApiFixture.Json);
        (await head.GetAsync($"/api/safeguarding/cases/{c.Id}/evidence/parts/{evidence!.Parts[0].Id}")).EnsureSuccessStatusCode();
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/legal-hold", new { reason = "Police" })).EnsureSuccessStatusCode();
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{c.Id}/closure", new { outcome = "Done" })).EnsureSuccessStatusCode();
        (await head.PostAsync($"/api/safeguarding/cases/{c.Id}/closure/sign-off", null)).EnsureSuccessStatusCode();

        // Assert
        await using var db = Fixture.Db();
        var entries = await db.AuditEntries.AsNoTracking().Where(a => a.ChainId == Fleming).OrderBy(a => a.Position).ToListAsync();
        entries.Select(a => a.Action).Should().ContainInOrder(
            "case-opened", "case-acknowledged", "evidence-viewed", "evidence-part-viewed", "case-legal-hold-set", "case-closure-requested", "case-closed");
        entries.Single(a => a.Action == "evidence-part-viewed").Actor.Should().Be("Mrs Helen Carter (Headteacher)");
        (await AuditLog.VerifyAsync(db, Fleming, CancellationToken.None)).Intact.Should().BeTrue();
        var history = await head.GetFromJsonAsync<List<CaseEventDto>>($"/api/safeguarding/cases/{c.Id}/history", ApiFixture.Json);
        history!.Select(e => e.Action).Should().ContainInOrder("case-opened", "case-acknowledged", "evidence-viewed", "case-legal-hold-set", "case-closed");
        history.Should().OnlyContain(e => e.Detail.Contains(c.Id.ToString()));
    }
}
