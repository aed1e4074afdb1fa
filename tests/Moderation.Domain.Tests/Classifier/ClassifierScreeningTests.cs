using Moderation.Domain.Consent;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Classifier;
using Moderation.Domain.Screening.Risk;
using Moderation.Domain.Tests.Names;
using Moderation.Domain.Tests.Risk;

namespace Moderation.Domain.Tests.Classifier;

/// <summary>The classifier inside a whole screening: it sees only redacted text, and its absence never stops screening.</summary>
public sealed class ClassifierScreeningTests
{
    private static readonly SchoolScreeningProfile s_profile = SchoolScreeningProfile.Build(
        new Guid("5c0f1e1d-0000-4000-8000-000000000002"), 1, NamePolicy.NoNames, ConsentModel.OptOut, TestRoster.All, [], [], []);

    private static ScreeningEngine Engine(IRiskClassifier classifier) =>
        new(RiskRulesFixture.Screener, [new PersonalDataScreener()], classifier);

    [Fact]
    public async Task With_the_classifier_down_screening_keeps_the_rule_findings_and_says_so_on_the_item()
    {
        // Arrange
        const string text = "Olivia Smith, meet me after school, it's our secret. Call 07700 900123";
        var engine = Engine(TestClassifier.Create(ClassifierServer.ClosedPortUrl()));

        // Act
        var result = await engine.ScreenAsync(s_profile, text, [], [ConsentChannel.SocialMedia], new DateOnly(2026, 11, 24), CancellationToken.None);

        // Assert
        result.Classifier.Status.Should().Be(ClassifierStatus.Unavailable);
        result.Note.Should().Be("Classifier unavailable (connection refused); screened by rules alone.");
        result.Complete.Should().BeTrue("a missing classifier is not a failed screener");
        result.Findings.Should().Contain(f => f.Category == RiskCategories.Grooming);
        result.Findings.Should().NotContain(f => f.Rule.StartsWith("classifier:", StringComparison.Ordinal));
        result.SafeguardingConcerns.Should().Contain(f => f.Category == RiskCategories.Grooming);
        result.RedactedText.Should().NotContain("Olivia");
    }

    [Fact]
    public async Task The_classifier_sees_only_the_redacted_text_and_its_findings_point_into_the_original()
    {
        // Arrange
        const string text = "Well done Olivia Smith and Libby Jones! See you at the park later, just us.";
        const string phrase = "See you at the park later, just us.";
        await using var server = await ClassifierServer.AnsweringAsync(sent =>
            $$"""
            { "modelVersion": "m1", "scores": [
                { "category": "Grooming", "score": 0.96, "offset": {{sent.IndexOf(phrase, StringComparison.Ordinal)}}, "length": {{phrase.Length}} },
                { "category": "Bullying", "score": 0.85, "offset": 10, "length": 7 } ] }
            """);
        var engine = Engine(TestClassifier.Create(server.Url));

        // Act
        var result = await engine.ScreenAsync(s_profile, text, [], [ConsentChannel.SocialMedia], new DateOnly(2026, 11, 24), CancellationToken.None);

        // Assert
        var sent = server.Received.Should().ContainSingle().Subject.Text;
        sent.Should().Be(result.RedactedText);
        sent.Should().NotContainAny("Olivia", "Smith", "Libby", "Jones");
        sent.Substring(10, 7).Should().Be(NameRedactorPlaceholder, "the classifier's span covers a redacted name");

        result.Classifier.Status.Should().Be(ClassifierStatus.Answered);
        result.Note.Should().BeNull();
        var grooming = result.Findings.Should().ContainSingle(f => f.Rule == "classifier:m1" && f.Category == RiskCategories.Grooming).Subject;
        grooming.Severity.Should().Be(FindingSeverity.Severe);
        text.Substring(grooming.Offset, grooming.Length).Should().Be(phrase);
        var bullying = result.Findings.Should().ContainSingle(f => f.Rule == "classifier:m1" && f.Category == RiskCategories.Bullying).Subject;
        text.Substring(bullying.Offset, bullying.Length).Should().Be("Olivia Smith", "a span on a placeholder covers the whole name it replaced");
        result.SafeguardingConcerns.Should().Contain(grooming);
    }

    private static string NameRedactorPlaceholder => Domain.Screening.Names.NameRedactor.Placeholder;
}
