using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Tests;

public sealed class LifecycleRulesTests
{
    [Theory]
    [InlineData(ItemState.Received, ItemState.Screening, true)]
    [InlineData(ItemState.Screening, ItemState.AwaitingReview, true)]
    [InlineData(ItemState.AwaitingReview, ItemState.Approved, true)]
    [InlineData(ItemState.AwaitingReview, ItemState.Escalated, true)]
    [InlineData(ItemState.Escalated, ItemState.Rejected, true)]
    [InlineData(ItemState.Approved, ItemState.Actioned, true)]
    [InlineData(ItemState.Received, ItemState.Approved, false)]
    [InlineData(ItemState.Screening, ItemState.Approved, false)]
    [InlineData(ItemState.Rejected, ItemState.Approved, false)]
    [InlineData(ItemState.Approved, ItemState.Rejected, false)]
    [InlineData(ItemState.Actioned, ItemState.AwaitingReview, false)]
    public void Only_listed_moves_are_allowed(ItemState from, ItemState to, bool allowed) =>
        ItemLifecycle.CanMove(from, to).Should().Be(allowed);

    [Fact]
    public void Approved_is_reachable_only_from_review_or_escalation()
    {
        Enum.GetValues<ItemState>().Where(s => ItemLifecycle.CanMove(s, ItemState.Approved))
            .Should().BeEquivalentTo([ItemState.AwaitingReview, ItemState.Escalated]);
    }

    private static StaffMember Staff(string role, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), role, new HashSet<string> { role }, new HashSet<Guid>());

    private static ModerationItem Item(ItemKind kind, ItemState state = ItemState.AwaitingReview, Guid? author = null, Platform? platform = Platform.Facebook) =>
        new() { Text = "t", Kind = kind, State = state, DraftAuthorId = author, Platform = platform };

    [Theory]
    [InlineData(Roles.Administrator, true)]
    [InlineData(Roles.Headteacher, true)]
    [InlineData(Roles.Moderator, false)]
    [InlineData(Roles.Dsl, false)]
    [InlineData(Roles.Author, false)]
    public void Drafts_are_decided_by_an_administrator_or_the_headteacher(string role, bool may) =>
        (ItemDecisions.MayDecide(Item(ItemKind.OutboundDraft, author: Guid.NewGuid()), Staff(role)) is null).Should().Be(may);

    [Fact]
    public void The_author_of_a_draft_may_never_decide_it_whatever_their_role()
    {
        var head = Staff(Roles.Headteacher);
        ItemDecisions.MayDecide(Item(ItemKind.OutboundDraft, author: head.UserId), head)!.Kind.Should().Be(OutcomeKind.Forbidden);
    }

    [Theory]
    [InlineData(Roles.Moderator, false)]
    [InlineData(Roles.Administrator, false)]
    [InlineData(Roles.Headteacher, true)]
    [InlineData(Roles.Dsl, true)]
    public void Escalated_items_are_decided_by_the_headteacher_or_DSL(string role, bool may) =>
        (ItemDecisions.MayDecide(Item(ItemKind.InboundComment, ItemState.Escalated), Staff(role)) is null).Should().Be(may);

    [Theory]
    [InlineData(Platform.Facebook, PlatformAction.Unhide, PlatformAction.Delete)]
    [InlineData(Platform.Instagram, PlatformAction.Unhide, PlatformAction.Delete)]
    [InlineData(Platform.X, PlatformAction.Unhide, PlatformAction.Hide)]
    [InlineData(Platform.YouTube, PlatformAction.Publish, PlatformAction.Delete)]
    [InlineData(Platform.Blog, PlatformAction.Publish, PlatformAction.Delete)]
    public void Decisions_leave_the_action_the_platform_can_carry_out(Platform platform, PlatformAction onApprove, PlatformAction onReject)
    {
        var item = Item(ItemKind.InboundComment, platform: platform);
        ItemDecisions.ApprovalAction(item).Should().Be(onApprove);
        ItemDecisions.RejectionAction(item).Should().Be(onReject);
    }

    [Fact]
    public void An_audit_hash_changes_when_any_field_changes()
    {
        var entry = new AuditEntry { ChainId = Guid.NewGuid(), Position = 3, At = DateTimeOffset.UnixEpoch, Actor = "a", Action = "approved", PrevHash = "p", Hash = "" };
        var original = AuditLog.ComputeHash(entry);
        entry.ToState = "Approved";
        AuditLog.ComputeHash(entry).Should().NotBe(original);
        entry.ToState = null;
        AuditLog.ComputeHash(entry).Should().Be(original);
        entry.PrevHash = "q";
        AuditLog.ComputeHash(entry).Should().NotBe(original);
    }

    [Theory]
    [InlineData("AspNetUserRoles", "asp_net_user_roles")]
    [InlineData("PK_AspNetUsers", "pk_asp_net_users")]
    [InlineData("SchoolId", "school_id")]
    [InlineData("IX_Items_SocialAccountId_PlatformItemId", "ix_items_social_account_id_platform_item_id")]
    [InlineData("xmin", "xmin")]
    public void Names_are_snake_cased(string name, string expected) =>
        ModerationDbContext.ToSnakeCase(name).Should().Be(expected);
}
