using Moderation.Domain.Consent;

namespace Moderation.Domain.Tests.Consent;

public sealed class RosterCsvTests
{
    private const string Header = "MIS id,Legal forename,Preferred forename,Surname,Year group,Website,Social media,Press,Internal displays,Restriction,Never publish,Effective from,Expires on,Source";

    private static RosterParse Parse(params string[] lines) => RosterCsv.Parse(new StringReader(string.Join("\n", lines)));

    [Fact]
    public void A_typical_MIS_export_reads_every_column()
    {
        // Arrange / Act
        var result = Parse(Header, "1003,William,Will,Okafor,Year 6,granted,restricted,objected,,no name with photo,no,01/09/2026,23/07/2027,MIS export");

        // Assert
        result.Errors.Should().BeEmpty();
        var row = result.Rows.Should().ContainSingle().Subject;
        row.Line.Should().Be(2);
        row.PreferredForename.Should().Be("Will");
        row.Consents.Should().BeEquivalentTo(new Dictionary<ConsentChannel, ConsentStatus>
        {
            [ConsentChannel.Website] = ConsentStatus.Granted,
            [ConsentChannel.SocialMedia] = ConsentStatus.Restricted,
            [ConsentChannel.Press] = ConsentStatus.Objected,
        });
        row.Restriction.Should().Be("no name with photo");
        row.EffectiveFrom.Should().Be(new DateOnly(2026, 9, 1));
        row.ExpiresOn.Should().Be(new DateOnly(2027, 7, 23));
    }

    [Fact]
    public void Headers_are_matched_whatever_their_case_spacing_or_order_and_semicolons_work()
    {
        var result = RosterCsv.Parse(new StringReader("surname;MISID;legal_forename;YEAR GROUP;effective from;social media\nSmith;1001;Olivia;Year 4;2026-09-01;yes"));
        result.Errors.Should().BeEmpty();
        result.Rows.Single().Consents[ConsentChannel.SocialMedia].Should().Be(ConsentStatus.Granted);
        result.Rows.Single().Source.Should().Be(RosterCsv.DefaultSource);
    }

    [Fact]
    public void Every_bad_row_is_reported_with_its_line_number_and_all_its_problems()
    {
        // Arrange / Act
        var result = Parse(
            Header,
            "1001,Olivia,,Smith,Year 4,granted,granted,,,,no,01/09/2026,,",
            ",Harry,,O'Brien,Year 5,,maybe,,,,perhaps,31/02/2026,,",
            "1001,Dup,,Licate,Year 1,,restricted,,,,no,2026-09-01,2026-08-01,",
            "1005,Hope,,,Year 2,,,,,,no,,,");

        // Assert
        result.Valid.Should().BeFalse();
        result.Errors.Select(e => e.Line).Should().Equal(3, 4, 5);
        result.Errors[0].Message.Should().Contain("MIS id is empty").And.Contain("'maybe'").And.Contain("'perhaps'").And.Contain("'31/02/2026'");
        result.Errors[1].Message.Should().Contain("also on line 2").And.Contain("needs the restriction").And.Contain("before effective from");
        result.Errors[2].Message.Should().Contain("surname is empty").And.Contain("effective from is empty");
    }

    [Fact]
    public void A_quoted_field_with_a_comma_and_a_blank_line_do_not_shift_line_numbers()
    {
        var result = Parse(Header, "1001,Olivia,,\"Smith, Jones\",Year 4,,,,,,no,01/09/2026,,", "", "1002,,,Núñez,Year 4,,,,,,no,01/09/2026,,");
        result.Rows.Single().Surname.Should().Be("Smith, Jones");
        result.Errors.Single().Line.Should().Be(4);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MIS id,Surname\n1001,Smith")]
    [InlineData(Header)]
    public void An_empty_file_a_file_missing_columns_or_one_without_pupils_is_an_error(string text) =>
        RosterCsv.Parse(new StringReader(text)).Valid.Should().BeFalse();
}
