using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.WordPress;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.WordPress;

public sealed class WordPressLiveTests(WordPressBlog blog) : IClassFixture<WordPressBlog>
{
    private static WordPressConnector Connector(int pageSize = WordPressConnector.MaxPageSize) => new(PlatformKit.Http()) { PageSize = pageSize };

    private static string Unique(string text) => $"{text} [{Guid.NewGuid():N}]";

    /// <summary>A cursor at the end of the hold list as it is now, so that a poll returns what a test adds after it.</summary>
    private async Task<string> CursorAtTheEndAsync(WordPressConnector connector) =>
        (await connector.FetchAsync(blog.Account(), null, 0, CancellationToken.None)).NextCursor!;

    [Fact]
    public async Task Held_comments_are_ingested_with_their_author_post_and_time()
    {
        // Arrange
        var connector = Connector();
        var cursor = await CursorAtTheEndAsync(connector);
        var texts = new[] { Unique("Lovely photos from the trip"), Unique("When is the next cake sale?") };
        var ids = new List<long>();
        foreach (var text in texts)
        {
            ids.Add(await blog.HoldAsync(text));
        }

        // Act
        var (comments, _, _) = await connector.PollAsync(blog.Account(), cursor);

        // Assert
        comments.Select(c => c.PlatformItemId).Should().Equal(ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));
        comments.Select(c => c.Text).Should().Equal(texts);
        comments.Should().OnlyContain(c => c.Kind == ItemKind.InboundComment && !c.PubliclyVisible && c.AuthorName == "A parent"
            && c.ParentId == blog.PostId.ToString(CultureInfo.InvariantCulture));
        comments[0].PostedAt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5), "date_gmt is read as UTC");
        comments[0].Url.Should().StartWith(blog.SiteUrl.AbsoluteUri).And.EndWith($"#comment-{ids[0]}");
        JsonDocument.Parse(comments[0].RawJson).RootElement.GetProperty("status").GetString().Should().Be("hold");
    }

    [Fact]
    public async Task The_most_recent_held_comments_are_read_on_first_connection()
    {
        // Arrange
        var newest = await blog.HoldAsync(Unique("Newest comment"));

        // Act
        var result = await Connector().FetchAsync(blog.Account(), null, 1, CancellationToken.None);

        // Assert
        result.Comments.Should().ContainSingle().Which.PlatformItemId.Should().Be(newest.ToString(CultureInfo.InvariantCulture));
        result.More.Should().BeFalse();
    }

    [Fact]
    public async Task Paging_through_many_held_comments_misses_none_even_when_some_are_moderated_between_polls()
    {
        // Arrange
        var connector = Connector(pageSize: 3);
        var cursor = await CursorAtTheEndAsync(connector);
        var first = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            first.Add(await blog.HoldAsync(Unique($"Page comment {i}")));
        }

        var (firstPoll, stored, pages) = await connector.PollAsync(blog.Account(), cursor);

        // The school approves three of them, which shifts the hold list; then two more arrive.
        foreach (var id in first.Take(3))
        {
            await connector.ApplyAsync(blog.Account(), PlatformAction.Publish, id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        }

        var later = new[] { await blog.HoldAsync(Unique("Later comment 1")), await blog.HoldAsync(Unique("Later comment 2")) };

        // Act
        var (secondPoll, _, _) = await connector.PollAsync(blog.Account(), stored);

        // Assert
        pages.Should().BeGreaterThan(2, "three comments a page");
        firstPoll.Select(c => long.Parse(c.PlatformItemId, CultureInfo.InvariantCulture)).Should().Equal(first);
        secondPoll.Select(c => long.Parse(c.PlatformItemId, CultureInfo.InvariantCulture)).Should().Equal(later);
    }

    [Fact]
    public async Task Approving_makes_the_comment_publicly_visible()
    {
        // Arrange
        var text = Unique("Congratulations to the netball team");
        var id = await blog.HoldAsync(text);
        using var before = await blog.Anonymous.GetAsync($"comments/{id}");

        // Act
        var result = await Connector().ApplyAsync(blog.Account(), PlatformAction.Publish, id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);

        // Assert
        before.IsSuccessStatusCode.Should().BeFalse("the public never sees a held comment");
        using var after = await blog.Anonymous.GetAsync($"comments/{id}");
        var shown = await WordPressBlog.ReadAsync(after, HttpStatusCode.OK);
        shown.GetProperty("content").GetProperty("rendered").GetString().Should().Contain("Congratulations to the netball team");
        using var onPost = await blog.Anonymous.GetAsync($"comments?post={blog.PostId}");
        (await WordPressBlog.ReadAsync(onPost, HttpStatusCode.OK)).EnumerateArray().Select(c => c.GetProperty("id").GetInt64()).Should().Contain(id);
        result.Url.Should().EndWith($"#comment-{id}");
    }

    [Fact]
    public async Task Rejecting_trashes_the_comment_and_rejecting_again_finds_it_gone()
    {
        // Arrange
        var id = await blog.HoldAsync(Unique("Something the school would rather not show"));
        var connector = Connector();

        // Act
        var result = await connector.ApplyAsync(blog.Account(), PlatformAction.Delete, id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        var again = async () => await connector.ApplyAsync(blog.Account(), PlatformAction.Delete, id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);

        // Assert
        result.Description.Should().Contain("trash");
        using var anonymous = await blog.Anonymous.GetAsync($"comments/{id}");
        anonymous.IsSuccessStatusCode.Should().BeFalse();
        using var edit = await blog.Admin.GetAsync($"comments/{id}?context=edit");
        (await WordPressBlog.ReadAsync(edit, HttpStatusCode.OK)).GetProperty("status").GetString().Should().Be("trash");
        var gone = (await again.Should().ThrowAsync<PlatformCallException>()).Which;
        gone.Failure.Should().Be(PlatformFailure.NotFound);
        gone.Status.Should().Be(410);
    }

    [Fact]
    public async Task A_comment_in_non_ASCII_text_survives_the_round_trip_exactly()
    {
        // Arrange
        var connector = Connector();
        var cursor = await CursorAtTheEndAsync(connector);
        var text = Unique("Ça va? Zoë's ☃ — ありがとう");
        var id = await blog.HoldAsync(text, author: "Zoë Ñandú-Łukasz");

        // Act
        var comment = (await connector.PollAsync(blog.Account(), cursor)).Comments.Single();
        await connector.ApplyAsync(blog.Account(), PlatformAction.Publish, comment.PlatformItemId, CancellationToken.None);

        // Assert
        comment.PlatformItemId.Should().Be(id.ToString(CultureInfo.InvariantCulture));
        comment.Text.Should().Be(text);
        comment.AuthorName.Should().Be("Zoë Ñandú-Łukasz");
        using var shown = await blog.Anonymous.GetAsync($"comments/{id}");
        (await WordPressBlog.ReadAsync(shown, HttpStatusCode.OK)).GetProperty("content").GetProperty("rendered").GetString()
            .Should().Contain("Ça va? Zoë").And.Contain("☃ — ありがとう");
    }

    [Fact]
    public async Task Publishing_a_draft_with_a_photo_creates_a_public_post_showing_the_uploaded_photo()
    {
        // Arrange
        var png = File.ReadAllBytes(Photos.PhotoFixtures.BasePath("base.png"));
        var text = Unique("Sports day: Zoë's team won the relay & the egg-and-spoon") + "\n\nThank you to every parent who came.";
        var publication = new Publication(Guid.NewGuid(), text, [new PublicationPhoto("sports day.png", "image/png", png)]);

        // Act
        var result = await Connector().PublishAsync(blog.Account(), publication, CancellationToken.None);

        // Assert
        blog.Forget($"posts/{result.PlatformId}?force=true");
        using var answer = await blog.Anonymous.GetAsync($"posts/{result.PlatformId}");
        var post = await WordPressBlog.ReadAsync(answer, HttpStatusCode.OK);
        post.GetProperty("status").GetString().Should().Be("publish");
        post.GetProperty("link").GetString().Should().Be(result.Url);
        post.GetProperty("title").GetProperty("rendered").GetString().Should().StartWith("Sports day: Zoë");
        var mediaId = post.GetProperty("featured_media").GetInt64();
        mediaId.Should().BePositive();
        blog.Forget(string.Create(CultureInfo.InvariantCulture, $"media/{mediaId}?force=true"));
        using var mediaAnswer = await blog.Anonymous.GetAsync($"media/{mediaId}");
        var media = await WordPressBlog.ReadAsync(mediaAnswer, HttpStatusCode.OK);
        var sourceUrl = media.GetProperty("source_url").GetString()!;
        media.GetProperty("mime_type").GetString().Should().Be("image/png");
        var content = post.GetProperty("content").GetProperty("rendered").GetString();
        content.Should().Contain(sourceUrl).And.Contain("Thank you to every parent who came.").And.Contain("the egg-and-spoon");
        (await blog.Anonymous.GetByteArrayAsync(sourceUrl)).Should().Equal(png, "the published photo is the one given");
    }

    [Fact]
    public async Task Testing_the_account_names_the_user_and_a_wrong_password_needs_reconnecting()
    {
        // Act
        var name = await Connector().TestAsync(blog.Account(), CancellationToken.None);
        var wrong = async () => await Connector().TestAsync(blog.Account(blog.Credentials with { Password = "aaaa bbbb cccc dddd eeee ffff" }), CancellationToken.None);

        // Assert
        name.Should().Be(blog.Credentials.Username);
        (await wrong.Should().ThrowAsync<PlatformCallException>()).Which.Failure.Should().Be(PlatformFailure.Unauthorized);
    }
}
