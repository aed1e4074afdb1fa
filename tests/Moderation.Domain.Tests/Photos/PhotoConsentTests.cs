using Moderation.Domain.Screening.Photos;

namespace Moderation.Domain.Tests.Photos;

/// <summary>
/// Consent verdicts from real school situations: 003 §6.3(e) and §7.1–7.2 (opt-out, the head's list of objections and
/// restrictions), 001 §5 (opt-in, written consent), DOMAIN.md "Consent in detail" (never-publish, expiry, face regions).
/// </summary>
public sealed class PhotoConsentTests
{
    private const string Social = "SocialMedia";
    private const string Website = "Website";

    private static readonly DateOnly s_today = new(2025, 3, 14);
    private static readonly DateOnly s_septemberStart = new(2024, 9, 1);
    private static readonly DateOnly s_julyEnd = new(2025, 7, 31);

    private static readonly Guid s_oliviaId = Guid.Parse("00000000-0000-0000-0000-000000001001");
    private static readonly Guid s_zoeId = Guid.Parse("00000000-0000-0000-0000-000000001002");
    private static readonly Guid s_alfieId = Guid.Parse("00000000-0000-0000-0000-000000001003");

    private static RosterConsent Olivia(params ConsentEntry[] consents) =>
        new(s_oliviaId, "1001", ["Olivia Smith", "Liv Smith"], consents);

    private static RosterConsent Zoe(params ConsentEntry[] consents) =>
        new(s_zoeId, "1002", ["Zoë Núñez", "Zoë Núñez-García"], consents);

    private static RosterConsent Alfie(params ConsentEntry[] consents) =>
        new(s_alfieId, "1003", ["Alfie O'Brien"], consents);

    private static ConsentEntry Granted(string channel = Social, DateOnly? from = null, DateOnly? until = null) =>
        new(channel, "Granted", null, false, from ?? s_septemberStart, until);

    private static ConsentEntry Objected(string channel = Social, DateOnly? from = null, DateOnly? until = null) =>
        new(channel, "Objected", null, false, from ?? s_septemberStart, until);

    private static ConsentEntry Restricted(string restriction, string channel = Social) =>
        new(channel, "Restricted", restriction, false, s_septemberStart, s_julyEnd);

    private static ConsentEntry NeverPublish(string channel = Website) =>
        new(channel, "Objected", null, true, s_septemberStart, null);

    private static PhotoPeople Photo(params TaggedPerson[] people) => Photo(0, 0, people);

    private static PhotoPeople Photo(int faces, int namedFaces, params TaggedPerson[] people) =>
        new(true, null, people, faces, namedFaces, null, PhotoLocation.None, "image/jpeg");

    private static TaggedPerson Tag(string name, PersonSource source = PersonSource.PersonInImage) => new(name, null, source);

    private static PhotoVerdict Decide(PhotoPeople photo, bool optIn, params RosterConsent[] roster) =>
        PhotoConsent.Decide(photo, roster, Social, s_today, optIn);

    [Fact]
    public void A_pupil_with_consent_for_social_media_is_allowed_and_the_photo_is_clear()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: true, Olivia(Granted()), Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().ContainSingle().Which.Should().Match<PersonVerdict>(v =>
            v.Kind == PersonVerdictKind.Allowed && v.PupilId == s_oliviaId);
    }

    [Fact]
    public void A_parent_objection_blocks_the_photo_003_s7_1()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith"), Tag("Zoë Núñez")), optIn: false, Olivia(Granted()), Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single(p => p.PupilId == s_zoeId).Kind.Should().Be(PersonVerdictKind.Objected);
        verdict.People.Single(p => p.PupilId == s_oliviaId).Kind.Should().Be(PersonVerdictKind.Allowed);
        verdict.Reasons.Should().ContainSingle().Which.Should().Contain("1002").And.Contain("objection");
    }

    [Fact]
    public void Never_publish_on_any_channel_overrides_a_granted_social_media_consent()
    {
        // Arrange: a looked-after child whose social worker asked for no publication; the MIS still says "granted".
        var alfie = Alfie(Granted(), NeverPublish(Website));

        // Act
        var verdict = Decide(Photo(Tag("Alfie O'Brien")), optIn: false, alfie);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.NeverPublish);
    }

    [Fact]
    public void Never_publish_recorded_with_a_future_effective_date_still_blocks_today()
    {
        // Arrange
        var alfie = Alfie(Granted(), new ConsentEntry(Social, "Granted", null, true, s_today.AddDays(30), null));

        // Act
        var verdict = Decide(Photo(Tag("Alfie O'Brien")), optIn: false, alfie);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.NeverPublish);
    }

    [Fact]
    public void A_withdrawal_dated_from_next_term_blocks_now_because_published_photos_would_come_down()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: false, Olivia(Granted(), Objected(from: new DateOnly(2025, 4, 22))));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.Objected);
    }

    [Fact]
    public void An_objection_that_expired_last_year_no_longer_applies_under_opt_out()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: false, Olivia(Objected(from: new DateOnly(2023, 9, 1), until: new DateOnly(2024, 7, 31))));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.Allowed);
    }

    [Fact]
    public void A_restriction_needs_a_person_to_confirm_it_is_respected()
    {
        // Act
        var verdict = Decide(Photo(Tag("Zoë Núñez")), optIn: true, Zoe(Restricted("group photos only"), Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        var zoe = verdict.People.Single();
        zoe.Kind.Should().Be(PersonVerdictKind.Restricted);
        zoe.Restriction.Should().Be("group photos only");
        verdict.Reasons.Should().Contain(r => r.Contains("group photos only", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_restrictions_are_all_reported()
    {
        // Act
        var verdict = Decide(Photo(Tag("Zoë Núñez")), optIn: false, Zoe(Restricted("no name with photo"), Restricted("no identifiable face")));

        // Assert
        verdict.People.Single().Restriction.Should().Be("no name with photo; no identifiable face");
    }

    [Fact]
    public void An_unrecognised_consent_status_is_treated_as_a_restriction_to_check()
    {
        // Act
        var verdict = Decide(Photo(Tag("Zoë Núñez")), optIn: false, Zoe(new ConsentEntry(Social, "Pending", null, false, s_septemberStart, null)));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.People.Single().Restriction.Should().Contain("Pending");
    }

    [Fact]
    public void Consent_that_expired_at_the_end_of_last_year_is_no_consent_in_an_opt_in_school()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: true, Olivia(Granted(from: new DateOnly(2023, 9, 1), until: new DateOnly(2024, 7, 31))));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.NoConsent);
        verdict.Reasons.Single().Should().Contain("expired on 2024-07-31");
    }

    [Fact]
    public void Consent_is_still_valid_on_its_expiry_day()
    {
        // Act
        var verdict = PhotoConsent.Decide(Photo(Tag("Olivia Smith")), [Olivia(Granted(until: s_julyEnd))], Social, s_julyEnd, optIn: true);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
    }

    [Fact]
    public void Consent_that_starts_next_month_does_not_count_yet_in_an_opt_in_school()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: true, Olivia(Granted(from: s_today.AddDays(20))));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Reason.Should().Contain("starts on");
    }

    [Fact]
    public void Opt_in_school_without_a_record_for_the_channel_blocks_for_lack_of_written_consent_001_s5()
    {
        // Arrange: consent for the website does not stretch to social media.
        var olivia = Olivia(Granted(Website));

        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: true, olivia);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.NoConsent);
        verdict.Reasons.Single().Should().Contain("no written consent");
    }

    [Fact]
    public void Opt_out_school_without_a_record_allows_003_s7_1()
    {
        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: false, Olivia());

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Single().Reason.Should().Contain("opt-out");
    }

    [Fact]
    public void Channel_names_are_compared_without_case()
    {
        // Act
        var verdict = PhotoConsent.Decide(Photo(Tag("Zoë Núñez")), [Zoe(Objected("socialmedia"))], "SOCIALMEDIA", s_today, optIn: false);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
    }

    [Fact]
    public void A_tagged_person_not_on_the_roster_needs_confirmation()
    {
        // Arrange: a teaching assistant tagged beside a pupil.
        var photo = Photo(Tag("Olivia Smith"), Tag("Mrs Khan", PersonSource.MwgFaceRegion));

        // Act
        var verdict = Decide(photo, optIn: false, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.People.Should().Contain(v => v.Kind == PersonVerdictKind.Unknown && v.PupilId == null && v.Person.Name == "Mrs Khan");
        verdict.Reasons.Should().ContainSingle(r => r.Contains("Mrs Khan", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_unknown_person_in_two_fields_is_reported_once()
    {
        // Act
        var verdict = Decide(Photo(Tag("Mrs Khan"), Tag("MRS  KHAN", PersonSource.MicrosoftPeopleTag)), optIn: false);

        // Assert
        verdict.People.Should().ContainSingle(v => v.Kind == PersonVerdictKind.Unknown);
    }

    [Fact]
    public void A_keyword_that_names_no_pupil_is_not_a_person()
    {
        // Act
        var verdict = Decide(Photo(Tag("Sports Day", PersonSource.XmpSubject), Tag("Year 4", PersonSource.IptcKeywords)), optIn: true, Olivia());

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().BeEmpty();
    }

    [Fact]
    public void A_keyword_that_names_a_pupil_is_judged_like_a_tag()
    {
        // Act
        var verdict = Decide(Photo(Tag("Sports Day", PersonSource.XmpSubject), Tag("zoe nunez", PersonSource.IptcKeywords)), optIn: false, Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Person.Source.Should().Be(PersonSource.IptcKeywords);
    }

    [Fact]
    public void The_same_pupil_tagged_in_five_fields_counts_once()
    {
        // Arrange
        var photo = Photo(1, 1,
            Tag("Olivia Smith"),
            new TaggedPerson("Olivia Smith", "urn:mis:1001", PersonSource.PersonInImageWDetails),
            Tag("olivia smith", PersonSource.MwgFaceRegion),
            Tag("Olivia Smith", PersonSource.MicrosoftPeopleTag),
            Tag("Liv Smith", PersonSource.XmpSubject));

        // Act
        var verdict = Decide(photo, optIn: true, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().ContainSingle().Which.PupilId.Should().Be(s_oliviaId);
    }

    [Fact]
    public void The_mis_id_matches_even_when_the_tagged_name_is_a_nickname_the_roster_lacks()
    {
        // Arrange: "Livvy" is not on the roster, but the MIS id is, and the same nickname in another field is her too.
        var photo = Photo(
            new TaggedPerson("Livvy S", "urn:mis:1001", PersonSource.PersonInImageWDetails),
            Tag("Livvy S", PersonSource.MwgFaceRegion));

        // Act
        var verdict = Decide(photo, optIn: true, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().ContainSingle().Which.Should().Match<PersonVerdict>(v =>
            v.PupilId == s_oliviaId && v.Kind == PersonVerdictKind.Allowed && v.Reason.Contains("MIS id"));
    }

    [Fact]
    public void The_mis_id_beats_a_name_that_belongs_to_another_pupil()
    {
        // Arrange: the PersonId says Zoë (objected) although the name typed beside it is Olivia's.
        var photo = Photo(new TaggedPerson("Olivia Smith", "urn:mis:1002", PersonSource.PersonInImageWDetails));

        // Act
        var verdict = Decide(photo, optIn: false, Olivia(Granted()), Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Should().ContainSingle().Which.PupilId.Should().Be(s_zoeId);
    }

    [Fact]
    public void A_person_id_that_is_not_an_mis_id_falls_back_to_the_name()
    {
        // Act
        var verdict = Decide(Photo(new TaggedPerson("Zoë Núñez", "http://www.wikidata.org/entity/Q42", PersonSource.PersonInImageWDetails)), optIn: false, Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().PupilId.Should().Be(s_zoeId);
    }

    [Theory]
    [InlineData("Zoë Núñez")]
    [InlineData("Zoe\u0308 Nu\u0301n\u0303ez")]
    [InlineData("ZOE NUNEZ")]
    [InlineData("zoe  nunez")]
    [InlineData("Zoë Núñez‑García")]
    public void Names_match_without_regard_to_case_diacritics_or_spacing(string tagged)
    {
        // Act
        var verdict = Decide(Photo(Tag(tagged)), optIn: false, Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().PupilId.Should().Be(s_zoeId);
    }

    [Fact]
    public void Two_pupils_with_the_same_name_are_both_judged_so_either_objection_blocks()
    {
        // Arrange
        var otherOlivia = new RosterConsent(Guid.NewGuid(), "2001", ["Olivia Smith"], [Objected()]);

        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: false, Olivia(Granted()), otherOlivia);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Should().HaveCount(2);
    }

    [Fact]
    public void Two_pupils_with_the_same_name_and_no_objections_still_need_a_person_to_check()
    {
        // Arrange
        var otherOlivia = new RosterConsent(Guid.NewGuid(), "2001", ["Olivia Smith"], [Granted()]);

        // Act
        var verdict = Decide(Photo(Tag("Olivia Smith")), optIn: false, Olivia(Granted()), otherOlivia);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.Reasons.Should().Contain(r => r.Contains("matches 2 pupils", StringComparison.Ordinal));
    }

    [Fact]
    public void Faces_without_any_people_tags_can_never_be_cleared()
    {
        // Act
        var verdict = Decide(Photo(2, 0), optIn: false, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.Reasons.Should().Contain("2 of 2 marked faces have no name");
    }

    [Fact]
    public void One_unnamed_face_beside_a_consented_pupil_needs_confirmation()
    {
        // Act
        var verdict = Decide(Photo(2, 1, Tag("Olivia Smith", PersonSource.MwgFaceRegion)), optIn: false, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.People.Single().Kind.Should().Be(PersonVerdictKind.Allowed);
    }

    [Fact]
    public void More_named_faces_than_people_identified_needs_confirmation()
    {
        // Arrange: three faces all named, but two carry the same name.
        var photo = Photo(3, 3, Tag("Olivia Smith", PersonSource.MwgFaceRegion), Tag("Olivia Smith", PersonSource.MwgFaceRegion), Tag("Zoë Núñez", PersonSource.MwgFaceRegion));

        // Act
        var verdict = Decide(photo, optIn: false, Olivia(Granted()), Zoe(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.Reasons.Should().Contain("3 marked faces but only 2 people identified");
    }

    [Fact]
    public void A_photo_with_no_faces_and_no_people_is_clear()
    {
        // Act
        var verdict = Decide(Photo(), optIn: true, Olivia(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().BeEmpty();
    }

    [Fact]
    public void Unreadable_metadata_needs_confirmation()
    {
        // Arrange
        var photo = PhotoMetadataReader.Read([0xFF, 0xD8, 0xFF, 0xE1, 0x00]);

        // Act
        var verdict = Decide(photo, optIn: false, Olivia(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.Reasons.Single().Should().Contain("could not be read");
    }

    [Fact]
    public void Unreadable_metadata_with_an_objected_pupil_in_the_caption_is_blocked()
    {
        // Arrange
        var photo = PhotoMetadataReader.Read([0xFF, 0xD8, 0xFF], caption: "Zoë Núñez's winning painting");

        // Act
        var verdict = Decide(photo, optIn: false, Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().Person.Source.Should().Be(PersonSource.Caption);
    }

    [Fact]
    public void A_caption_naming_no_pupil_adds_nobody()
    {
        // Act
        var verdict = Decide(Photo(Tag("What a sports day! Well done Year 4", PersonSource.Caption), Tag("Oliviana Smithson runs", PersonSource.AltText)), optIn: true, Olivia(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Clear);
        verdict.People.Should().BeEmpty();
    }

    [Fact]
    public void A_pupil_the_name_matcher_found_in_the_text_is_judged()
    {
        // Arrange: "O. Smith" is for the roster name matcher to recognise, not for this class.
        var photo = Photo(Tag("Well done O. Smith!", PersonSource.Caption));

        // Act
        var verdict = PhotoConsent.Decide(photo, [Olivia(Objected())], Social, s_today, optIn: false, pupilsNamedInText: [s_oliviaId]);

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Single().PupilId.Should().Be(s_oliviaId);
    }

    [Fact]
    public void A_photo_tagged_by_exiftool_with_an_objected_pupil_is_blocked_end_to_end()
    {
        // Arrange
        using var fixtures = new PhotoFixtures();
        var photo = PhotoMetadataReader.Read(File.ReadAllBytes(fixtures.Tag("base.jpg", "all-schemas.args")));

        // Act
        var verdict = Decide(photo, optIn: false, Olivia(Granted()), Zoe(Objected()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.Blocked);
        verdict.People.Select(p => (p.PupilId, p.Kind)).Should().BeEquivalentTo(new[]
        {
            ((Guid?)s_oliviaId, PersonVerdictKind.Allowed),
            ((Guid?)s_zoeId, PersonVerdictKind.Objected),
        });
    }

    [Fact]
    public void A_photo_tagged_by_exiftool_with_consented_pupils_but_an_unnamed_face_needs_confirmation_end_to_end()
    {
        // Arrange
        using var fixtures = new PhotoFixtures();
        var photo = PhotoMetadataReader.Read(File.ReadAllBytes(fixtures.Tag("base.webp", "all-schemas.args")));

        // Act
        var verdict = Decide(photo, optIn: true, Olivia(Granted()), Zoe(Granted()));

        // Assert
        verdict.Kind.Should().Be(PhotoVerdictKind.NeedsConfirmation);
        verdict.Reasons.Should().ContainSingle().Which.Should().Be("1 of 2 marked faces have no name");
    }
}
