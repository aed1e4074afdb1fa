using Moderation.Api.Drafts;
using Moderation.Domain.Items;

namespace Moderation.Api.Tests;

/// <summary>What an author is told about their draft, from its state, rejection reason and publishing actions.</summary>
public sealed class DraftStatusTests
{
    [Theory]
    [InlineData(ItemState.Received, null, 0, 0, DraftStatus.Submitted)]
    [InlineData(ItemState.Screening, null, 0, 0, DraftStatus.Submitted)]
    [InlineData(ItemState.AwaitingReview, null, 0, 0, DraftStatus.InReview)]
    [InlineData(ItemState.Escalated, null, 0, 0, DraftStatus.InReview)]
    [InlineData(ItemState.Approved, null, 0, 0, DraftStatus.Approved)]
    [InlineData(ItemState.Approved, null, 2, 1, DraftStatus.Approved)] // one account done, the blog still waiting
    [InlineData(ItemState.Actioned, null, 2, 2, DraftStatus.Published)]
    [InlineData(ItemState.Rejected, RejectionReason.PupilIdentifiable, 0, 0, DraftStatus.NeedsChanges)]
    [InlineData(ItemState.Rejected, RejectionReason.NoPhotoConsent, 0, 0, DraftStatus.NeedsChanges)]
    [InlineData(ItemState.Rejected, RejectionReason.Inaccurate, 0, 0, DraftStatus.NeedsChanges)]
    [InlineData(ItemState.Rejected, RejectionReason.Abusive, 0, 0, DraftStatus.Rejected)]
    [InlineData(ItemState.Rejected, RejectionReason.OffTopic, 0, 0, DraftStatus.Rejected)]
    public void A_drafts_status_follows_its_state_reason_and_publishing(ItemState state, RejectionReason? reason, int actions, int done, DraftStatus expected) =>
        DraftStatuses.Of(state, reason, actions, done).Should().Be(expected);

    [Fact]
    public void Every_status_has_words_for_the_author() =>
        Enum.GetValues<DraftStatus>().Select(s => s.Label()).Should().OnlyHaveUniqueItems().And.NotContain(l => string.IsNullOrWhiteSpace(l));
}
