using System.Net;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;

namespace Moderation.Api.Tests;

/// <summary>The public address Instagram fetches an approved draft's photo from: signed, expiring, and nothing else.</summary>
public sealed class PublicMediaTests(ApiFixture fixture) : ApiTest(fixture)
{
    private static readonly byte[] s_original = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0x47, 0x50, 0x53];
    private static readonly byte[] s_stripped = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0xFF, 0xD9];

    /// <summary>A staff draft with one photo, in the given state, stored directly.</summary>
    private async Task<Guid> DraftPhotoAsync(ItemState state, bool stripped = true)
    {
        var now = DateTimeOffset.UtcNow;
        var item = new ModerationItem
        {
            Id = Guid.CreateVersion7(now),
            SchoolId = Fixture.Schools["fleming-primary"],
            Kind = ItemKind.OutboundDraft,
            State = state,
            Text = "Sports day",
            ReceivedAt = now,
            UpdatedAt = now,
        };
        var media = new ItemMedia
        {
            Id = Guid.CreateVersion7(now),
            ItemId = item.Id,
            FileName = "sports.jpg",
            ContentType = "image/jpeg",
            Length = s_original.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(s_original)),
            Content = s_original,
            PublishableContent = stripped ? s_stripped : null,
        };
        item.Media.Add(media);
        await using var db = Fixture.Db();
        db.Items.Add(item);
        await db.SaveChangesAsync();
        return media.Id;
    }

    private string PathFor(Guid mediaId) =>
        Fixture.Factory.Services.GetRequiredService<IPublicMediaLinks>().LinkFor(mediaId).PathAndQuery;

    [Theory]
    [InlineData(ItemState.Approved)]
    [InlineData(ItemState.Actioned)]
    public async Task An_approved_drafts_photo_is_served_anonymously_without_its_location(ItemState state)
    {
        // Arrange
        var mediaId = await DraftPhotoAsync(state);
        using var anyone = Fixture.Anonymous();

        // Act
        using var response = await anyone.GetAsync(PathFor(mediaId));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("image/jpeg");
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(s_stripped, "only the location-stripped copy is ever public");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
    }

    [Fact]
    public async Task The_link_is_under_the_services_public_address()
    {
        var link = Fixture.Factory.Services.GetRequiredService<IPublicMediaLinks>().LinkFor(Guid.NewGuid());

        link.AbsoluteUri.Should().StartWith("http://moderation.test/public/media/");
    }

    [Theory]
    [InlineData(ItemState.AwaitingReview)]
    [InlineData(ItemState.Rejected)]
    [InlineData(ItemState.Escalated)]
    public async Task A_photo_not_approved_for_publishing_is_404_even_with_a_valid_link(ItemState state)
    {
        var mediaId = await DraftPhotoAsync(state);
        using var anyone = Fixture.Anonymous();

        using var response = await anyone.GetAsync(PathFor(mediaId));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_photo_without_a_stripped_copy_is_404()
    {
        var mediaId = await DraftPhotoAsync(ItemState.Approved, stripped: false);
        using var anyone = Fixture.Anonymous();

        using var response = await anyone.GetAsync(PathFor(mediaId));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_made_up_or_altered_token_is_404()
    {
        var mediaId = await DraftPhotoAsync(ItemState.Approved);
        var path = PathFor(mediaId);
        using var anyone = Fixture.Anonymous();

        using var madeUp = await anyone.GetAsync($"/public/media/{mediaId:N}");
        using var altered = await anyone.GetAsync(path[..^3] + (path[^3] == 'x' ? "yyy" : "xxx"));

        madeUp.StatusCode.Should().Be(HttpStatusCode.NotFound);
        altered.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
