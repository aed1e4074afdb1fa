using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Testing;

namespace Moderation.Web.Tests;

/// <summary>The item page in full: reveal with a reason, rejection with a reason code, the history, and flagged photos kept blurred.</summary>
public sealed class ItemPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task The_headteacher_reveals_the_original_with_a_reason_rejects_with_a_reason_code_and_the_history_shows_both()
    {
        // Arrange: a Facebook comment naming a pupil in full, with a phone number
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Olivia Smith was brilliant in the play! Ring me on 07700 900123");
        await SignInAsync("head@fleming.example");
        await Page.GotoAsync(Url($"/items/{itemId}"));
        var text = Page.Locator("blockquote.text").First;
        await Assertions.Expect(text.Locator("mark.redacted")).ToHaveTextAsync("Olivia");
        await Assertions.Expect(text).Not.ToContainTextAsync("Smith");
        await Assertions.Expect(Page.Locator("ul.findings")).ToContainTextAsync("PersonalData (uk-phone)");

        // Act: reveal, with a reason
        await Page.GetByLabel("See the original text: why?").FillAsync("A parent asked which pupil was named");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reveal (audited)" }).ClickAsync();

        // Assert
        var original = Page.GetByRole(AriaRole.Region, new() { Name = "Original text" });
        await Assertions.Expect(original).ToContainTextAsync("Olivia Smith was brilliant in the play!");
        var history = Page.Locator("ol.history");
        await Assertions.Expect(history.Locator("li[data-action='original-revealed']")).ToContainTextAsync("revealed the original text (A parent asked which pupil was named)");

        // Act: reject with a reason code and a note
        await Page.GetByLabel("Reason").SelectOptionAsync(new SelectOptionValue { Label = "A pupil could be identified" });
        await Page.GetByLabel("Note").FillAsync("Names a pupil in full on Facebook");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        // Assert: the page, the history with both steps in order, and the audit chain
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Rejected.");
        await Assertions.Expect(Page.Locator(".item-head .state")).ToHaveTextAsync("Rejected");
        await Assertions.Expect(Page.GetByRole(AriaRole.Region, new() { Name = "Original text" })).ToHaveCountAsync(0);
        var revealed = history.Locator("li[data-action='original-revealed']");
        var rejected = history.Locator("li[data-action='rejected']");
        await Assertions.Expect(revealed).ToContainTextAsync("Mrs Helen Carter (Headteacher)");
        await Assertions.Expect(rejected).ToContainTextAsync("rejected → Rejected (reason: PupilIdentifiable)");
        var actions = await history.Locator("li").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.action)");
        Array.IndexOf(actions, "original-revealed").Should().BeLessThan(Array.IndexOf(actions, "rejected"));
        actions.Should().Contain(["received", "original-revealed", "rejected"]);
        await ScreenshotAsync("36-item-history");

        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
        item.State.Should().Be(ItemState.Rejected);
        item.RejectionReason.Should().Be(RejectionReason.PupilIdentifiable);
        item.DecisionNote.Should().Be("Names a pupil in full on Facebook");
        (await db.AuditEntries.SingleAsync(a => a.ItemId == itemId && a.Action == "original-revealed")).Detail.Should().Be("A parent asked which pupil was named");
    }

    [Fact]
    public async Task Rejecting_for_Other_without_a_note_is_refused_and_nothing_changes()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "When is the harvest festival?");
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url($"/items/{itemId}"));

        // Act
        await Page.GetByLabel("Reason").SelectOptionAsync(new SelectOptionValue { Label = "Other (say why)" });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A rejection for reason 'Other' needs a note.");
        await using var db = Fixture.Db();
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId)).State.Should().Be(ItemState.AwaitingReview);
    }

    [Fact]
    public async Task A_flagged_photo_is_blurred_behind_a_content_warning_until_the_reviewer_chooses_to_see_it()
    {
        // Arrange: a draft (sent through the API's own code, which leaves the judgement to the approver) whose
        // photo shows a pupil whose parents objected to social media.
        var photo = ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImageWDetails={PersonId=[urn:mis:1002],PersonName=Zoe Nunez-Taylor}");
        Guid draftId;
        using (var scope = Fixture.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == "author@fleming.example");
            var school = Fixture.Schools["fleming-primary"];
            var facebook = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.SchoolId == school && a.Handle == "@FlemingPrimary" && a.Platform == Domain.Schools.Platform.Facebook);
            var outcome = await scope.ServiceProvider.GetRequiredService<ItemIntake>().SubmitDraftAsync(
                new StaffMember(user.Id, user.DisplayName, new HashSet<string> { Roles.Author }, new HashSet<Guid> { school }),
                school, "Art club's exhibition", [facebook.Id], [new PhotoUpload("art.jpg", photo)], CancellationToken.None);
            draftId = outcome.Item!.Id;
        }

        await DemoData.WaitForRoutedAsync(Fixture.Env, draftId);
        await SignInAsync("head@fleming.example");

        // Act
        await Page.GotoAsync(Url($"/items/{draftId}"));

        // Assert: blurred, with the warning; the people and verdicts are readable beside it
        var warning = Page.Locator("details.photo-cw");
        var image = warning.Locator("img");
        await Assertions.Expect(warning).ToContainTextAsync("Content warning: this photo was flagged (Blocked by consent)");
        await Assertions.Expect(image).ToHaveCSSAsync("filter", new System.Text.RegularExpressions.Regex("blur"));
        await Assertions.Expect(Page.Locator("ul.people li", new() { HasText = "Zoe Nunez-Taylor" })).ToContainTextAsync("Blocked: parents objected");
        await Assertions.Expect(Page.GetByLabel("Reason").Locator("option[value=NoPhotoConsent]")).ToHaveTextAsync("A photo without consent");
        await ScreenshotAsync("37-item-flagged-photo");

        // Act: the reviewer chooses to see it
        await warning.Locator("summary").ClickAsync();

        // Assert
        await Assertions.Expect(warning).ToHaveAttributeAsync("open", "");
        await Assertions.Expect(image).ToHaveCSSAsync("filter", "none");
        await Assertions.Expect(warning).ToContainTextAsync("Flagged photo shown");
    }
}
