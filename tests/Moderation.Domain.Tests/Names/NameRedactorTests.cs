using Moderation.Domain.Schools;
using Moderation.Domain.Screening.Names;

namespace Moderation.Domain.Tests.Names;

public sealed class NameRedactorTests
{
    [Fact]
    public void Spans_say_what_was_replaced_where_in_the_original_text()
    {
        // Arrange
        const string text = "Well done Olivia Smith and Grace!";
        var matches = TestRoster.Matcher.Find(text);

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, NamePolicy.NoNames);

        // Assert
        result.RedactedText.Should().Be("Well done [pupil] and [pupil]!");
        result.Spans.Should().Equal(
            new RedactionSpan(10, 12, TestRoster.OliviaSmith.PupilId, NameRedactor.Placeholder),
            new RedactionSpan(27, 5, TestRoster.GraceKowalczyk.PupilId, NameRedactor.Placeholder));
    }

    [Fact]
    public void Names_the_policy_allows_are_not_reported_as_spans()
    {
        // Arrange
        const string text = "Olivia and Z.N.T. won";
        var matches = TestRoster.Matcher.Find(text);

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, NamePolicy.FirstNameOnly);

        // Assert
        matches.Should().HaveCount(2);
        result.RedactedText.Should().BeSameAs(text);
        result.Spans.Should().BeEmpty();
    }

    [Fact]
    public void Matches_in_any_order_are_applied_in_text_order_and_overlaps_are_skipped()
    {
        // Arrange
        const string text = "Olivia Smith and Thomas";
        var olivia = TestRoster.OliviaSmith.PupilId;
        NameMatch[] matches =
        [
            new(17, 6, TestRoster.ThomasNg.PupilId, NameMatchKind.ForenameOnly),
            new(0, 12, olivia, NameMatchKind.FullName),
            new(0, 6, olivia, NameMatchKind.ForenameOnly),
        ];

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, NamePolicy.InitialsOnly);

        // Assert
        result.RedactedText.Should().Be("O.S. and T.");
        result.Spans.Select(s => s.Offset).Should().Equal(0, 17);
    }

    [Fact]
    public void A_full_name_for_a_pupil_missing_from_the_roster_falls_back_to_the_placeholder()
    {
        // Arrange
        const string text = "Olivia Smith won";
        NameMatch[] matches = [new(0, 12, Guid.NewGuid(), NameMatchKind.FullName)];

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, NamePolicy.FirstNameOnly);

        // Assert
        result.RedactedText.Should().Be("[pupil] won");
    }

    [Fact]
    public void A_match_outside_the_text_is_refused()
    {
        // Arrange
        NameMatch[] matches = [new(5, 20, TestRoster.OliviaSmith.PupilId, NameMatchKind.FullName)];

        // Act
        var act = () => NameRedactor.Redact("Olivia", matches, TestRoster.All, NamePolicy.NoNames);

        // Assert
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void No_matches_give_back_the_text_unchanged()
    {
        // Arrange
        const string text = "Sports day is on Friday";

        // Act
        var result = NameRedactor.Redact(text, [], TestRoster.All, NamePolicy.NoNames);

        // Assert
        result.RedactedText.Should().BeSameAs(text);
        result.Spans.Should().BeEmpty();
    }

    [Fact]
    public void An_initial_and_surname_becomes_the_forename_the_school_uses()
    {
        // Arrange
        const string text = "E. Jones and L. Jones";
        var matches = TestRoster.Matcher.Find(text);

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, NamePolicy.FirstNameOnly);

        // Assert
        result.RedactedText.Should().Be("Libby and Libby");
    }
}
