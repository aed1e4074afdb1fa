using Moderation.Domain.Schools;
using Moderation.Domain.Screening.Names;

namespace Moderation.Domain.Tests.Names;

/// <summary>
/// Names as they turn up in school posts and parents' comments, each with the school's name policy and the text the
/// product must publish (000 "Moderation of content": no pupil names; 003 §6.3(f): first names or initials only).
/// The word-name cases follow docs/adr/0101-common-word-first-names.md.
/// </summary>
public sealed class NameRedactionCaseTests
{
    private const NamePolicy NoNames = NamePolicy.NoNames;
    private const NamePolicy FirstNameOnly = NamePolicy.FirstNameOnly;
    private const NamePolicy InitialsOnly = NamePolicy.InitialsOnly;

    public static TheoryData<string, NamePolicy, string, string> Cases => new()
    {
        // Full names, however they are typed.
        { "a full name in a celebration post", NoNames, "Well done Olivia Smith for her amazing reading!", "Well done [pupil] for her amazing reading!" },
        { "a full name in capitals", NoNames, "OLIVIA SMITH WAS STAR OF THE WEEK", "[pupil] WAS STAR OF THE WEEK" },
        { "a parent's comment in lower case", NoNames, "so proud of olivia smith today", "so proud of [pupil] today" },
        { "a possessive keeps its 's", NoNames, "Olivia's painting is in the hall", "[pupil]'s painting is in the hall" },
        { "a possessive with a curly apostrophe", NoNames, "Look at Olivia’s painting", "Look at [pupil]’s painting" },
        { "a name split across lines", NoNames, "Well done\nOlivia\nSmith", "Well done\n[pupil]" },
        { "a name with a doubled space", NoNames, "Thank you Olivia  Smith.", "Thank you [pupil]." },
        { "a name with a soft hyphen hidden in it", NoNames, "Oli\u00ADvia Smith won", "[pupil] won" },
        { "a middle name the roster does not hold", NoNames, "Olivia Rose Smith was our reader", "[pupil] was our reader" },
        { "a full name next to other words", NoNames, "Lunch with Thomas Ng and Ava Li", "Lunch with [pupil] and [pupil]" },

        // Diacritics, composed, decomposed or left out.
        { "diacritics left out", NoNames, "Zoe Nunez-Taylor read her poem", "[pupil] read her poem" },
        { "composed diacritics", NoNames, "Zo\u00EB N\u00FA\u00F1ez-Taylor read her poem", "[pupil] read her poem" },
        { "decomposed diacritics", NoNames, "Zoe\u0308 Nu\u0301n\u0303ez-Taylor read her poem", "[pupil] read her poem" },
        { "Polish letters typed without them", NoNames, "Lukasz Wisniewski scored", "[pupil] scored" },
        { "Danish ø typed as o", NoNames, "Soren Ostergaard scored", "[pupil] scored" },
        { "an accented name in capitals", NoNames, "BRAVO CHLOÉ DUBOIS", "BRAVO [pupil]" },

        // Hyphenated, double-barrelled and particle surnames.
        { "a hyphenated surname written with a space", NoNames, "Zoë Núñez Taylor sang", "[pupil] sang" },
        { "the forename with one half of a double-barrelled surname", NoNames, "Zoë Taylor sang", "[pupil] sang" },
        { "the rare half of a double-barrelled surname alone", NoNames, "Great save by Núñez in goal", "Great save by [pupil] in goal" },
        { "a spaced double-barrelled surname written with a hyphen", NoNames, "Anne-Marie Smith-Jones helped", "[pupil] helped" },
        { "a hyphenated forename written with a space", NoNames, "Anne Marie Smith Jones helped", "[pupil] helped" },
        { "an apostrophe surname", NoNames, "Jack O'Brien scored", "[pupil] scored" },
        { "an apostrophe surname with a curly apostrophe", NoNames, "Jack O’Brien scored", "[pupil] scored" },
        { "an Al- surname written with a space", NoNames, "Mohammed Al Hassan read", "[pupil] read" },
        { "a surname with particles", NoNames, "Amelia van der Berg read", "[pupil] read" },
        { "a particle surname alone with capitals", NoNames, "the Van Der Berg family", "the [pupil] family" },

        // Preferred ("known as") names.
        { "the legal forename when the school uses a preferred one", NoNames, "Elizabeth Jones ran", "[pupil] ran" },
        { "the preferred name with the surname", NoNames, "Libby Jones ran", "[pupil] ran" },
        { "the preferred name alone", NoNames, "Libby ran the fastest", "[pupil] ran the fastest" },
        { "the legal forename of a pupil known by a word-name", NoNames, "Christopher Ashdown read", "[pupil] read" },

        // Initials.
        { "an initial with a full stop", NoNames, "Star of the week: G. Kowalczyk", "Star of the week: [pupil]" },
        { "an initial without a full stop", NoNames, "G Kowalczyk scored twice", "[pupil] scored twice" },
        { "A with a full stop is an initial", NoNames, "A. Khan came first", "[pupil] came first" },
        { "A without a full stop before a common surname is English", NoNames, "A Khan Academy video", "A Khan Academy video" },
        { "initials that only one pupil has", NoNames, "Z.N.T. won the spelling bee", "[pupil] won the spelling bee" },
        { "initials shared by twins stay", NoNames, "O.S. won the spelling bee", "O.S. won the spelling bee" },
        { "school acronyms stay", NoNames, "PE and RE on Tuesday; PTA at 3pm", "PE and RE on Tuesday; PTA at 3pm" },

        // Surnames alone.
        { "a rare surname names the family", NoNames, "Lovely to see the Kowalczyk family", "Lovely to see the [pupil] family" },
        { "a rare surname of French origin", NoNames, "Dubois scored the winner", "[pupil] scored the winner" },
        { "a common surname alone stays", NoNames, "John Smith's bakery donated the cakes", "John Smith's bakery donated the cakes" },
        { "the common half of a double-barrelled surname alone stays", NoNames, "The Taylor Report is out", "The Taylor Report is out" },
        { "a two-letter surname alone stays", NoNames, "Li Ning trainers for sale", "Li Ning trainers for sale" },
        { "a teacher who shares a pupil's surname", NoNames, "Mrs Kowalczyk's class went to the farm", "Mrs Kowalczyk's class went to the farm" },
        { "a title with a full stop", NoNames, "Mr. Achterberg will lead the walk", "Mr. Achterberg will lead the walk" },
        { "a parent with title, forename and surname", NoNames, "Thanks to Mrs Grace Kowalczyk", "Thanks to Mrs Grace Kowalczyk" },
        { "a church named for a saint", NoNames, "Harvest service at St Mary's Church", "Harvest service at St Mary's Church" },
        { "a name not on the roster", NoNames, "Emily Jones came second", "Emily Jones came second" },
        { "names inside longer words stay", NoNames, "Maryland Smithsonian Gracefulness", "Maryland Smithsonian Gracefulness" },

        // Ordinary forenames alone.
        { "an ordinary forename at the start of a sentence", NoNames, "Thomas scored the winning goal", "[pupil] scored the winning goal" },
        { "an ordinary forename in lower case", NoNames, "go on mary!", "go on [pupil]!" },
        { "the pupil Mary", NoNames, "Mary Evans won", "[pupil] won" },
        { "a two-letter forename, capitalised", NoNames, "Jo read aloud", "[pupil] read aloud" },

        // Forenames that are everyday words (ADR 0101).
        { "a word-name after a greeting", NoNames, "Well done Grace!", "Well done [pupil]!" },
        { "a word-name after a greeting in lower case", NoNames, "well done grace", "well done [pupil]" },
        { "a word-name after a greeting and a comma", NoNames, "Congratulations, Hope!", "Congratulations, [pupil]!" },
        { "a word-name capitalised mid-sentence", NoNames, "It was Grace who found the lost puppy", "It was [pupil] who found the lost puppy" },
        { "a word-name possessive at the start of a sentence", NoNames, "Grace's poem won the prize", "[pupil]'s poem won the prize" },
        { "a word-name with its surname", NoNames, "Will Okafor scored", "[pupil] scored" },
        { "a word-name mid-sentence", NoNames, "The winner was Will in the last minute", "The winner was [pupil] in the last minute" },
        { "a word-name after a capital that only starts the sentence", NoNames, "Today Grace read to the class", "Today [pupil] read to the class" },
        { "a word-name cheered on", NoNames, "Go Grace!", "Go [pupil]!" },
        { "word-names alone on their lines", NoNames, "This week's stars:\nWill\nGrace\nOlivia", "This week's stars:\n[pupil]\n[pupil]\n[pupil]" },
        { "a word-name that ends its line after a colon", NoNames, "Star of the week: Grace 🌟", "Star of the week: [pupil] 🌟" },
        { "a word-name at the start of a list", NoNames, "Faith, Olivia and Thomas sang", "[pupil], [pupil] and [pupil] sang" },
        { "a month-name after thanks", NoNames, "Thank you to May for the flowers", "Thank you to [pupil] for the flowers" },
        { "a season-name beside another pupil", NoNames, "Olivia and Summer planted sunflowers", "[pupil] and [pupil] planted sunflowers" },
        { "a full name made only of words, after a greeting", NoNames, "Congratulations to Rose Hill", "Congratulations to [pupil]" },
        { "a word-name with a word surname, possessive", NoNames, "Rose Hill's painting", "[pupil]'s painting" },
        { "a verb and a noun that are names", NoNames, "We will grace the stage with hope", "We will grace the stage with hope" },
        { "a modal verb at the start", NoNames, "May we thank everyone who came", "May we thank everyone who came" },
        { "a flower", NoNames, "We planted a rose in the garden", "We planted a rose in the garden" },
        { "a wish at the start of a sentence", NoNames, "Hope you all have a lovely half term", "Hope you all have a lovely half term" },
        { "a hymn title", NoNames, "The choir sang Amazing Grace beautifully", "The choir sang Amazing Grace beautifully" },
        { "a month", NoNames, "See you all in May!", "See you all in May!" },
        { "a term", NoNames, "The Summer term starts on Monday", "The Summer term starts on Monday" },
        { "an event", NoNames, "Come to our Summer Fair", "Come to our Summer Fair" },
        { "a weather warning", NoNames, "There is an Amber warning for snow", "There is an Amber warning for snow" },
        { "a question", NoNames, "Will you join us for the carol service?", "Will you join us for the carol service?" },
        { "PE kit", NoNames, "Please bring PE kit on Tuesday", "Please bring PE kit on Tuesday" },
        { "an instruction", NoNames, "Mark your diaries for sports day", "Mark your diaries for sports day" },
        { "the pupil Mark with his surname", NoNames, "Mark Whitfield read", "[pupil] read" },
        { "a maximum", NoNames, "max two tickets per family", "max two tickets per family" },
        { "the pupil Max with his surname", NoNames, "Max Thornbury read", "[pupil] read" },
        { "a school assembly", NoNames, "Our Faith Assembly is on Friday", "Our Faith Assembly is on Friday" },
        { "a place", NoNames, "Walk to the Rose Hill nature reserve", "Walk to the Rose Hill nature reserve" },
        { "a word-name alone at the start of a sentence is left for the reviewer", NoNames, "Kit must be named", "Kit must be named" },

        // FirstNameOnly: the forename the school uses.
        { "a full name becomes the forename", FirstNameOnly, "Well done Olivia Smith!", "Well done Olivia!" },
        { "a full name keeps its possessive", FirstNameOnly, "Olivia Smith's painting", "Olivia's painting" },
        { "the legal name becomes the preferred name", FirstNameOnly, "Elizabeth Jones read", "Libby read" },
        { "a preferred full name becomes the preferred name", FirstNameOnly, "Libby Jones read", "Libby read" },
        { "the legal name of a pupil known as Will", FirstNameOnly, "William Okafor scored", "Will scored" },
        { "a forename alone stays", FirstNameOnly, "Olivia won", "Olivia won" },
        { "a surname alone is removed", FirstNameOnly, "the Kowalczyk family", "the [pupil] family" },
        { "an initial and surname of one pupil become the forename", FirstNameOnly, "G. Kowalczyk scored", "Grace scored" },
        { "an initial and surname shared by twins keep the initial", FirstNameOnly, "O. Smith scored", "O. scored" },
        { "an unaccented full name becomes the roster forename", FirstNameOnly, "Zoe Nunez-Taylor sang", "Zoë sang" },
        { "a full name in capitals", FirstNameOnly, "OLIVIA SMITH", "Olivia" },
        { "two pupils over a line break", FirstNameOnly, "Olivia\nSmith and Jack O'Brien", "Olivia and Jack" },
        { "initials alone are allowed", FirstNameOnly, "Z.N.T. won", "Z.N.T. won" },
        { "a particle surname", FirstNameOnly, "Amelia van der Berg read", "Amelia read" },
        { "a middle name goes with the surname", FirstNameOnly, "Olivia Rose Smith read", "Olivia read" },
        { "a full name made of words", FirstNameOnly, "Congratulations to Rose Hill", "Congratulations to Rose" },

        // InitialsOnly.
        { "a full name becomes initials", InitialsOnly, "Olivia Smith won", "O.S. won" },
        { "initials at the end of a sentence keep one full stop", InitialsOnly, "Well done Olivia Smith.", "Well done O.S." },
        { "a forename becomes its initial", InitialsOnly, "Olivia won", "O. won" },
        { "a double-barrelled surname gives two initials", InitialsOnly, "Zoë Núñez-Taylor sang", "Z.N.T. sang" },
        { "a surname alone becomes its initial", InitialsOnly, "the Kowalczyk family", "the K. family" },
        { "Polish initials keep their letters", InitialsOnly, "Łukasz Wiśniewski", "Ł.W." },
        { "particles give no initial", InitialsOnly, "Amelia van der Berg", "A.B." },
        { "an initial and surname", InitialsOnly, "G. Kowalczyk scored", "G.K. scored" },
        { "a preferred name gives its own initial", InitialsOnly, "Libby Jones read", "L.J. read" },
        { "an apostrophe surname gives one initial", InitialsOnly, "Jack O'Brien scored", "J.O. scored" },
        { "a decomposed forename", InitialsOnly, "Zoe\u0308 read", "Z. read" },
        { "initials alone stay", InitialsOnly, "Z.N.T. won", "Z.N.T. won" },
        { "a word-name possessive", InitialsOnly, "Grace's poem", "G.'s poem" },
        { "ordinary words stay", InitialsOnly, "We will grace the stage", "We will grace the stage" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Names_are_redacted_to_what_the_policy_allows(string situation, NamePolicy policy, string text, string expected)
    {
        // Arrange
        var matches = TestRoster.Matcher.Find(text);

        // Act
        var result = NameRedactor.Redact(text, matches, TestRoster.All, policy);

        // Assert
        result.RedactedText.Should().Be(expected, situation);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Screening_redacts_through_the_matchers_own_index_exactly_as_through_the_roster(string situation, NamePolicy policy, string text, string expected)
    {
        // Arrange
        var matches = TestRoster.Matcher.Find(text);
        var throughRoster = NameRedactor.Redact(text, matches, TestRoster.All, policy);

        // Act
        var throughMatcher = NameRedactor.Redact(text, matches, TestRoster.Matcher, policy);

        // Assert
        throughMatcher.RedactedText.Should().Be(expected, situation);
        throughMatcher.Spans.Should().Equal(throughRoster.Spans, situation);
    }
}
