using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Moderation.Domain.Notifications;
using Moderation.Domain.Platforms;
using Moderation.Testing;

namespace Moderation.Domain.Tests.Platforms;

/// <summary>Signed, expiring public links to a draft's photo, for platforms that fetch photos to publish them.</summary>
public sealed class PublicMediaLinksTests
{
    private readonly IDataProtectionProvider _keys = new EphemeralDataProtectionProvider();

    private PublicMediaLinks Links(string? baseUrl = "https://moderation.trust.sch.uk", TimeProvider? time = null) =>
        new(_keys, Options.Create(new NotificationOptions { PublicBaseUrl = baseUrl }), time ?? TimeProvider.System);

    [Fact]
    public void A_link_is_under_the_services_public_address_and_names_the_photo()
    {
        // Arrange
        var links = Links("https://moderation.trust.sch.uk/");
        var media = Guid.NewGuid();

        // Act
        var link = links.LinkFor(media);

        // Assert
        link.GetLeftPart(UriPartial.Authority).Should().Be("https://moderation.trust.sch.uk");
        link.AbsolutePath.Should().StartWith("/public/media/");
        link.AbsoluteUri.Should().NotContain(media.ToString("N"), "the photo's id is sealed in the token");
        links.TryRead(link.Segments[^1], out var read).Should().BeTrue();
        read.Should().Be(media);
    }

    [Fact]
    public void An_altered_token_or_another_services_token_names_nothing()
    {
        var token = Links().LinkFor(Guid.NewGuid()).Segments[^1];
        var other = new PublicMediaLinks(new EphemeralDataProtectionProvider(), Options.Create(new NotificationOptions { PublicBaseUrl = "https://x" }), TimeProvider.System);

        Links().TryRead(token[..^2] + (token[^2] == 'A' ? "BB" : "AA"), out _).Should().BeFalse();
        Links().TryRead("not-a-token", out _).Should().BeFalse();
        Links().TryRead("", out _).Should().BeFalse();
        other.TryRead(token, out _).Should().BeFalse();
    }

    [Fact]
    public void A_link_expires_after_its_lifetime()
    {
        // Arrange: a link made more than an hour ago.
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow - PublicMediaLinks.Lifetime - TimeSpan.FromMinutes(1));
        var token = Links(time: clock).LinkFor(Guid.NewGuid()).Segments[^1];

        // Act and assert
        Links().TryRead(token, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    public void Without_a_public_address_no_link_can_be_made(string? baseUrl)
    {
        var act = () => Links(baseUrl).LinkFor(Guid.NewGuid());

        act.Should().Throw<PublicMediaUnavailableException>().WithMessage("*Notifications:PublicBaseUrl*");
    }
}
