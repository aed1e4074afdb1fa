using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Drafts;
using Moderation.Api.Queue;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Testing;
using Moderation.Domain.Platforms;

namespace Moderation.Api.Tests;

public sealed class LifecycleTests(ApiFixture fixture) : ApiTest(fixture)
{
    // A real 1×1 PNG.
    internal static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    internal static async Task<HttpResponseMessage> SubmitDraftAsync(HttpClient client, Guid schoolId, string text, IEnumerable<Guid> accounts, params (string Name, byte[] Bytes)[] photos)
    {
        using var form = new MultipartFormDataContent { { new StringContent(text), "text" } };
        foreach (var a in accounts)
        {
            form.Add(new StringContent(a.ToString()), "accounts");
        }

        foreach (var (name, bytes) in photos)
        {
            form.Add(new ByteArrayContent(bytes), "photos", name);
        }

        return await client.PostAsync($"/api/schools/{schoolId}/drafts", form);
    }

    /// <summary>Fleming's accounts, Facebook first (it takes any post), in a fixed order: Instagram refuses text alone.</summary>
    internal async Task<List<Guid>> FlemingAccountsAsync()
    {
        await using var db = Fixture.Db();
        return await db.SocialAccounts.Where(a => a.SchoolId == Fixture.Schools["fleming-primary"])
            .OrderBy(a => a.Platform != Domain.Schools.Platform.Facebook).ThenBy(a => a.Platform).ThenBy(a => a.Handle)
            .Select(a => a.Id).ToListAsync();
    }

    [Fact]
    public async Task A_staff_draft_with_a_photo_is_screened_into_review_and_the_headteachers_approval_leaves_a_publish_action()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        using var head = await Fixture.As("head@fleming.example");
        var accounts = await FlemingAccountsAsync();

        // Act
        using var submitted = await SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Year 4 won the quiz! Call 07700 900456 for tickets.", accounts.Take(2), ("quiz.png", Png));
        submitted.StatusCode.Should().Be(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        var draft = await ReadAsync<DraftCreated>(submitted);
        draft.State.Should().Be(ItemState.AwaitingReview, "a draft is screened and routed as it is submitted (ADR 0607)");
        var detail = await head.GetFromJsonAsync<ItemDetail>($"/api/items/{draft.Id}", ApiFixture.Json);
        using var approved = await head.PostAsJsonAsync($"/api/items/{draft.Id}/approve", new { text = "Year 4 won the quiz!", version = detail!.Version });

        // Assert
        approved.StatusCode.Should().Be(HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());
        var decision = await ReadAsync<DecisionResponse>(approved);
        decision.State.Should().Be(ItemState.Approved);
        decision.PendingAction.Should().Be(PlatformAction.Publish);
        detail.Media.Should().ContainSingle().Which.ContentType.Should().Be("image/png");
        detail.Findings.Should().Contain(f => f.Rule == "uk-phone");
        detail.TargetAccountIds.Should().HaveCount(2);

        await using var db = Fixture.Db();

        // The demo accounts are not connected, so both publish actions wait for an administrator to connect them.
        await Eventually.WaitForAsync(() => db.PlatformActions.AsNoTracking().CountAsync(a => a.ItemId == draft.Id && a.Status == ActionStatus.Blocked),
            n => n == 2, "both publish actions to wait for their accounts");
        var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == draft.Id);
        item.ApprovedText.Should().Be("Year 4 won the quiz!");
        item.DecidedById.Should().NotBeNull();
        item.DecidedAt.Should().NotBeNull();
        item.State.Should().Be(ItemState.Approved, "approved, not yet actioned: nothing has been published");
        item.PlatformOutcome.Should().Contain("not connected");
        var actions = await db.AuditEntries.Where(a => a.ItemId == draft.Id).OrderBy(a => a.Seq).Select(a => a.Action).ToListAsync();
        actions.Should().Equal("draft-submitted", "screening-started", "screened", "assigned", "approved", "platform-blocked", "platform-blocked");
        var types = await db.Outbox.Where(o => o.Type != "Moderation.Contracts.NotificationDeliveryRequested").OrderBy(o => o.Seq).Select(o => o.Type).ToListAsync();
        (await db.Items.SingleAsync(i => i.Id == draft.Id)).AssignedToId.Should().NotBe(item.DraftAuthorId!.Value, "a draft goes to an approver, never its author");
        // Screened and routed in the submission's own transaction (ADR 0607): no message goes before the decision.
        types.Take(1).Should().Equal("Moderation.Contracts.ItemDecided");
        types.Skip(1).Should().Equal(["Moderation.Contracts.PlatformActionRequested", "Moderation.Contracts.PlatformActionRequested"],
            "the decision became one publish action per chosen account, and nothing was retried");
        (await db.PlatformActions.Where(a => a.ItemId == draft.Id).Select(a => a.Action).ToListAsync())
            .Should().HaveCount(2).And.OnlyContain(a => a == PlatformAction.Publish);

        using var photo = await head.GetAsync($"/api/items/{draft.Id}/media/{detail.Media[0].Id}");
        (await photo.Content.ReadAsByteArrayAsync()).Should().Equal(Png);
    }

    [Fact]
    public async Task A_draft_that_cannot_be_screened_as_it_is_submitted_is_stored_anyway_and_screened_apart_by_the_worker()
    {
        // Arrange: the draft's "screened" entry fails to be written once, which rolls back its write batch at
        // submission; the draft must then be stored the two-stage way, and the worker's screening must not fail.
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await FlemingAccountsAsync();
        var text = $"Sports day results {Guid.NewGuid():N}";
        DraftCreated draft;
        await using (await FailingWrites.InstallAsync(Fixture.Db, "audit_entries", "INSERT", "NEW.action = 'screened' AND NEW.actor = 'system:screening'", times: 1))
        {
            // Act
            using var submitted = await SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], text, accounts.Take(1), ("day.png", Png));
            submitted.StatusCode.Should().Be(HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
            draft = await ReadAsync<DraftCreated>(submitted);
        }

        // Assert: stored unscreened with its message, then screened and assigned once by the worker; nothing of the
        // failed attempt stayed, and the school's audit chain still verifies.
        draft.State.Should().Be(ItemState.Received);
        await Fixture.WaitForStateAsync(draft.Id, ItemState.AwaitingReview);
        await using var db = Fixture.Db();
        (await db.Items.CountAsync(i => i.Text == text)).Should().Be(1);
        (await db.ItemMedia.CountAsync(m => m.ItemId == draft.Id)).Should().Be(1);
        (await db.AuditEntries.Where(a => a.ItemId == draft.Id).OrderBy(a => a.Seq).Select(a => a.Action).ToListAsync())
            .Should().Equal("draft-submitted", "screening-started", "screened", "assigned");
        (await db.ItemAssignments.CountAsync(a => a.ItemId == draft.Id)).Should().Be(1);
        (await db.Outbox.Where(o => o.Type == "Moderation.Contracts.ItemReceived").Select(o => o.Payload).ToListAsync())
            .Count(p => p.Contains(draft.Id.ToString(), StringComparison.Ordinal)).Should().Be(1, "the draft went the two-stage way");
        (await AuditLog.VerifyAsync(db, Fixture.Schools["fleming-primary"], CancellationToken.None)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Nobody_can_approve_their_own_draft_even_a_headteacher()
    {
        // Arrange
        using var head = await Fixture.As("head@fleming.example");
        using var submitted = await SubmitDraftAsync(head, Fixture.Schools["fleming-primary"], "Head's newsletter", (await FlemingAccountsAsync()).Take(1));
        var draft = await ReadAsync<DraftCreated>(submitted);
        await Fixture.WaitForStateAsync(draft.Id, ItemState.AwaitingReview);

        // Act
        using var response = await head.PostAsJsonAsync($"/api/items/{draft.Id}/approve", new { });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == draft.Id)).State.Should().Be(ItemState.AwaitingReview);
    }

    [Fact]
    public async Task A_moderator_may_decide_comments_but_not_the_schools_own_posts()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        using var moderator = await Fixture.As("moderator@fleming.example");
        using var submitted = await SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Trip photos", (await FlemingAccountsAsync()).Take(1));
        var draft = await ReadAsync<DraftCreated>(submitted);
        await Fixture.WaitForStateAsync(draft.Id, ItemState.AwaitingReview);
        var comment = await Fixture.IngestAndScreenAsync("fleming-primary", "Great trip!");

        // Act
        using var onDraft = await moderator.PostAsJsonAsync($"/api/items/{draft.Id}/approve", new { });
        using var onComment = await moderator.PostAsJsonAsync($"/api/items/{comment}/approve", new { });

        // Assert
        onDraft.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        onComment.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReadAsync<DecisionResponse>(onComment)).PendingAction.Should().Be(PlatformAction.Unhide);
    }

    [Fact]
    public async Task Two_moderators_acting_on_one_item_at_once_one_wins_and_the_other_gets_409()
    {
        for (var round = 0; round < 5; round++)
        {
            // Arrange
            var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", $"Round {round}: lovely assembly");
            using var amy = await Fixture.As("moderator@fleming.example");
            using var tom = await Fixture.As("moderator2@fleming.example");

            // Act
            var responses = await Task.WhenAll(
                amy.PostAsJsonAsync($"/api/items/{itemId}/approve", new { }),
                tom.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "OffTopic" }));

            // Assert
            responses.Select(r => r.StatusCode).Should().BeEquivalentTo([HttpStatusCode.OK, HttpStatusCode.Conflict]);
            await using var db = Fixture.Db();
            (await db.AuditEntries.CountAsync(a => a.ItemId == itemId && (a.Action == "approved" || a.Action == "rejected"))).Should().Be(1);
            var decided = await db.Outbox.Where(o => o.Type == "Moderation.Contracts.ItemDecided").Select(o => o.Payload).ToListAsync();
            decided.Count(p => p.Contains(itemId.ToString(), StringComparison.Ordinal)).Should().Be(1);
            foreach (var r in responses)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_decision_against_a_version_that_has_since_changed_gets_409()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "See you at the fair");
        using var amy = await Fixture.As("moderator@fleming.example");
        var seen = await amy.GetFromJsonAsync<ItemDetail>($"/api/items/{itemId}", ApiFixture.Json);
        using (var claim = await amy.PostAsync($"/api/items/{itemId}/claim", null))
        {
            claim.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // Act
        using var response = await amy.PostAsJsonAsync($"/api/items/{itemId}/approve", new { version = seen!.Version });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == itemId)).State.Should().Be(ItemState.AwaitingReview);
    }

    [Fact]
    public async Task An_escalated_item_is_decided_only_by_the_headteacher_or_DSL()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "I know where that child lives");
        using var amy = await Fixture.As("moderator@fleming.example");
        using var dsl = await Fixture.As("dsl@fleming.example");
        using (var escalated = await amy.PostAsJsonAsync($"/api/items/{itemId}/escalate", new { reason = "Possible threat to a pupil" }))
        {
            escalated.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Fixture.WaitForEscalationRoutedAsync();

        // Act
        using var byModerator = await amy.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "Abusive" });
        using var byDsl = await dsl.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "Abusive" });

        // Assert
        byModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        byDsl.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ReadAsync<DecisionResponse>(byDsl)).PendingAction.Should().Be(PlatformAction.Delete);
        await using var db = Fixture.Db();
        (await db.Outbox.CountAsync(o => o.Type == "Moderation.Contracts.ItemEscalated")).Should().Be(1);
    }

    [Fact]
    public async Task A_decided_item_cannot_be_decided_again()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Thanks for the concert");
        using var amy = await Fixture.As("moderator@fleming.example");
        (await amy.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "Spam" })).Dispose();

        // Act
        using var response = await amy.PostAsJsonAsync($"/api/items/{itemId}/approve", new { });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        await using var db = Fixture.Db();
        (await db.Items.SingleAsync(i => i.Id == itemId)).State.Should().Be(ItemState.Rejected);
    }

    [Fact]
    public async Task Fail_closed_when_the_approval_transaction_fails_the_item_stays_in_review_with_nothing_recorded()
    {
        // Arrange: make the outbox refuse ItemDecided rows, so the approval's transaction fails at commit time.
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Please share the photos");
        await using var db = Fixture.Db();
        await db.Database.ExecuteSqlRawAsync("""
            CREATE OR REPLACE FUNCTION test_refuse_decided() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.type = 'Moderation.Contracts.ItemDecided' THEN RAISE EXCEPTION 'injected failure'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER test_refuse_decided BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION test_refuse_decided();
            """);
        using var amy = await Fixture.As("moderator@fleming.example");
        try
        {
            // Act
            using var response = await amy.PostAsJsonAsync($"/api/items/{itemId}/approve", new { });

            // Assert
            response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            var item = await db.Items.AsNoTracking().SingleAsync(i => i.Id == itemId);
            item.State.Should().Be(ItemState.AwaitingReview);
            item.DecidedById.Should().BeNull();
            item.PendingAction.Should().Be(PlatformAction.None);
            (await db.AuditEntries.CountAsync(a => a.ItemId == itemId && a.Action == "approved")).Should().Be(0);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("DROP TRIGGER test_refuse_decided ON outbox; DROP FUNCTION test_refuse_decided();");
        }
    }
}
