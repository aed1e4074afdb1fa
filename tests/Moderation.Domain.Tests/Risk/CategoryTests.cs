using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>
/// The categories of DOMAIN.md's safeguarding table, one test pair each: what must be found (with where it is), and
/// what looks close but must stay clean.
/// </summary>
public sealed class CategoryTests
{
    private static Finding Single(string text, string category, RiskContext? context = null)
    {
        var findings = RiskRulesFixture.Screen(text, context).Where(f => f.Category == category).ToList();
        findings.Should().NotBeEmpty($"\"{text}\" should raise {category}");
        return findings[0];
    }

    private static void NoneOf(string text, string category, RiskContext? context = null) =>
        RiskRulesFixture.Screen(text, context).Should().NotContain(f => f.Category == category, $"\"{text}\" should not raise {category}");

    [Theory]
    [InlineData("u look so mature for ur age x", "groom-mature", "u look so mature for ur age")]
    [InlineData("this is our little secret ok", "groom-secret", "our little secret")]
    [InlineData("its our secret x", "groom-secret", "our secret")]
    [InlineData("keep this a s-e-c-r-e-t", "groom-secret", "keep this a s-e-c-r-e-t")]
    [InlineData("dont tell your mum about this", "groom-donttell-parents", "dont tell your mum")]
    [InlineData("Don’t tell ur parents", "groom-donttell-parents", "Don’t tell ur parents")]
    [InlineData("meet me at the park after school", "groom-meet", "meet me at the park after school")]
    [InlineData("wanna meet up tonight?", "groom-meet", "meet up tonight")]
    [InlineData("send me a pic of you", "groom-pics", "send me a pic")]
    [InlineData("send me some more photos", "groom-pics", "send me some more photos")]
    [InlineData("what school do you go to?", "groom-where", "what school do you")]
    [InlineData("which bus do u get home", "groom-where", "which bus do u")]
    [InlineData("where do you live hun", "groom-where", "where do you live")]
    [InlineData("are you home alone tonight", "groom-alone", "are you home alone")]
    [InlineData("I'll buy you a new phone", "groom-gifts", "I'll buy you a new phone")]
    [InlineData("i can get u robux", "groom-gifts", "i can get u robux")]
    public void Grooming_approaches_are_found(string text, string rule, string span)
    {
        // Act
        var hit = Single(text, RiskCategories.Grooming);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(FindingSeverity.Severe);
        hit.Span(text).Should().Be(span);
    }

    [Theory]
    [InlineData("whats ur snap", "groom-contact")]
    [InlineData("how old are you?", "groom-age")]
    [InlineData("delete these messages after", "groom-delete")]
    public void Softer_grooming_signals_are_flagged_for_a_person(string text, string rule)
    {
        // Act
        var hit = Single(text, RiskCategories.Grooming);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(FindingSeverity.Warning);
    }

    [Theory]
    [InlineData("Send us photos of your World Book Day costumes!")]
    [InlineData("Our Secret Garden project is blooming")]
    [InlineData("Meet the teacher evening is on Tuesday")]
    [InlineData("The Year 2 secret agents cracked the code")]
    [InlineData("Which school trip was your favourite?")]
    public void School_news_that_sounds_like_grooming_stays_clean(string text) =>
        NoneOf(text, RiskCategories.Grooming);

    [Theory]
    [InlineData("I want to kill myself", "I want to kill myself")]
    [InlineData("i wanna die", "i wanna die")]
    [InlineData("im going to hurt myself tonight", "im going to hurt myself")]
    [InlineData("I've been cutting myself again", "I've been cutting myself")]
    [InlineData("everyone would be better off without me", "everyone would be better off without me")]
    [InlineData("I'm going to hurt Liam", "I'm going to hurt Liam")]
    [InlineData("i will stab you", "i will stab you")]
    [InlineData("I'll kill him", "I'll kill him")]
    [InlineData("imma bring a knife tomorrow", "bring a knife")]
    [InlineData("he brought a blade to school", "brought a blade to school")]
    [InlineData("we should shoot up the school", "shoot up the school")]
    [InlineData("kys", "kys")]
    [InlineData("go k1ll yourself", "k1ll yourself")]
    [InlineData("I know where you live", "I know where you live")]
    [InlineData("i'm going to kiiiill you", "i'm going to kiiiill you")]
    public void Threats_to_life_and_self_harm_disclosures_are_found(string text, string span)
    {
        // Act
        var hit = Single(text, RiskCategories.ThreatToLife);

        // Assert
        hit.Severity.Should().Be(FindingSeverity.Severe);
        hit.Span(text).Should().Be(span);
    }

    // "Kill it" is a known idiom for doing well, and stays clean by design: a threat needs a person as its object.
    [Theory]
    [InlineData("Year 6 are going to kill it at the talent show")]
    [InlineData("The choir absolutely killed it tonight")]
    [InlineData("We're killing it in the reading challenge")]
    [InlineData("I'm dying to see the Year 3 play")]
    [InlineData("I'm going to die of embarrassment")]
    [InlineData("The suspense is killing me")]
    [InlineData("We'll kill time in the library")]
    [InlineData("Our Nerf guns are brought in for sports day")]
    [InlineData("We got water guns for the summer fair")]
    [InlineData("Skills workshop: how to use a knife and fork")]
    public void Idioms_of_killing_and_dying_stay_clean(string text) =>
        NoneOf(text, RiskCategories.ThreatToLife);

    [Theory]
    [InlineData("go back to your own country", "hate-go-back", FindingSeverity.Severe)]
    [InlineData("that's so gay", "hate-so-gay", FindingSeverity.Warning)]
    [InlineData("n1gg3r", "block:nigger", FindingSeverity.Severe)]
    [InlineData("stupid p@ki", "block:paki", FindingSeverity.Severe)]
    [InlineData("what a retard", "block:retard", FindingSeverity.Severe)]
    [InlineData("you f a g g o t", "block:faggot", FindingSeverity.Severe)]
    [InlineData("immigrants are vermin", "hate-vermin", FindingSeverity.Severe)]
    public void Hate_is_found(string text, string rule, FindingSeverity severity)
    {
        // Act
        var hit = Single(text, RiskCategories.Hate);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(severity);
    }

    [Theory]
    [InlineData("Pakistan and India cricket at lunch")]
    [InlineData("We cooked with spices from Pakistan")]
    [InlineData("The flame retardant suits at the fire station")]
    [InlineData("Our pride assembly celebrated gay rights and same-sex parents")]
    [InlineData("A chink of light in the science experiment")]
    public void Words_near_slurs_stay_clean_or_at_most_flagged(string text) =>
        RiskRulesFixture.Screen(text).Should().NotContain(f => f.Category == RiskCategories.Hate && f.Severity == FindingSeverity.Severe);

    [Theory]
    [InlineData("selling cp links dm me", "csa-trade")]
    [InlineData("got child porn", "block:child porn")]
    [InlineData("nudes of year 8 girls", "csa-images-of")]
    [InlineData("pthc", "block:pthc")]
    [InlineData("p.t.h.c", "block:pthc")]
    [InlineData("ch1ld p0rn", "block:child porn")]
    public void Child_sexual_abuse_material_is_found(string text, string rule)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().Contain(f => f.Category == RiskCategories.ChildSexualAbuse && f.Rule == rule)
            .Which.Severity.Should().Be(FindingSeverity.Severe);
    }

    [Theory]
    [InlineData("My son has CP and loves PE")]
    [InlineData("Please don't share photos of children without consent")]
    public void Ordinary_text_near_abuse_terms_is_not_taken_for_abuse_material(string text) =>
        NoneOf(text, RiskCategories.ChildSexualAbuse);

    [Theory]
    [InlineData("Mr Jones hit my son", "staff-harm", "Mr Jones hit")]
    [InlineData("Mrs Patel is a paedophile", "staff-accused", "Mrs Patel is a paedophile")]
    [InlineData("mr. jones has been touching the girls", "staff-harm", "mr. jones has been touching")]
    [InlineData("my daughter was slapped by the dinner lady", "staff-harm-by", "slapped by the dinner lady")]
    [InlineData("Miss Hughes turned up drunk", "staff-conduct", "Miss Hughes turned up drunk")]
    [InlineData("Mrs Patel is a p@ed0", "staff-accused", "Mrs Patel is a p@ed0")]
    public void Allegations_against_staff_by_title_or_role_are_found(string text, string rule, string span)
    {
        // Act
        var hit = Single(text, RiskCategories.AllegationAgainstStaff);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Span(text).Should().StartWith(span);
    }

    [Fact]
    public void An_allegation_naming_staff_without_a_title_needs_the_staff_list()
    {
        // Arrange
        const string text = "Sarah Thompson grabbed my boy by the arm";
        var context = new RiskContext(staffNames: ["Sarah Thompson", "Mr Okafor"]);

        // Act
        var withoutList = RiskRulesFixture.Screen(text);
        var withList = RiskRulesFixture.Screen(text, context);

        // Assert
        withoutList.Should().NotContain(f => f.Category == RiskCategories.AllegationAgainstStaff);
        var hit = withList.Should().ContainSingle(f => f.Category == RiskCategories.AllegationAgainstStaff).Which;
        hit.Severity.Should().Be(FindingSeverity.Severe);
        hit.Span(text).Should().Be("Sarah Thompson grabbed");
    }

    [Fact]
    public void A_staff_name_matches_across_case_punctuation_and_possessives()
    {
        // Arrange
        const string text = "MRS. PATEL'S a nonce";
        var context = new RiskContext(staffNames: ["Mrs Patel"]);

        // Act
        var hit = Single(text, RiskCategories.AllegationAgainstStaff, context);

        // Assert
        hit.Span(text).Should().Be("MRS. PATEL'S a nonce");
    }

    [Theory]
    [InlineData("Mr Jones's class beat Year 5 at rounders")]
    [InlineData("We were so touched by Mrs Patel's speech")]
    [InlineData("Mrs Smith filmed the nativity for parents")]
    [InlineData("Miss Hughes taught us about predators in science")]
    public void Staff_news_that_uses_the_same_verbs_stays_clean(string text) =>
        NoneOf(text, RiskCategories.AllegationAgainstStaff);

    [Theory]
    [InlineData("that kid in year 5 is a loser", "bully-insult", "that kid in year 5 is a loser")]
    [InlineData("the new girl in Y4 is so ugly", "bully-insult", "the new girl in Y4 is so ugly")]
    [InlineData("that fat boy in year 6", "bully-insult-first", "that fat boy in year 6")]
    [InlineData("nobody likes the boy in class 3", "bully-excluded", "nobody likes the boy in class 3")]
    [InlineData("gonna batter that kid in year 6", "bully-threat", "gonna batter that kid in year 6")]
    public void Insults_and_threats_at_an_identifiable_pupil_are_bullying(string text, string rule, string span)
    {
        // Act
        var hit = Single(text, RiskCategories.Bullying);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Span(text).Should().Be(span);
    }

    [Fact]
    public void Bullying_that_names_a_pupil_needs_the_pupil_list()
    {
        // Arrange
        const string text = "Olivia Smith is a fat l0ser";
        var context = new RiskContext(pupilNames: ["Olivia Smith", "Liam Brown"]);

        // Act
        var withoutList = RiskRulesFixture.Screen(text);
        var withList = RiskRulesFixture.Screen(text, context);

        // Assert
        withoutList.Should().NotContain(f => f.Category == RiskCategories.Bullying);
        withList.Should().ContainSingle(f => f.Category == RiskCategories.Bullying).Which.Span(text).Should().Be(text);
    }

    [Theory]
    [InlineData("The children in Year 3 are fantastic")]
    [InlineData("Everyone likes the new climbing frame")]
    [InlineData("We're going to get the kids in Year 6 ready for SATs")]
    public void Praise_of_pupils_is_not_bullying(string text) =>
        NoneOf(text, RiskCategories.Bullying);

    [Theory]
    [InlineData("join the jihad brothers", "rad-join", FindingSeverity.Severe)]
    [InlineData("hitler was right", "rad-nazi", FindingSeverity.Severe)]
    [InlineData("the holocaust never happened", "rad-nazi", FindingSeverity.Severe)]
    [InlineData("heil hitler", "block:heil hitler", FindingSeverity.Severe)]
    [InlineData("white p0wer", "block:white power", FindingSeverity.Severe)]
    [InlineData("dm me to join the movement for training", "rad-recruit", FindingSeverity.Warning)]
    public void Extremist_material_and_recruitment_are_found(string text, string rule, FindingSeverity severity)
    {
        // Act
        var hit = Single(text, RiskCategories.Radicalisation);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(severity);
    }

    [Theory]
    [InlineData("Year 2 read Zog by Julia Donaldson")]
    [InlineData("Write 14 words about your holiday")]
    [InlineData("In RE we learnt about the Holocaust and why it must never happen again")]
    public void History_and_books_are_not_radicalisation(string text) =>
        RiskRulesFixture.Screen(text).Should().NotContain(f => f.Category == RiskCategories.Radicalisation);

    [Theory]
    [InlineData("I am making a formal complaint", "complaint-formal", FindingSeverity.Warning)]
    [InlineData("I'll be reporting this school to Ofsted", "complaint-ofsted", FindingSeverity.Warning)]
    [InlineData("Mr Jones is completely useless", "complaint-staff", FindingSeverity.Warning)]
    [InlineData("this school is a joke", "complaint-school", FindingSeverity.Info)]
    [InlineData("absolutely disgusted by the way my son was treated", "complaint-disgust", FindingSeverity.Info)]
    public void Complaints_go_to_the_headteacher_at_a_lower_severity(string text, string rule, FindingSeverity severity)
    {
        // Act
        var hit = Single(text, RiskCategories.Complaint);

        // Assert
        hit.Rule.Should().Be(rule);
        hit.Severity.Should().Be(severity);
        RiskCategories.RaisesSafeguardingConcern(hit).Should().BeFalse();
    }

    [Theory]
    [InlineData("Ofsted rated us Good in every area!")]
    [InlineData("Thank you Mr Jones for a brilliant year")]
    public void Praise_is_not_a_complaint(string text) =>
        NoneOf(text, RiskCategories.Complaint);

    [Theory]
    [InlineData("our house will be empty all week", "loc-empty-house", "house will be empty")]
    [InlineData("we're away on holiday until the 14th", "loc-away", "we're away on holiday until")]
    [InlineData("We are off to Spain from Saturday", "loc-away", "We are off to Spain from")]
    [InlineData("Class 3 are on their trip to the zoo on Friday", "loc-trip", "Class 3 are on their trip")]
    [InlineData("Year 6 are off on their residential next week", "loc-trip", "Year 6 are off on their residential")]
    public void Disclosures_that_a_home_is_empty_or_a_class_is_away_are_flagged(string text, string rule, string span)
    {
        // Act
        var findings = RiskRulesFixture.Screen(text).Where(f => f.Category == RiskCategories.LocationDisclosure).ToList();

        // Assert
        var hit = findings.Should().Contain(f => f.Rule == rule).Which;
        hit.Severity.Should().Be(FindingSeverity.Warning);
        hit.Span(text).Should().Be(span);
    }

    [Fact]
    public void A_trip_with_its_day_is_flagged_for_the_day_too()
    {
        // Arrange
        const string text = "Class 3 are on their trip to the zoo on Friday";

        // Act
        var findings = RiskRulesFixture.Screen(text);

        // Assert
        findings.Should().Contain(f => f.Rule == "loc-trip-when").Which.Span(text).Should().Be("trip to the zoo on Friday");
    }

    [Theory]
    [InlineData("We had a visit from the fire brigade")]
    [InlineData("Please put the toys away until after lunch")]
    [InlineData("Take away from this lesson: be kind")]
    [InlineData("Nobody in Year 4 missed a day this term")]
    public void Ordinary_news_is_not_a_disclosure(string text) =>
        NoneOf(text, RiskCategories.LocationDisclosure);
}
