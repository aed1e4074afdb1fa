using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Accounts;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Web.Tests;

/// <summary>The DSL works a case from the safeguarding pages; nobody outside the safeguarding roles finds them.</summary>
public sealed class SafeguardingPagesTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Flagged = "hey, you seem really mature for your age. add me on another app and don't tell your mum x";

    [Fact]
    public async Task The_DSL_acknowledges_a_case_adds_a_note_and_records_a_CEOP_referral()
    {
        // Arrange
        var caseId = await RaiseGroomingCaseAsync();
        await SignInAsync("dsl@fleming.example");

        // Act: the case list, then the case
        await Page.GetByRole(AriaRole.Link, new() { Name = "Safeguarding" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Safeguarding cases" })).ToBeVisibleAsync();
        await ScreenshotAsync("20-safeguarding-cases");
        await Page.GetByRole(AriaRole.Link, new() { Name = "A parent's account messaged a pupil" }).ClickAsync();
        await Page.WaitForURLAsync($"**/safeguarding/cases/{caseId}");

        // The flagged content waits behind its warning
        var flagged = Page.GetByText(Flagged);
        await Assertions.Expect(flagged).Not.ToBeVisibleAsync();
        await ScreenshotAsync("21-case");
        await Page.GetByText("Content warning").ClickAsync();
        await Assertions.Expect(flagged).ToBeVisibleAsync();

        await Page.GetByRole(AriaRole.Button, new() { Name = "Acknowledge: I am handling this case" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Acknowledged: you own this case now.");

        await Page.GetByLabel("Add a note").FillAsync("Spoke to the pupil's parent; the account is blocked on the school page.");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Note added.");

        await Assertions.Expect(Page.GetByText("CEOP (National Crime Agency's Child Exploitation and Online Protection command) — suggested for this case")).ToBeVisibleAsync();
        await Page.GetByLabel("Agency").SelectOptionAsync(nameof(ReferralAgency.Ceop));
        await Page.GetByLabel("Reference number (if given)").FillAsync("CEOP-2026-0042");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Record referral" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Referral recorded.");
        await Assertions.Expect(Page.Locator("ul.referrals")).ToContainTextAsync("reference CEOP-2026-0042");
        await Assertions.Expect(Page.Locator("ol.notes")).ToContainTextAsync("Spoke to the pupil's parent");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Download the evidence export" })).ToBeVisibleAsync();
        await ScreenshotAsync("22-case-worked");
        var export = await Page.Context.APIRequest.GetAsync(Url($"/api/safeguarding/cases/{caseId}/evidence/export"));
        export.Status.Should().Be(200, "the export link works with the page's sign-in");
        await using var db = Fixture.Db();
        var c = await db.SafeguardingCases.AsNoTracking().SingleAsync(x => x.Id == caseId);
        c.Status.Should().Be(CaseStatus.Acknowledged);
        (await db.CaseReferrals.AsNoTracking().SingleAsync(r => r.CaseId == caseId)).Agency.Should().Be(ReferralAgency.Ceop);
    }

    [Fact]
    public async Task A_moderator_gets_404_for_the_safeguarding_pages_and_sees_no_link()
    {
        // Arrange
        var caseId = await RaiseGroomingCaseAsync();
        await SignInAsync("moderator@fleming.example");

        // Act
        var list = await Page.GotoAsync(Url("/safeguarding"));
        var page = await Page.GotoAsync(Url($"/safeguarding/cases/{caseId}"));

        // Assert
        list!.Status.Should().Be(404);
        page!.Status.Should().Be(404);
        await Page.GotoAsync(Url("/"));
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Safeguarding" })).ToHaveCountAsync(0);
    }

    private async Task<Guid> RaiseGroomingCaseAsync()
    {
        var school = Fixture.Schools["fleming-primary"];
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", Flagged);
        await using (var db = Fixture.Db())
        {
            // Screening escalates this comment and opens its case itself (just after routing); the test works that one.
            var state = await db.Items.AsNoTracking().Where(i => i.Id == itemId).Select(i => i.State).SingleAsync();
            if (state == Moderation.Domain.Items.ItemState.Escalated)
            {
                var id = await Moderation.Testing.Eventually.WaitForAsync(
                    async () => await db.SafeguardingCases.AsNoTracking().Where(x => x.ItemId == itemId).Select(x => (Guid?)x.Id).FirstOrDefaultAsync(),
                    x => x is not null, "screening to open the case");
                await db.SafeguardingCases.Where(x => x.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Summary, "A parent's account messaged a pupil"));
                return id!.Value;
            }
        }

        using var scope = Fixture.Factory.Services.CreateScope();
        var head = await scope.ServiceProvider.GetRequiredService<Moderation.Domain.Persistence.ModerationDbContext>().Users
            .Where(u => u.Email == "head@fleming.example").Select(u => new { u.Id, u.DisplayName }).SingleAsync();
        var me = new StaffMember(head.Id, head.DisplayName, new HashSet<string> { Roles.Headteacher }, new HashSet<Guid> { school });
        var outcome = await scope.ServiceProvider.GetRequiredService<CaseCommands>().RaiseAsync(me, new CaseOpening(
            school, itemId, CaseCategories.Grooming, CaseSeverity.High, CaseSource.Raised, false,
            "A parent's account messaged a pupil", me.AsActor(), EvidenceInput.None), CancellationToken.None);
        outcome.Kind.Should().Be(Moderation.Domain.Items.OutcomeKind.Ok, outcome.Detail);
        return outcome.Case!.Id;
    }
}
