using System.Text;
using System.Text.Json;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Platforms.Meta;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Domain.Tests.Platforms.Meta;

/// <summary>Webhook bodies shaped like Meta's published examples, and bodies that are not.</summary>
public sealed class MetaWebhookParsingTests
{
    private const string PageId = "100200300400500";
    private const string IgUserId = "17841400000000001";

    private static FacebookConnector Facebook() => new(PlatformKit.Http(), TimeProvider.System);

    private static InstagramConnector Instagram() => new(PlatformKit.Http(), TimeProvider.System, new NoLinks());

    private static string FeedChange(string item = "comment", string verb = "add", string fromId = "5550001", string commentId = "7001_9001", string? parentId = null) =>
        $$$"""
        {"field":"feed","value":{"item":"{{{item}}}","verb":"{{{verb}}}","comment_id":"{{{commentId}}}","post_id":"{{{PageId}}}_7001",
         "parent_id":"{{{parentId ?? PageId + "_7001"}}}","from":{"id":"{{{fromId}}}","name":"A Parent"},
         "message":"Will the school be open on Monday?","created_time":1795600800}}
        """;

    private static string PageBody(params string[] changes) =>
        $$$"""{"object":"page","entry":[{"id":"{{{PageId}}}","time":1795600805,"changes":[{{{string.Join(",", changes)}}}]}]}""";

    [Fact]
    public void A_Page_feed_change_for_a_new_comment_becomes_one_public_comment_of_that_Page()
    {
        // Act
        var comments = Facebook().ParseWebhook(PageBody(FeedChange()));

        // Assert
        var comment = comments.Should().ContainSingle().Subject;
        comment.PlatformItemId.Should().Be("7001_9001");
        comment.Kind.Should().Be(ItemKind.InboundComment);
        comment.AuthorName.Should().Be("A Parent");
        comment.AuthorPlatformId.Should().Be("5550001");
        comment.Text.Should().Be("Will the school be open on Monday?");
        comment.PostedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1795600800));
        comment.ParentId.Should().Be($"{PageId}_7001");
        comment.Url.Should().Be($"https://www.facebook.com/{PageId}/posts/7001?comment_id=9001");
        comment.PubliclyVisible.Should().BeTrue("Facebook shows a comment the moment it is made");
        comment.AccountExternalId.Should().Be(PageId);
        JsonDocument.Parse(comment.RawJson).RootElement.GetProperty("comment_id").GetString().Should().Be("7001_9001");
    }

    [Fact]
    public void A_reply_keeps_the_comment_it_answers_as_its_parent()
    {
        var comment = Facebook().ParseWebhook(PageBody(FeedChange(commentId: "7001_9002", parentId: "7001_9001"))).Single();

        comment.ParentId.Should().Be("7001_9001");
    }

    [Theory]
    [InlineData("reaction", "add")]
    [InlineData("share", "add")]
    [InlineData("status", "add")]
    [InlineData("comment", "edited")]
    [InlineData("comment", "remove")]
    [InlineData("comment", "hide")]
    public void Other_feed_changes_are_ignored(string item, string verb)
    {
        Facebook().ParseWebhook(PageBody(FeedChange(item, verb))).Should().BeEmpty();
    }

    [Fact]
    public void The_Pages_own_comments_are_ignored()
    {
        Facebook().ParseWebhook(PageBody(FeedChange(fromId: PageId))).Should().BeEmpty();
    }

    [Fact]
    public void Changes_of_other_fields_are_ignored_and_entries_without_changes_are_skipped()
    {
        var body = $$$"""
            {"object":"page","entry":[
              {"id":"{{{PageId}}}","time":1795600805,"changes":[{"field":"ratings","value":{"item":"rating","verb":"add"}}]},
              {"id":"{{{PageId}}}","time":1795600806,"messaging":[{"sender":{"id":"1"},"message":{"text":"hi"}}]}]}
            """;

        Facebook().ParseWebhook(body).Should().BeEmpty();
    }

    [Fact]
    public void One_body_for_two_Pages_names_each_comments_Page()
    {
        var body = $$$"""
            {"object":"page","entry":[
              {"id":"{{{PageId}}}","time":1795600805,"changes":[{{{FeedChange(commentId: "7001_1")}}}]},
              {"id":"200300400500600","time":1795600806,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"8001_1","post_id":"200300400500600_8001","from":{"id":"6660001","name":"B"},"message":"Hello","created_time":1795600806}}]}]}
            """;

        var comments = Facebook().ParseWebhook(body);

        comments.Select(c => (c.PlatformItemId, c.AccountExternalId)).Should().Equal(("7001_1", PageId), ("8001_1", "200300400500600"));
    }

    [Fact]
    public void An_Instagram_comments_change_becomes_one_public_comment_of_that_account()
    {
        // Arrange
        var body = $$$"""
            {"object":"instagram","entry":[{"id":"{{{IgUserId}}}","time":1795600805,"changes":[{"field":"comments","value":{
              "from":{"id":"232323232","username":"test_parent"},
              "media":{"id":"18000000000000001","media_product_type":"FEED"},
              "id":"17865799348089039","text":"This is an example."}}]}]}
            """;

        // Act
        var comment = Instagram().ParseWebhook(body).Should().ContainSingle().Subject;

        // Assert
        comment.PlatformItemId.Should().Be("17865799348089039");
        comment.AuthorName.Should().Be("test_parent");
        comment.AuthorPlatformId.Should().Be("232323232");
        comment.Text.Should().Be("This is an example.");
        comment.ParentId.Should().Be("18000000000000001");
        comment.PostedAt.Should().Be(DateTimeOffset.FromUnixTimeSeconds(1795600805), "the change has no time of its own");
        comment.PubliclyVisible.Should().BeTrue();
        comment.AccountExternalId.Should().Be(IgUserId);
        comment.Url.Should().BeNull();
    }

    [Fact]
    public void An_Instagram_reply_keeps_its_parent_and_the_accounts_own_and_other_fields_are_ignored()
    {
        var body = $$$"""
            {"object":"instagram","entry":[{"id":"{{{IgUserId}}}","time":1795600805,"changes":[
              {"field":"comments","value":{"from":{"id":"232323232","username":"test_parent"},"media":{"id":"18000000000000001"},"id":"17800000000000002","parent_id":"17800000000000001","text":"Reply"}},
              {"field":"comments","value":{"from":{"id":"{{{IgUserId}}}","username":"flemingprimary"},"media":{"id":"18000000000000001"},"id":"17800000000000003","text":"Thanks!"}},
              {"field":"mentions","value":{"media_id":"18000000000000009","comment_id":"17800000000000004"}}]}]}
            """;

        var comment = Instagram().ParseWebhook(body).Should().ContainSingle().Subject;

        comment.PlatformItemId.Should().Be("17800000000000002");
        comment.ParentId.Should().Be("17800000000000001");
    }

    public static TheoryData<string> MalformedPageBodies => new()
    {
        "this is not json",
        "{\"object\":\"page\",\"entry\":[{\"id\":\"1\",\"changes\":[",
        "[]",
        "{}",
        """{"object":"instagram","entry":[]}""",
        """{"object":"page"}""",
        """{"object":"page","entry":{"id":"1"}}""",
        """{"object":"page","entry":[{"time":1,"changes":[]}]}""",
        """{"object":"page","entry":[{"id":"1","changes":{"field":"feed"}}]}""",
        """{"object":"page","entry":[{"id":"1","changes":[{"field":"feed"}]}]}""",
        """{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","message":"no id"}}]}]}""",
    };

    [Theory]
    [MemberData(nameof(MalformedPageBodies))]
    public void A_body_that_is_not_Metas_shape_is_a_payload_error(string body)
    {
        var act = () => Facebook().ParseWebhook(body);

        act.Should().Throw<PlatformPayloadException>();
    }

    [Theory]
    [InlineData("""{"object":"page","entry":[]}""")]
    [InlineData("""{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments","value":{"text":"no id"}}]}]}""")]
    [InlineData("""{"object":"instagram","entry":[{"id":"1","changes":[{"field":"comments","value":"text"}]}]}""")]
    public void An_Instagram_body_that_is_not_Metas_shape_is_a_payload_error(string body)
    {
        var act = () => Instagram().ParseWebhook(body);

        act.Should().Throw<PlatformPayloadException>();
    }

    [Fact]
    public void A_signature_is_the_hex_HMAC_SHA256_of_the_raw_body_with_the_app_secret()
    {
        // Arrange: the digest computed independently of the code under test.
        var body = Encoding.UTF8.GetBytes(PageBody(FeedChange()));
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes("app-secret"));
        var header = "sha256=" + Convert.ToHexString(hmac.ComputeHash(body)).ToLowerInvariant();

        // Act and assert
        MetaWebhooks.Sign("app-secret", body).Should().Be(header);
        MetaWebhooks.IsSignatureValid("app-secret", body, header).Should().BeTrue();
        MetaWebhooks.IsSignatureValid("app-secret", body, header.ToUpperInvariant().Replace("SHA256=", "sha256=", StringComparison.Ordinal)).Should().BeTrue("hex is hex in either case");
        MetaWebhooks.IsSignatureValid("other-secret", body, header).Should().BeFalse();
        MetaWebhooks.IsSignatureValid("app-secret", [.. body, (byte)' '], header).Should().BeFalse("the raw body is signed, byte for byte");
        MetaWebhooks.IsSignatureValid("app-secret", body, header[7..]).Should().BeFalse("the sha256= prefix is part of the header");
        MetaWebhooks.IsSignatureValid("app-secret", body, "sha1=" + header[7..]).Should().BeFalse();
        MetaWebhooks.IsSignatureValid("app-secret", body, "sha256=" + new string('z', 64)).Should().BeFalse();
        MetaWebhooks.IsSignatureValid("app-secret", body, null).Should().BeFalse();
        MetaWebhooks.IsSignatureValid(null, body, header).Should().BeFalse("without an app secret nothing is trusted");
        MetaWebhooks.IsSignatureValid("", body, header).Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"object":"page","entry":[{"id":"1"},{"id":2},{"id":"1"}]}""", Platform.Facebook, new[] { "1", "2" })]
    [InlineData("""{"object":"instagram","entry":[{"id":"17841400000000001"}]}""", Platform.Instagram, new[] { "17841400000000001" })]
    public void The_envelope_names_the_platform_and_each_entrys_account_once(string body, Platform platform, string[] ids)
    {
        using var json = JsonDocument.Parse(body);

        var (actualPlatform, accountIds) = MetaWebhooks.ReadEnvelope(json.RootElement);

        actualPlatform.Should().Be(platform);
        accountIds.Should().Equal(ids);
    }

    [Theory]
    [InlineData("""{"object":"user","entry":[{"id":"1"}]}""")]
    [InlineData("""{"object":"page","entry":[]}""")]
    [InlineData("""{"object":"page"}""")]
    [InlineData("""{"object":"page","entry":[{"time":1}]}""")]
    public void An_envelope_that_is_not_a_Page_or_Instagram_body_is_refused(string body)
    {
        using var json = JsonDocument.Parse(body);

        var act = () => MetaWebhooks.ReadEnvelope(json.RootElement);

        act.Should().Throw<PlatformPayloadException>();
    }

    private sealed class NoLinks : IPublicMediaLinks
    {
        public Uri LinkFor(Guid mediaId) => throw new PublicMediaUnavailableException("none");

        public bool TryRead(string token, out Guid mediaId)
        {
            mediaId = Guid.Empty;
            return false;
        }
    }
}
