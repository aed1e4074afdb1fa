using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;

namespace Moderation.Web.Tests;

/// <summary>
/// Authors write posts with photos, see the screening preview before they submit, and follow the approval; the
/// headteacher approves on the item page and the post is published on the real WordPress (infra/wordpress.sh).
/// Photos are tagged by the real exiftool (FIXTURES.md).
/// </summary>
public sealed class DraftsPagesTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    /// <summary>Olivia Smith (MIS 1001): consent granted for the website and social media.</summary>
    private static readonly string[] s_olivia = ["-XMP-iptcExt:PersonInImageWDetails={PersonId=[urn:mis:1001],PersonName=Olivia Smith,PersonDescription=Year 4}"];

    /// <summary>Zoë Núñez-Taylor (MIS 1002): her parents objected to social media.</summary>
    private static readonly string[] s_zoe = ["-XMP-iptcExt:PersonInImageWDetails={PersonId=[urn:mis:1002],PersonName=Zoe Nunez-Taylor}"];

    private static readonly string[] s_gps = ["-GPSLatitude=52.6833", "-GPSLatitudeRef=N", "-GPSLongitude=2.4500", "-GPSLongitudeRef=W"];

    [Fact]
    public async Task The_headteacher_approves_an_authors_draft_with_a_photo_and_the_author_sees_it_published()
    {
        // Arrange: the real blog, connected as Fleming's blog account; a photo of Olivia with GPS in it.
        var blog = new WordPressBlog();
        await blog.InitializeAsync();
        await SetBlogAsync(blog);
        try
        {
            var text = $"Year 4 won the quiz! Well done Olivia Smith [{Guid.NewGuid():N}]";
            var photo = ExifTool.Tag(ExifTool.BaseJpeg, [.. s_olivia, .. s_gps]);
            await SignInAsync("author@fleming.example");

            // Act: the author writes the post and checks it
            await Page.GotoAsync(Url("/drafts"));
            await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "My drafts" })).ToBeVisibleAsync();
            await Page.GetByRole(AriaRole.Link, new() { Name = "Write a post" }).ClickAsync();
            await Page.GetByLabel("Post text").FillAsync(text);
            await Page.GetByLabel("Blog: fleming-blog").CheckAsync();
            await Page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "quiz.jpg", MimeType = "image/jpeg", Buffer = photo });
            var submit = Page.GetByRole(AriaRole.Button, new() { Name = "Submit for approval" });
            await Assertions.Expect(submit).ToBeDisabledAsync();
            await Page.GetByRole(AriaRole.Button, new() { Name = "Check before submitting" }).ClickAsync();

            // Assert: the preview shows the redacted text, Olivia allowed, the location stripped; submit is open
            var preview = Page.GetByRole(AriaRole.Region, new() { Name = "Screening preview" });
            await Assertions.Expect(preview.Locator("[data-preview-text]")).ToContainTextAsync("Well done Olivia [");
            await Assertions.Expect(preview.Locator("[data-preview-text] mark.redacted")).ToHaveTextAsync("Olivia");
            var photoPreview = preview.GetByRole(AriaRole.Article, new() { Name = "Photo quiz.jpg" });
            await Assertions.Expect(photoPreview).ToContainTextAsync("Clear: everyone tagged may appear");
            await Assertions.Expect(photoPreview.Locator("li", new() { HasText = "Olivia Smith" })).ToContainTextAsync("Allowed");
            await Assertions.Expect(photoPreview.Locator(".location")).ToContainTextAsync("stripped from the copy that is published");
            await Assertions.Expect(submit).ToBeEnabledAsync();
            await ScreenshotAsync("30-compose-preview");

            // Act: submit
            await submit.ClickAsync();
            await Page.WaitForURLAsync("**/drafts/*");
            var draftId = Guid.Parse(new Uri(Page.Url).Segments[^1]);
            await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Submitted for approval");
            await DemoData.WaitForRoutedAsync(Fixture.Env, draftId);
            await Page.GotoAsync(Url("/drafts"));
            var row = Page.Locator($"tr[data-draft='{draftId}']");
            await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("In review");
            await ScreenshotAsync("31-drafts-in-review");

            // Act: the headteacher approves it on the item page
            await Fixture.Browser.ClearCookiesAsync();
            await SignInAsync("head@fleming.example");
            await Page.GotoAsync(Url($"/items/{draftId}"));
            await Assertions.Expect(Page.GetByText("A staff post to publish on Blog (fleming-blog).")).ToBeVisibleAsync();
            await Assertions.Expect(Page.Locator("ul.people li", new() { HasText = "Olivia Smith" })).ToContainTextAsync("Allowed");
            await Assertions.Expect(Page.Locator(".photo-cw")).ToHaveCountAsync(0);
            await ScreenshotAsync("32-item-draft");
            await Page.GetByRole(AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
            await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Approved.");

            // Assert: published on the blog, with the redacted text and the clean copy of the photo
            await Eventually.WaitForAsync(
                async () =>
                {
                    await using var db = Fixture.Db();
                    return await db.Items.AsNoTracking().Where(i => i.Id == draftId).Select(i => i.State).SingleAsync();
                },
                s => s == ItemState.Actioned, "the post to be published on the blog", TimeSpan.FromSeconds(90));
            PlatformActionRecord action;
            await using (var db = Fixture.Db())
            {
                action = await db.PlatformActions.AsNoTracking().SingleAsync(a => a.ItemId == draftId);
            }

            action.Status.Should().Be(ActionStatus.Done);
            blog.Forget($"posts/{action.ResultPlatformId}?force=true");
            var post = await blog.Admin.GetFromJsonAsync<JsonElement>($"posts/{action.ResultPlatformId}?context=edit");
            blog.Forget($"media/{post.GetProperty("featured_media").GetInt64()}?force=true");
            post.GetProperty("content").GetProperty("raw").GetString().Should().Contain("Well done Olivia [").And.NotContain("Smith");

            // Assert: the author follows it to "Published"
            await Fixture.Browser.ClearCookiesAsync();
            await SignInAsync("author@fleming.example");
            await Page.GotoAsync(Url("/drafts"));
            row = Page.Locator($"tr[data-draft='{draftId}']");
            await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("Published");
            await Assertions.Expect(row.GetByRole(AriaRole.Link, new() { Name = "See it published" })).ToHaveAttributeAsync("href", action.ResultUrl!);
            await ScreenshotAsync("33-drafts-published");
            await row.GetByRole(AriaRole.Link).First.ClickAsync();
            await Assertions.Expect(Page.Locator("#draft-status")).ToHaveTextAsync("Published");
            await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        }
        finally
        {
            await SetBlogAsync(null);
            await blog.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_author_whose_photo_is_blocked_by_consent_sees_why_cannot_submit_and_can_remove_the_photo()
    {
        // Arrange
        var photo = ExifTool.Tag(ExifTool.BaseJpeg, s_zoe);
        await SignInAsync("author@fleming.example");
        await Page.GotoAsync(Url("/drafts/new"));
        await Page.GetByLabel("Post text").FillAsync("Year 4's art exhibition opens on Friday");
        await Page.GetByLabel("Facebook: @FlemingPrimary").CheckAsync();
        await Page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "art.jpg", MimeType = "image/jpeg", Buffer = photo });

        // Act
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check before submitting" }).ClickAsync();

        // Assert: the block, who causes it, and a submit button that stays shut with the reason beside it
        var preview = Page.GetByRole(AriaRole.Region, new() { Name = "Screening preview" });
        var art = preview.GetByRole(AriaRole.Article, new() { Name = "Photo art.jpg" });
        await Assertions.Expect(art).ToContainTextAsync("Blocked by consent");
        await Assertions.Expect(art.Locator("li", new() { HasText = "Zoe Nunez-Taylor" })).ToContainTextAsync("Blocked: parents objected");
        await Assertions.Expect(preview.GetByRole(AriaRole.Alert)).ToContainTextAsync("\"art.jpg\" cannot be published");
        var submit = Page.GetByRole(AriaRole.Button, new() { Name = "Submit for approval" });
        await Assertions.Expect(submit).ToBeDisabledAsync();
        await Assertions.Expect(Page.Locator("#submit-reason")).ToContainTextAsync("You cannot submit this yet");
        await ScreenshotAsync("34-compose-blocked");

        // Act: the author removes the photo; the check runs again and the text alone may go
        await preview.GetByRole(AriaRole.Button, new() { Name = "Remove art.jpg" }).ClickAsync();

        // Assert
        await Assertions.Expect(preview.GetByRole(AriaRole.Article)).ToHaveCountAsync(0);
        await Assertions.Expect(submit).ToBeEnabledAsync();
        await submit.ClickAsync();
        await Page.WaitForURLAsync("**/drafts/*");
        await using var db = Fixture.Db();
        var item = await db.Items.AsNoTracking().Include(i => i.Media).SingleAsync();
        item.Text.Should().Be("Year 4's art exhibition opens on Friday");
        item.Media.Should().BeEmpty();
    }

    [Fact]
    public async Task The_server_refuses_a_blocked_photo_even_when_the_disabled_button_is_forced_and_stores_nothing()
    {
        // Arrange
        var photo = ExifTool.Tag(ExifTool.BaseJpeg, s_zoe);
        await SignInAsync("author@fleming.example");
        await Page.GotoAsync(Url("/drafts/new"));
        await Page.GetByLabel("Post text").FillAsync("Sports day photos");
        await Page.GetByLabel("Facebook: @FlemingPrimary").CheckAsync();
        await Page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "sports.jpg", MimeType = "image/jpeg", Buffer = photo });
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check before submitting" }).ClickAsync();
        var submit = Page.GetByRole(AriaRole.Button, new() { Name = "Submit for approval" });
        await Assertions.Expect(submit).ToBeDisabledAsync();

        // Act: around the page's script, as a determined or script-less browser would
        var response = await Page.RunAndWaitForResponseAsync(
            () => Page.EvaluateAsync("() => { const b = document.getElementById('submit-draft'); b.disabled = false; b.click(); }"),
            r => r.Url.Contains("handler=Submit", StringComparison.Ordinal));

        // Assert
        response.Status.Should().Be(409);
        await Assertions.Expect(Page.Locator("#compose-error")).ToContainTextAsync("Not submitted. \"sports.jpg\" cannot be published");
        await Assertions.Expect(Page.GetByLabel("Post text")).ToHaveValueAsync("Sports day photos");
        await using var db = Fixture.Db();
        (await db.Items.CountAsync()).Should().Be(0);
        (await db.AuditEntries.CountAsync(a => a.Action == "draft-submitted")).Should().Be(0);
    }

    [Fact]
    public async Task Bad_input_on_the_compose_page_gets_a_clear_error_and_stores_nothing()
    {
        // Arrange
        await SignInAsync("author@fleming.example");
        await Page.GotoAsync(Url("/drafts/new"));

        // Act: no text, no photo, no account
        await Page.GetByRole(AriaRole.Button, new() { Name = "Check before submitting" }).ClickAsync();

        // Assert
        var preview = Page.GetByRole(AriaRole.Region, new() { Name = "Screening preview" });
        await Assertions.Expect(preview.GetByRole(AriaRole.Alert)).ToContainTextAsync("Send some text, or at least one photo");
        await Assertions.Expect(preview.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose at least one of the school's accounts");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Submit for approval" })).ToBeDisabledAsync();

        // Act: a file that is not an image, sent straight to the server
        await Page.GetByLabel("Post text").FillAsync("Our new library");
        await Page.GetByLabel("Facebook: @FlemingPrimary").CheckAsync();
        await Page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "not a photo"u8.ToArray() });
        await Page.EvaluateAsync("() => { const b = document.getElementById('submit-draft'); b.disabled = false; b.click(); }");

        // Assert
        await Assertions.Expect(Page.Locator("#compose-error")).ToContainTextAsync("\"notes.txt\" is not a JPEG, PNG, WebP or HEIC image.");
        await using var db = Fixture.Db();
        (await db.Items.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task An_author_sees_only_their_own_drafts_and_cannot_open_the_queue_or_anyone_elses_draft()
    {
        // Arrange: the headteacher's own draft, submitted through the same domain code the pages use
        var headsDraft = await SubmitAsync("head@fleming.example", "Letter to parents about the trip");
        await SignInAsync("author@fleming.example");

        // Act
        await Page.GotoAsync(Url("/drafts"));
        var someoneElses = await Page.GotoAsync(Url($"/drafts/{headsDraft}"));
        await Page.GotoAsync(Url($"/items/{headsDraft}"));

        // Assert
        someoneElses!.Status.Should().Be(404);
        Page.Url.Should().Contain("/denied");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Go to My drafts" })).ToBeVisibleAsync();
        await Page.GotoAsync(Url("/drafts"));
        await Assertions.Expect(Page.Locator("tr[data-draft]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_headteacher_is_never_offered_approve_on_their_own_draft_and_the_server_refuses_it()
    {
        // Arrange
        var draftId = await SubmitAsync("head@fleming.example", "Headteacher's message: happy holidays");
        await DemoData.WaitForRoutedAsync(Fixture.Env, draftId);
        await SignInAsync("head@fleming.example");

        // Act
        await Page.GotoAsync(Url($"/items/{draftId}"));

        // Assert: no decision offered, and why
        await Assertions.Expect(Page.Locator("#own-draft")).ToContainTextAsync("You wrote this post, so you cannot approve or reject it");
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Reject" })).ToHaveCountAsync(0);
        await ScreenshotAsync("35-item-own-draft");

        // Act: the approve form posted anyway, with a valid anti-forgery token from the page
        var status = await Page.EvaluateAsync<int>(
            """
            async (id) => {
                const token = document.querySelector("input[name=__RequestVerificationToken]").value;
                const body = new URLSearchParams({ __RequestVerificationToken: token });
                const response = await fetch(`/items/${id}?handler=Approve`, { method: "POST", body, credentials: "same-origin" });
                return response.status;
            }
            """,
            draftId.ToString());

        // Assert
        status.Should().Be(409);
        await using var db = Fixture.Db();
        (await db.Items.AsNoTracking().SingleAsync(i => i.Id == draftId)).State.Should().Be(ItemState.AwaitingReview);
        (await db.AuditEntries.CountAsync(a => a.ItemId == draftId && a.Action == "approved")).Should().Be(0);
    }

    [Fact]
    public async Task A_draft_rejected_for_something_the_author_can_fix_needs_changes_and_opens_again_in_the_compose_page()
    {
        // Arrange: the headteacher rejects the author's draft because it names a pupil in full
        var draftId = await SubmitAsync("author@fleming.example", "Hope Adeyemi and Year 2 planted the school garden");
        await DemoData.WaitForRoutedAsync(Fixture.Env, draftId);
        await SignInAsync("head@fleming.example");
        await Page.GotoAsync(Url($"/items/{draftId}"));
        await Page.GetByLabel("Reason").SelectOptionAsync("PupilIdentifiable");
        await Page.GetByLabel("Note").FillAsync("Use first names only, please");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Rejected.");
        await Fixture.Browser.ClearCookiesAsync();

        // Act
        await SignInAsync("author@fleming.example");
        await Page.GotoAsync(Url("/drafts"));

        // Assert: the status, the reason and the note, and the way back to the compose page with the post filled in
        var row = Page.Locator($"tr[data-draft='{draftId}']");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("Needs changes");
        await Assertions.Expect(row).ToContainTextAsync("A pupil could be identified: Use first names only, please");
        await ScreenshotAsync("38-drafts-needs-changes");
        await row.GetByRole(AriaRole.Link, new() { Name = "Edit and submit again" }).ClickAsync();
        await Assertions.Expect(Page.GetByLabel("Post text")).ToHaveValueAsync("Hope Adeyemi and Year 2 planted the school garden");
        await Assertions.Expect(Page.GetByLabel("Facebook: @FlemingPrimary")).ToBeCheckedAsync();
        var other = await Page.GotoAsync(Url($"/drafts/new?from={Guid.NewGuid()}"));
        other!.Status.Should().Be(404);
    }

    /// <summary>Submits a draft for Fleming's Facebook page as <paramref name="email"/> through <see cref="ItemIntake"/>, as the drafts API does.</summary>
    private async Task<Guid> SubmitAsync(string email, string text, params PhotoUpload[] photos)
    {
        using var scope = Fixture.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Moderation.Domain.Persistence.ModerationDbContext>();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        var roles = await db.UserRoles.Where(ur => ur.UserId == user.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToListAsync();
        var schools = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.SchoolId).ToListAsync();
        var me = new Moderation.Domain.Accounts.StaffMember(user.Id, user.DisplayName, roles.ToHashSet(), schools.ToHashSet());
        var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Platform == Platform.Facebook && a.SchoolId == Fixture.Schools["fleming-primary"]);
        var outcome = await scope.ServiceProvider.GetRequiredService<ItemIntake>()
            .SubmitDraftAsync(me, account.SchoolId, text, [account.Id], photos, CancellationToken.None);
        outcome.Kind.Should().Be(OutcomeKind.Ok, outcome.Detail);
        return outcome.Item!.Id;
    }

    /// <summary>
    /// Connects Fleming's blog to <paramref name="blog"/>, or (null) puts it back to unconnected: accounts are
    /// reference data that the per-test reset keeps.
    /// </summary>
    private async Task SetBlogAsync(WordPressBlog? blog)
    {
        var protector = Fixture.Factory.Services.GetRequiredService<CredentialProtector>();
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.SingleAsync(a => a.Handle == "fleming-blog");
        account.ConnectionStatus = blog is null ? ConnectionStatus.NotConnected : ConnectionStatus.Connected;
        account.ApiBaseUrl = blog?.SiteUrl.ToString();
        account.ProtectedCredentials = blog is null ? null : protector.Protect(blog.Credentials);
        account.ConnectedAt = null;
        account.CircuitState = null;
        await db.SaveChangesAsync();
    }
}
