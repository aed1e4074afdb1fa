using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

public sealed class RiskScreenerTests
{
    [Fact]
    public void The_screener_is_named_risk_and_screens_without_context_through_the_common_interface()
    {
        // Arrange
        ITextScreener screener = RiskRulesFixture.Screener;
        const string text = "I want to kill myself";

        // Act
        var findings = screener.Screen(text).ToList();

        // Assert
        screener.Name.Should().Be("risk");
        findings.Should().BeEquivalentTo(RiskRulesFixture.Screener.Screen(text, RiskContext.Empty));
        findings.Should().NotBeEmpty();
    }

    [Fact]
    public void Findings_come_in_the_order_they_appear_with_one_per_category_and_span()
    {
        // Arrange
        const string text = "fuck off. meet me after school, our secret. I'll kill you";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Select(f => f.Offset).Should().BeInAscendingOrder();
        findings.GroupBy(f => (f.Category, f.Offset, f.Length)).Should().OnlyContain(g => g.Count() == 1);
        findings.Select(f => f.Category).Should().Contain([RiskCategories.Profanity, RiskCategories.Grooming, RiskCategories.ThreatToLife]);
    }

    [Theory]
    [InlineData(RiskCategories.ChildSexualAbuse, true)]
    [InlineData(RiskCategories.Grooming, true)]
    [InlineData(RiskCategories.ThreatToLife, true)]
    [InlineData(RiskCategories.Hate, true)]
    [InlineData(RiskCategories.Radicalisation, true)]
    [InlineData(RiskCategories.AllegationAgainstStaff, true)]
    [InlineData(RiskCategories.Bullying, false)]
    [InlineData(RiskCategories.Complaint, false)]
    [InlineData(RiskCategories.Profanity, false)]
    [InlineData(RiskCategories.Links, false)]
    [InlineData(RiskCategories.LocationDisclosure, false)]
    [InlineData(RiskCategories.SchoolTerm, false)]
    public void Only_the_safeguarding_categories_raise_a_safeguarding_concern(string category, bool raises)
    {
        // Arrange
        var finding = new Finding(category, "rule", FindingSeverity.Info, 0, 1, "x");

        // Act
        var result = RiskCategories.RaisesSafeguardingConcern(finding);

        // Assert
        result.Should().Be(raises);
    }

    [Fact]
    public void Every_finding_carries_an_explanation_for_the_reviewer()
    {
        // Arrange
        const string text = "Mr Jones hit my son, that kid in year 5 is a loser, see bit.ly/x, we're away until Friday, f.u.c.k";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().HaveCountGreaterThan(4);
        findings.Should().OnlyContain(f => f.Explanation.Length > 5 && !f.Explanation.Contains('\n', StringComparison.Ordinal));
        findings.Should().OnlyContain(f => f.Rule.Length <= 64 && f.Category.Length <= 64);
    }

    [Fact]
    public void One_screener_gives_the_same_answers_on_many_threads_at_once()
    {
        // Arrange
        const string text = "Mr Jones hit my son, f.u.c.k this, see bit.ly/x";
        var context = new RiskContext(staffNames: ["Mr Jones"]);
        var expected = RiskRulesFixture.Screen(text, context);

        // Act
        var results = new IReadOnlyList<Finding>[64];
        Parallel.For(0, results.Length, i => results[i] = RiskRulesFixture.Screen(text, context));

        // Assert
        expected.Should().HaveCount(3);
        results.Should().OnlyContain(r => r.SequenceEqual(expected));
    }

    [Fact]
    public void A_very_long_text_is_screened_without_error()
    {
        // Arrange
        var text = string.Concat(Enumerable.Repeat("Lovely day at the farm with Year 2. ", 500)) + "kill yourself";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().ContainSingle().Which.Offset.Should().Be(text.Length - "kill yourself".Length);
    }

    // Real-looking posts and comments from a primary school's accounts: none of them should raise anything.
    [Theory]
    [InlineData("What a brilliant sports day! Well done to everyone in Year 5 and Year 6, especially the relay teams who ran their hearts out.")]
    [InlineData("Thank you to all the parents who came to cheer, and to the PTA for the cakes. We raised £420 for new books!")]
    [InlineData("Reception have been learning about minibeasts. They found spiders, snails and a very big worm.")]
    [InlineData("Year 3 are performing their Roman assembly on Thursday at 2.30pm. All welcome.")]
    [InlineData("Reminder: school closes for half term on Friday. We return on Monday 3rd November.")]
    [InlineData("Our Year 6 choir absolutely smashed it at the Young Voices concert!")]
    [InlineData("Congratulations to Class 4 for 100% attendance this week. Extra playtime for you!")]
    [InlineData("So proud of my little one, she loved the nativity. Thank you Miss Hughes!")]
    [InlineData("Can someone tell me what time the disco finishes?")]
    [InlineData("Is there school tomorrow because of the snow?")]
    [InlineData("Our cookery club made scones with jam and cream. Delicious!")]
    [InlineData("The Year 1 phonics screening check is next week. Please keep reading at home.")]
    [InlineData("Brilliant work in science: Year 4 investigated which materials are waterproof.")]
    [InlineData("Well done to our netball team who beat St Peter's 6-2 on Saturday!")]
    [InlineData("Please remember PE kits on Wednesdays. Earrings must be removed.")]
    [InlineData("Harvest festival donations go to the Scunthorpe food bank. Thank you for your generosity.")]
    [InlineData("Our anti-bullying week assembly taught us to be kind and to tell an adult.")]
    [InlineData("Online safety evening for parents on Tuesday: learn how to keep your child safe on apps.")]
    public void Ordinary_school_news_raises_nothing(string text)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().BeEmpty();
    }
}
