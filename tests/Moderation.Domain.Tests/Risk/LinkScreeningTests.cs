using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>Links must be appropriate and safe (003 §6.3(g)): allow and deny lists, and shorteners that hide where they go.</summary>
public sealed class LinkScreeningTests
{
    private static readonly RiskContext s_stMarys = new(schoolDomains: ["stmarys.sch.uk", "www.stmarys-pta.org"]);

    [Theory]
    [InlineData("Photos at https://www.stmarys.sch.uk/news/sports-day")]
    [InlineData("Photos at stmarys.sch.uk/gallery")]
    [InlineData("Tickets from stmarys-pta.org/disco")]
    [InlineData("Advice: https://www.nspcc.org.uk/keeping-children-safe/")]
    [InlineData("See www.gov.uk/school-term-holiday-dates.")]
    [InlineData("Watch on bbc.co.uk/bitesize")]
    public void Links_to_the_schools_own_or_allowed_domains_are_clean(string text)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        findings.Should().BeEmpty();
    }

    [Fact]
    public void The_schools_domain_is_clean_only_for_that_school()
    {
        // Arrange
        const string text = "Photos at https://www.stmarys.sch-photos.com/album";

        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        findings.Should().ContainSingle().Which.Rule.Should().Be("link-unlisted");
    }

    [Theory]
    [InlineData("lol https://pornhub.com/view?id=1 lol", "https://pornhub.com/view?id=1", "link-denied:pornhub.com")]
    [InlineData("go to www.xvideos.com now", "www.xvideos.com", "link-denied:xvideos.com")]
    [InlineData("chat on omegle.com", "omegle.com", "link-denied:omegle.com")]
    [InlineData("see https://de.pornhub.com/x", "https://de.pornhub.com/x", "link-denied:pornhub.com")]
    [InlineData("see pornhub[.]com", "pornhub[.]com", "link-denied:pornhub.com")]
    [InlineData("see HTTPS://XHAMSTER.COM", "HTTPS://XHAMSTER.COM", "link-denied:xhamster.com")]
    public void Links_to_denied_domains_are_severe(string text, string span, string rule)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        var hit = findings.Should().ContainSingle(f => f.Category == RiskCategories.Links).Which;
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(FindingSeverity.Severe);
        hit.Span(text).Should().Be(span);
    }

    [Theory]
    [InlineData("click bit.ly/3xYzAb", "bit.ly/3xYzAb", "bit.ly")]
    [InlineData("click https://tinyurl.com/abc123!", "https://tinyurl.com/abc123", "tinyurl.com")]
    [InlineData("(t.co/xyz)", "t.co/xyz", "t.co")]
    [InlineData("goo.gl/maps/abc", "goo.gl/maps/abc", "goo.gl")]
    [InlineData("ow.ly/a is.gd/b", "ow.ly/a", "ow.ly")]
    [InlineData("buff.ly/x", "buff.ly/x", "buff.ly")]
    [InlineData("rebrand.ly/x", "rebrand.ly/x", "rebrand.ly")]
    [InlineData("cutt.ly/x", "cutt.ly/x", "cutt.ly")]
    [InlineData("shorturl.at/x", "shorturl.at/x", "shorturl.at")]
    public void Url_shorteners_are_flagged(string text, string span, string domain)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        var hit = findings.Should().Contain(f => f.Rule == "link-shortener:" + domain).Which;
        hit.Severity.Should().Be(FindingSeverity.Warning);
        hit.Span(text).Should().Be(span);
    }

    [Fact]
    public void A_link_to_an_unlisted_site_is_noted_for_a_person_to_check()
    {
        // Arrange
        const string text = "Great offers at https://example-shop.co.uk/deals today";

        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        var hit = findings.Should().ContainSingle().Which;
        hit.Rule.Should().Be("link-unlisted");
        hit.Severity.Should().Be(FindingSeverity.Info);
        hit.Span(text).Should().Be("https://example-shop.co.uk/deals");
    }

    [Theory]
    [InlineData("Thanks Mr.Jones for the trip")]
    [InlineData("Read chapter 3.2 for homework, e.g. the river section, i.e. pages 4-6.")]
    [InlineData("Email office@example.com with questions")]
    [InlineData("Upload your homework.docx to the portal")]
    [InlineData("Pick-up at 3.15pm.")]
    public void Dots_that_are_not_links_are_ignored(string text)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text, s_stMarys);

        // Assert
        findings.Should().NotContain(f => f.Category == RiskCategories.Links);
    }
}
