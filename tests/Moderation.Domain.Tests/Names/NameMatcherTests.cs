using Moderation.Domain.Screening.Names;

namespace Moderation.Domain.Tests.Names;

public sealed class NameMatcherTests
{
    [Theory]
    [InlineData("Well done Olivia Smith!", "Olivia Smith", NameMatchKind.FullName)]
    [InlineData("Well done Olivia!", "Olivia", NameMatchKind.ForenameOnly)]
    [InlineData("Well done Libby!", "Libby", NameMatchKind.ForenameOnly)]
    [InlineData("the Kowalczyk family", "Kowalczyk", NameMatchKind.SurnameOnly)]
    [InlineData("Well done G. Kowalczyk!", "G. Kowalczyk", NameMatchKind.InitialAndSurname)]
    [InlineData("Well done G Kowalczyk!", "G Kowalczyk", NameMatchKind.InitialAndSurname)]
    [InlineData("Well done G.Kowalczyk!", "G.Kowalczyk", NameMatchKind.InitialAndSurname)]
    [InlineData("Well done Z.N.T. today", "Z.N.T.", NameMatchKind.Initials)]
    [InlineData("Well done Zoë Taylor!", "Zoë Taylor", NameMatchKind.FullName)]
    [InlineData("Olivia Rose Smith read", "Olivia Rose Smith", NameMatchKind.FullName)]
    public void Each_kind_of_reference_is_found_with_its_exact_span(string text, string expected, NameMatchKind kind)
    {
        // Arrange
        var matcher = TestRoster.Matcher;

        // Act
        var matches = matcher.Find(text);

        // Assert
        var match = matches.Should().ContainSingle().Which;
        text.Substring(match.Offset, match.Length).Should().Be(expected);
        match.Kind.Should().Be(kind);
    }

    [Fact]
    public void Offsets_index_the_original_decomposed_text_not_the_folded_one()
    {
        // Arrange
        const string text = "Hi Zoe\u0308 Nu\u0301n\u0303ez-Taylor!";

        // Act
        var matches = TestRoster.Matcher.Find(text);

        // Assert
        var match = matches.Should().ContainSingle().Which;
        match.Offset.Should().Be(3);
        match.Length.Should().Be(text.Length - 4);
        match.PupilId.Should().Be(TestRoster.ZoeNunezTaylor.PupilId);
    }

    [Fact]
    public void A_full_name_wins_over_the_forename_and_surname_inside_it()
    {
        // Arrange
        const string text = "Zoë Núñez-Taylor and Núñez";

        // Act
        var matches = TestRoster.Matcher.Find(text);

        // Assert
        matches.Select(m => (m.Offset, m.Length, m.Kind)).Should().Equal(
            (0, 16, NameMatchKind.FullName),
            (21, 5, NameMatchKind.SurnameOnly));
    }

    [Fact]
    public void The_possessive_s_is_left_outside_the_match()
    {
        // Arrange
        const string text = "Jack O’Brien’s goal";

        // Act
        var match = TestRoster.Matcher.Find(text).Should().ContainSingle().Which;

        // Assert
        text.Substring(match.Offset, match.Length).Should().Be("Jack O’Brien");
    }

    [Fact]
    public void Several_pupils_in_one_comment_come_back_in_text_order()
    {
        // Arrange
        const string text = "Summer, Hope and Olivia Smith with Will Okafor";

        // Act
        var pupils = TestRoster.Matcher.Find(text).Select(m => m.PupilId);

        // Assert
        pupils.Should().Equal(
            TestRoster.SummerLindqvist.PupilId,
            TestRoster.HopeAchterberg.PupilId,
            TestRoster.OliviaSmith.PupilId,
            TestRoster.WillOkafor.PupilId);
    }

    [Fact]
    public void A_name_shared_by_two_pupils_is_reported_once_for_the_first_on_the_roster()
    {
        // Arrange
        var first = TestRoster.Pupil(901, "Olivia", null, "Brown");
        var second = TestRoster.Pupil(902, "Olivia", null, "Green");
        var matcher = NameMatcher.Build([first, second]);

        // Act
        var matches = matcher.Find("Olivia was brilliant");

        // Assert
        matches.Should().ContainSingle().Which.PupilId.Should().Be(first.PupilId);
    }

    [Fact]
    public void A_rare_surname_in_lower_case_is_an_ordinary_word_not_a_name()
    {
        // Arrange
        var matcher = NameMatcher.Build([TestRoster.Pupil(903, "Ellie", null, "Meadowsweet")]);

        // Act
        var lower = matcher.Find("the meadowsweet is flowering");
        var capitalised = matcher.Find("the Meadowsweet family");

        // Assert
        lower.Should().BeEmpty();
        capitalised.Should().ContainSingle().Which.Kind.Should().Be(NameMatchKind.SurnameOnly);
    }

    [Fact]
    public void A_short_forename_that_is_also_an_English_word_needs_the_word_name_context()
    {
        // Arrange
        var an = TestRoster.Pupil(906, "An", null, "Nguyen");
        var matcher = NameMatcher.Build([an]);

        // Act
        var article = matcher.Find("An apple a day keeps the doctor away");
        var greeting = matcher.Find("Well done An!");

        // Assert
        article.Should().BeEmpty();
        greeting.Should().ContainSingle().Which.PupilId.Should().Be(an.PupilId);
    }

    [Fact]
    public void Text_without_roster_names_gives_no_matches()
    {
        // Arrange
        const string text = "The PTA raised £420 for 30 new books in Year 4. Sports day is on 12 June at 1.30pm.";

        // Act
        var matches = TestRoster.Matcher.Find(text);

        // Assert
        matches.Should().BeEmpty();
    }

    [Fact]
    public void An_empty_roster_or_text_finds_nothing()
    {
        // Arrange
        var empty = NameMatcher.Build([]);

        // Act
        var fromEmptyRoster = empty.Find("Olivia Smith");
        var fromEmptyText = TestRoster.Matcher.Find(string.Empty);

        // Assert
        fromEmptyRoster.Should().BeEmpty();
        fromEmptyText.Should().BeEmpty();
    }

    [Fact]
    public void Blank_names_on_the_roster_are_skipped_rather_than_matching_everything()
    {
        // Arrange
        var matcher = NameMatcher.Build([TestRoster.Pupil(904, " ", "  ", "Quennell"), TestRoster.Pupil(905, "Isla", null, "")]);

        // Act
        var matches = matcher.Find("Isla and the Quennell twins said a big thank you");

        // Assert
        matches.Select(m => m.Kind).Should().Equal(NameMatchKind.ForenameOnly, NameMatchKind.SurnameOnly);
    }

    [Fact]
    public void A_school_sized_roster_still_finds_the_right_pupil()
    {
        // Arrange
        var roster = Enumerable.Range(1, 2_000)
            .Select(i => TestRoster.Pupil(10_000 + i, $"Pupil{ToLetters(i)}", null, $"Family{ToLetters(i * 7)}"))
            .Append(TestRoster.ZoeNunezTaylor)
            .ToList();
        var matcher = NameMatcher.Build(roster);
        var target = roster[1_234];
        var text = $"A lovely comment about {target.LegalForename} {target.Surname} and Zoe Nunez Taylor from a proud parent";

        // Act
        var matches = matcher.Find(text);

        // Assert
        matches.Select(m => m.PupilId).Should().Equal(target.PupilId, TestRoster.ZoeNunezTaylor.PupilId);
    }

    [Fact]
    public void Finding_is_safe_from_many_threads_at_once()
    {
        // Arrange
        const string text = "Well done Olivia Smith, Grace and Zoë Núñez-Taylor!";
        var expected = TestRoster.Matcher.Find(text);

        // Act
        var results = Enumerable.Range(0, 64).AsParallel().Select(_ => TestRoster.Matcher.Find(text)).ToList();

        // Assert
        expected.Should().HaveCount(3);
        results.Should().AllSatisfy(r => r.Should().Equal(expected));
    }

    private static string ToLetters(int number)
    {
        var letters = new List<char>();
        for (var n = number; n > 0; n /= 26)
        {
            letters.Insert(0, (char)('a' + (n % 26)));
        }

        return new string([.. letters]);
    }
}
