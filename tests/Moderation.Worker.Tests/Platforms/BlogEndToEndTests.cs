using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing;
using Moderation.Testing.Platforms;

namespace Moderation.Worker.Tests.Platforms;

/// <summary>
/// The whole loop against the real WordPress that infra/wordpress.sh runs: the clustered scheduler gives the
/// connected blog a polling job, held comments become queue items, and decisions come back to the blog.
/// </summary>
public sealed class BlogEndToEndTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task Held_blog_comments_are_polled_into_the_queue_and_approval_and_rejection_are_carried_out_on_the_blog()
    {
        // Arrange: two held comments, one in non-ASCII text, and the school's blog connected with polling every 2 s.
        var blog = new WordPressBlog();
        await blog.InitializeAsync();
        try
        {
            await RunAsync(blog);
        }
        finally
        {
            await blog.DisposeAsync();
        }
    }

    private async Task RunAsync(WordPressBlog blog)
    {
        var kind = await blog.HoldAsync($"Thank you for the lovely nativity — merci, danke, ありがとう [{Guid.NewGuid():N}]");
        var rude = await blog.HoldAsync($"This school is a disgrace and the teachers are idiots [{Guid.NewGuid():N}]");
        var account = await ConnectBlogAsync(blog);
        using var worker = await WorkerFixture.StartWorkerAsync(null,
            "--Platforms:PollScheduleRefresh=00:00:01", "--Platforms:RetryBaseDelay=00:00:00.050", "--Routing:SweepEnabled=false");

        // Act: the poll ingests both; a moderator approves one and rejects the other.
        var items = await Eventually.WaitForAsync(() => ItemsAsync(account.Id, kind, rude), found => found.Count == 2, "the poll to ingest both comments", TimeSpan.FromSeconds(90));
        await Fixture.DecideAsync(items[kind.ToString()].Id, approve: true);
        await Fixture.DecideAsync(items[rude.ToString()].Id, approve: false);

        // Assert
        await Eventually.WaitForAsync(() => Fixture.CountInStateAsync([.. items.Values.Select(i => i.Id)], ItemState.Actioned), n => n == 2, "both decisions to be carried out");
        var shown = await blog.Anonymous.GetAsync($"comments/{kind}");
        shown.StatusCode.Should().Be(HttpStatusCode.OK, "an approved comment is public");
        var content = (await shown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("content").GetProperty("rendered").GetString();
        content.Should().Contain("merci, danke, ありがとう");
        (await blog.Anonymous.GetAsync($"comments/{rude}")).StatusCode.Should().NotBe(HttpStatusCode.OK, "a rejected comment is not public");
        var trashed = await blog.Admin.GetFromJsonAsync<JsonElement>($"comments/{rude}?context=edit");
        trashed.GetProperty("status").GetString().Should().Be("trash");

        await using var db = Fixture.Db();
        var polled = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Id == account.Id);
        polled.LastPolledAt.Should().NotBeNull();
        polled.PollCursor.Should().NotBeNullOrEmpty("the next poll continues from where this one stopped");
        var kindItem = await db.Items.AsNoTracking().SingleAsync(i => i.Id == items[kind.ToString()].Id);
        kindItem.Text.Should().Contain("ありがとう", "non-ASCII text survives the round trip");
        kindItem.HiddenOnPlatform.Should().BeFalse("the blog holds comments itself, so nothing was hidden on arrival");
        kindItem.PlatformPayload.Should().Contain("\"status\"");
        kindItem.PlatformOutcome.Should().Contain("Published on Blog");
        (await db.PlatformActions.CountAsync(a => a.SocialAccountId == account.Id && a.Purpose == ActionPurpose.Arrival)).Should().Be(0);
    }

    [Fact]
    public async Task An_approved_staff_post_is_published_on_the_blog_with_the_location_stripped_copy_of_its_photo()
    {
        // Arrange: a Year 4 teacher's post with a photo that has GPS in it, to the connected blog.
        var blog = new WordPressBlog();
        await blog.InitializeAsync();
        try
        {
            var account = await ConnectBlogAsync(blog);
            var photo = ExifTool.Tag(ExifTool.BaseJpeg, "-GPSLatitude=51.5072", "-GPSLatitudeRef=N", "-GPSLongitude=0.1276", "-GPSLongitudeRef=W");
            using var worker = await WorkerFixture.StartWorkerAsync(null, "--Platforms:PollingEnabled=false", "--Routing:SweepEnabled=false");
            Guid draftId;
            await using (var db = Fixture.Db())
            {
                var author = await StaffAsync(db, "author@fleming.example");
                using var scope = Fixture.Services.CreateScope();
                var outcome = await scope.ServiceProvider.GetRequiredService<ItemIntake>().SubmitDraftAsync(
                    author, account.SchoolId, $"Year 4 visited the castle today [{Guid.NewGuid():N}]", [account.Id], [new PhotoUpload("castle.jpg", photo)], CancellationToken.None);
                outcome.Kind.Should().Be(OutcomeKind.Ok, outcome.Detail);
                draftId = outcome.Item!.Id;
            }

            // Act: the headteacher approves it once screening has made the clean copy.
            await Eventually.WaitForAsync(() => Fixture.CountInStateAsync([draftId], ItemState.AwaitingReview), n => n == 1, "the draft to be screened");
            await using (var db = Fixture.Db())
            {
                var head = await StaffAsync(db, "head@fleming.example");
                await Fixture.DecideAsPersonAsync(decisions => decisions.ApproveAsync(draftId, head, null, null, CancellationToken.None));
            }

            // Assert: published once, with the photo's clean copy, and the post's address on the action.
            await Eventually.WaitForAsync(() => Fixture.CountInStateAsync([draftId], ItemState.Actioned), n => n == 1, "the post to be published");
            await using var check = Fixture.Db();
            var action = await check.PlatformActions.AsNoTracking().SingleAsync(a => a.ItemId == draftId);
            action.Status.Should().Be(ActionStatus.Done);
            action.ResultUrl.Should().StartWith(blog.SiteUrl.ToString());
            blog.Forget($"posts/{action.ResultPlatformId}?force=true");
            var post = await blog.Anonymous.GetFromJsonAsync<JsonElement>($"posts/{action.ResultPlatformId}");
            post.GetProperty("title").GetProperty("rendered").GetString().Should().Contain("Year 4 visited the castle today");
            var mediaId = post.GetProperty("featured_media").GetInt64();
            blog.Forget($"media/{mediaId}?force=true");
            var media = await blog.Anonymous.GetFromJsonAsync<JsonElement>($"media/{mediaId}");
            var published = await blog.Anonymous.GetByteArrayAsync(media.GetProperty("source_url").GetString());
            var stored = await check.ItemMedia.AsNoTracking().SingleAsync(m => m.ItemId == draftId);
            published.Should().Equal(stored.PublishableContent, "the blog got the location-stripped copy, byte for byte");
            published.Should().NotEqual(stored.Content, "not the original with its GPS");
            Moderation.Domain.Screening.Photos.PhotoSanitiser.Verify(published).Should().BeEmpty();
        }
        finally
        {
            await blog.DisposeAsync();
        }
    }

    private static async Task<Moderation.Domain.Accounts.StaffMember> StaffAsync(Moderation.Domain.Persistence.ModerationDbContext db, string email)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
        var roles = await db.UserRoles.Where(ur => ur.UserId == user.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToListAsync();
        var schools = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.SchoolId).ToListAsync();
        return new Moderation.Domain.Accounts.StaffMember(user.Id, user.DisplayName, roles.ToHashSet(), schools.ToHashSet());
    }

    private async Task<SocialAccount> ConnectBlogAsync(WordPressBlog blog)
    {
        var protector = Fixture.Services.GetRequiredService<CredentialProtector>();
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.SingleAsync(a => a.Handle == "fleming-blog");
        account.ConnectionStatus = ConnectionStatus.Connected;
        account.ApiBaseUrl = blog.SiteUrl.ToString();
        account.ProtectedCredentials = protector.Protect(blog.Credentials);
        account.PollIntervalSeconds = 2;
        await db.SaveChangesAsync();
        return account;
    }

    private async Task<Dictionary<string, ModerationItem>> ItemsAsync(Guid accountId, params long[] commentIds)
    {
        var ids = commentIds.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await using var db = Fixture.Db();
        return await db.Items.AsNoTracking().Where(i => i.SocialAccountId == accountId && ids.Contains(i.PlatformItemId!)).ToDictionaryAsync(i => i.PlatformItemId!);
    }
}
