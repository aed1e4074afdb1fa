using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Consent;
using Moderation.Domain.Consent.Reconciliation;

namespace Moderation.Web.Tests;

/// <summary>
/// An administrator imports Fleming's roster and consent export from the consent page: the changes are shown before
/// anything is applied, a bad file lists its rows and applies nothing, and a reconciliation run is started on demand
/// and watched until its report is there. Pupils are reference data kept between tests, so the pupils these tests add
/// (MIS ids starting WEB-) are removed afterwards.
/// </summary>
public sealed class ConsentPagesTests(BrowserFixture fixture) : BrowserTest(fixture), IAsyncLifetime
{
    private const string Header = "MIS id,Legal forename,Preferred forename,Surname,Year group,Website,Social media,Press,Internal displays,Restriction,Never publish,Effective from,Expires on,Source";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await RemoveTestPupilsAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await RemoveTestPupilsAsync();
        await DisposeAsync();
    }

    [Fact]
    public async Task An_administrator_sees_the_changes_of_a_consent_file_then_applies_them()
    {
        // Arrange
        var pupilsBefore = await PupilCountAsync();
        await SignInAsync("admin@riverside.example");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Consent" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Fleming Primary School and Nursery: the current list" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("[data-count=pupils]")).ToHaveTextAsync(pupilsBefore.ToString());
        await ScreenshotAsync("30-consent");

        // Act: check a file with two new pupils, one of whom objects to social media
        await UploadAsync("new-pupils.csv",
            "WEB-1,Ada,,Lovelace,Year 5,granted,granted,granted,granted,,no,01/09/2026,,MIS export",
            "WEB-2,Alan,,Turing,Year 5,granted,objected,objected,granted,,no,01/09/2026,,MIS export");

        // Assert: the changes are listed, and nothing is applied yet
        var preview = Page.Locator("#preview");
        await Assertions.Expect(preview).ToContainTextAsync("Changes in new-pupils.csv (not applied yet)");
        await Assertions.Expect(preview.Locator("section.added")).ToContainTextAsync("New pupils (2)");
        await Assertions.Expect(preview.Locator("section.added")).ToContainTextAsync("Row 2: WEB-1 (Year 5), consent granted for Website, Social media, Press, Internal displays");
        await Assertions.Expect(preview.Locator("section.withdrawn")).ToContainTextAsync("Row 3: WEB-2 (Year 5), Social media: objected (new pupil)");
        await Assertions.Expect(preview.Locator("section.withdrawn")).ToContainTextAsync("Press: objected");
        (await PupilCountAsync()).Should().Be(pupilsBefore, "checking a file applies nothing");
        await ScreenshotAsync("31-consent-preview");

        // Act: apply it, without a reconciliation run
        await Page.GetByLabel("Then check published and queued photos").UncheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" }).ClickAsync();

        // Assert: applied, and the list on the page shows it
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Applied" }))
            .ToContainTextAsync("Applied new-pupils.csv: 2 pupils added, 0 updated, 8 consents added, 0 changed.");
        await Assertions.Expect(Page.Locator("[data-count=pupils]")).ToHaveTextAsync((pupilsBefore + 2).ToString());
        (await ConsentOfAsync("WEB-2", ConsentChannel.SocialMedia)).Should().Be(ConsentStatus.Objected);

        // Act: the next export withdraws Ada's social media consent and restricts her press consent
        await UploadAsync("withdrawal.csv",
            "WEB-1,Ada,,Lovelace,Year 5,granted,objected,restricted,granted,no name with photo,no,01/09/2026,,MIS export",
            "WEB-2,Alan,,Turing,Year 5,granted,objected,objected,granted,,no,01/09/2026,,MIS export");

        // Assert: withdrawn and restricted, from what they were; the unchanged row is counted, not listed
        await Assertions.Expect(preview.Locator("section.withdrawn")).ToContainTextAsync("Row 2: WEB-1 (Year 5), Social media: granted → objected");
        await Assertions.Expect(preview.Locator("section.restricted")).ToContainTextAsync("Row 2: WEB-1 (Year 5), Press: granted → restricted (no name with photo)");
        await Assertions.Expect(preview).ToContainTextAsync("1 row unchanged");
        await Assertions.Expect(preview).Not.ToContainTextAsync("WEB-2");
        (await ConsentOfAsync("WEB-1", ConsentChannel.SocialMedia)).Should().Be(ConsentStatus.Granted);
        await ScreenshotAsync("32-consent-withdrawal-preview");

        await Page.GetByLabel("Then check published and queued photos").UncheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Applied" })).ToContainTextAsync("0 pupils added, 0 updated, 0 consents added, 2 changed.");
        (await ConsentOfAsync("WEB-1", ConsentChannel.SocialMedia)).Should().Be(ConsentStatus.Objected);
        (await ConsentOfAsync("WEB-1", ConsentChannel.Press)).Should().Be(ConsentStatus.Restricted);

        // Act: the same file again
        await UploadAsync("withdrawal.csv",
            "WEB-1,Ada,,Lovelace,Year 5,granted,objected,restricted,granted,no name with photo,no,01/09/2026,,MIS export",
            "WEB-2,Alan,,Turing,Year 5,granted,objected,objected,granted,,no,01/09/2026,,MIS export");

        // Assert
        await Assertions.Expect(preview).ToContainTextAsync("No changes: the list already matches this file (2 rows).");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_bad_file_lists_its_errors_by_row_and_applies_nothing()
    {
        // Arrange
        var pupilsBefore = await PupilCountAsync();
        await SignInAsync("admin@riverside.example");
        await Page.GotoAsync(Url("/consent"));

        // Act: a good row, a row with no year group, and a row with a consent value the file format does not have.
        // What the page shows while the upload runs is noted as the form is sent (sessionStorage outlives the page).
        await Page.EvaluateAsync("""
            () => {
                const form = document.querySelector('form[data-working]');
                form.addEventListener('submit', () => {
                    const working = document.querySelector('.working.on');
                    sessionStorage.setItem('seen-working', JSON.stringify({
                        text: working ? working.textContent : null,
                        disabled: form.querySelector('button[type=submit]').disabled,
                    }));
                });
            }
            """);
        await UploadAsync("bad.csv",
            "WEB-1,Ada,,Lovelace,Year 5,granted,granted,granted,granted,,no,01/09/2026,,MIS export",
            "WEB-2,Alan,,Turing,,granted,granted,granted,granted,,no,01/09/2026,,MIS export",
            "WEB-3,Grace,,Hopper,Year 6,granted,maybe,granted,granted,,no,01/09/2026,,MIS export");
        var seen = await Page.EvaluateAsync<System.Text.Json.JsonElement>("() => JSON.parse(sessionStorage.getItem('seen-working'))");
        seen.GetProperty("text").GetString().Should().Contain("Uploading and checking the file…");
        seen.GetProperty("disabled").GetBoolean().Should().BeTrue("the file cannot be sent twice");

        // Assert
        var errors = Page.Locator("#row-errors");
        await Assertions.Expect(errors).ToContainTextAsync("bad.csv has 2 rows with errors; nothing was applied.");
        await Assertions.Expect(errors.Locator("li").Nth(0)).ToContainTextAsync("Row 3:");
        await Assertions.Expect(errors.Locator("li").Nth(1)).ToContainTextAsync("Row 4:");
        await Assertions.Expect(errors).ToContainTextAsync("maybe");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.Locator("[data-count=pupils]")).ToHaveTextAsync(pupilsBefore.ToString());
        (await PupilCountAsync()).Should().Be(pupilsBefore);
        await ScreenshotAsync("33-consent-bad-file");
    }

    [Fact]
    public async Task An_administrator_runs_a_reconciliation_and_reads_its_report()
    {
        // Arrange: a pupil with consent, then a first (baseline) run started from the page
        await SignInAsync("admin@riverside.example");
        await Page.GotoAsync(Url("/consent"));
        await UploadAsync("ada.csv", "WEB-1,Ada,,Lovelace,Year 5,granted,granted,granted,granted,,no,01/09/2026,,MIS export");
        await Page.GetByLabel("Then check published and queued photos").UncheckAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" }).ClickAsync();
        await Assertions.Expect(Page.Locator("[data-count=pupils]")).ToHaveTextAsync((await PupilCountAsync()).ToString());

        await Page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Consent reconciliation, Fleming Primary School and Nursery" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#report")).ToContainTextAsync("This was the school's first run", new() { Timeout = 30_000 });
        await Assertions.Expect(Page.Locator("#run-status")).ToHaveTextAsync("Succeeded");

        // Act: the next export withdraws Ada's social media consent; applying it starts a run, watched from its page
        await Page.GetByRole(AriaRole.Link, new() { Name = "← Roster and consent" }).ClickAsync();
        await UploadAsync("withdrawal.csv", "WEB-1,Ada,,Lovelace,Year 5,granted,objected,granted,granted,,no,01/09/2026,,MIS export");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Apply these changes" }).ClickAsync();

        // Assert: the page follows the run by itself (no reload here) until the report is there
        await Assertions.Expect(Page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Applied" })).ToContainTextAsync("Photos are being checked against the new list.");
        var report = Page.Locator("#report");
        await Assertions.Expect(report).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(Page.Locator("#run-status")).ToHaveTextAsync("Succeeded");
        var change = report.Locator("tr", new() { HasText = "WEB-1" });
        await Assertions.Expect(change).ToContainTextAsync("Social media");
        await Assertions.Expect(change).ToContainTextAsync("Withdrawn");
        await Assertions.Expect(report).ToContainTextAsync("What changed (0 added, 1 withdrawn, 0 restricted, 0 expired)");
        await Assertions.Expect(report).ToContainTextAsync("Nothing needs you.");
        await ScreenshotAsync("34-consent-run-report");

        await using (var db = Fixture.Db())
        {
            var runs = await db.ConsentReconciliationRuns.AsNoTracking().Where(r => r.SchoolId == Fixture.Schools["fleming-primary"]).ToListAsync();
            runs.Should().HaveCount(2).And.OnlyContain(r => r.Status == ReconciliationStatus.Succeeded && r.Trigger == ReconciliationTrigger.OnDemand);
            runs.Sum(r => r.Withdrawn).Should().Be(1);
        }

        // Assert: both runs are listed, newest first
        await Page.GetByRole(AriaRole.Link, new() { Name = "← Roster and consent" }).ClickAsync();
        var rows = Page.Locator("table.runs tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("after importing withdrawal.csv");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("1 withdrawn");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("the current consent list");
        await ScreenshotAsync("35-consent-runs");
    }

    private async Task UploadAsync(string fileName, params string[] rows)
    {
        var csv = Header + "\n" + string.Join("\n", rows) + "\n";
        await Page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check the file" }).ClickAsync();
        await Page.WaitForLoadStateAsync();
    }

    private async Task<int> PupilCountAsync()
    {
        await using var db = Fixture.Db();
        return await db.Pupils.CountAsync(p => p.SchoolId == Fixture.Schools["fleming-primary"]);
    }

    private async Task<ConsentStatus?> ConsentOfAsync(string misId, ConsentChannel channel)
    {
        await using var db = Fixture.Db();
        return await db.Consents.AsNoTracking()
            .Where(c => c.Channel == channel && db.Pupils.Any(p => p.Id == c.PupilId && p.MisId == misId))
            .Select(c => (ConsentStatus?)c.Status).SingleOrDefaultAsync();
    }

    private async Task RemoveTestPupilsAsync()
    {
        await using var db = Fixture.Db();
        await db.Pupils.Where(p => p.MisId.StartsWith("WEB-")).ExecuteDeleteAsync();
        await db.Database.ExecuteSqlRawAsync("UPDATE schools SET screening_version = screening_version + 1");
    }
}
