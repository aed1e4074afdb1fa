using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Moderation.Domain.Items;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;
using Npgsql;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>
/// The rows a save adds to the tables a write batch fills go in with one statement a table when the save runs in the
/// caller's transaction (ADR 0610), and are stored exactly as EF stores them; the saves that need EF's own ordering
/// still get it.
/// </summary>
public sealed class SetInsertsTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private static readonly DateTimeOffset s_at = new(2026, 12, 2, 9, 30, 0, 123, TimeSpan.Zero);
    private static readonly string[] s_tables = ["items", "item_media", "draft_targets", "screening_findings", "item_assignments", "platform_actions"];

    [Fact]
    public async Task Rows_added_in_a_transaction_go_in_one_statement_a_table_and_are_stored_as_EF_stores_them()
    {
        // Arrange: the same graph of rows, saved once by EF alone (no transaction of the caller's) and once in one.
        var (school, account, user) = await DemoIdsAsync();
        var commands = new CommandLog();
        var byEf = Guid.CreateVersion7();
        var setBased = Guid.CreateVersion7();
        await using (var db = Fixture.Env.CreateDbContext(commands))
        {
            AddGraph(db, byEf, school, account, user);
            await db.SaveChangesAsync();
        }

        var efInserted = commands.InsertsInto(s_tables);
        commands.Clear();

        // Act
        uint version;
        await using (var db = Fixture.Env.CreateDbContext(commands))
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var item = AddGraph(db, setBased, school, account, user);
            var saved = await db.SaveChangesAsync();
            saved.Should().Be(7, "an item, its photo, target and finding, an assignment and two platform actions");
            db.Entry(item).State.Should().Be(EntityState.Unchanged);
            version = item.Version;

            // The version read back is the row's: EF's concurrency check on a later update in the transaction passes.
            item.State = ItemState.AwaitingReview;
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Assert
        efInserted.Should().BeEquivalentTo(s_tables, "EF inserts every table itself when the caller opened no transaction");
        commands.InsertsInto(s_tables).Should().BeEmpty("in the caller's transaction those rows went in set-based, not through EF's commands");
        await using var check = Fixture.Db();
        var items = await check.Items.AsNoTracking().Include(i => i.Media).Include(i => i.Targets)
            .Where(i => i.Id == byEf || i.Id == setBased).ToDictionaryAsync(i => i.Id);
        items[setBased].State.Should().Be(ItemState.AwaitingReview);
        items[setBased].Version.Should().NotBe(version, "the update in the same transaction gave the row a new version");
        items[setBased].Should().BeEquivalentTo(items[byEf], o => o
            .Excluding(i => i.Id).Excluding(i => i.PlatformItemId).Excluding(i => i.State).Excluding(i => i.Version)
            .For(i => i.Media).Exclude(m => m.Id).For(i => i.Media).Exclude(m => m.ItemId)
            .For(i => i.Targets).Exclude(t => t.ItemId));
        (await check.ScreeningFindings.AsNoTracking().SingleAsync(f => f.ItemId == setBased)).Should().BeEquivalentTo(
            await check.ScreeningFindings.AsNoTracking().SingleAsync(f => f.ItemId == byEf),
            o => o.Excluding(f => f.Id).Excluding(f => f.ItemId).Excluding(f => f.MediaId));
        (await check.ItemAssignments.AsNoTracking().SingleAsync(a => a.ItemId == setBased)).Should().BeEquivalentTo(
            await check.ItemAssignments.AsNoTracking().SingleAsync(a => a.ItemId == byEf), o => o.Excluding(a => a.Id).Excluding(a => a.ItemId));
        (await check.PlatformActions.AsNoTracking().Where(a => a.ItemId == setBased).OrderBy(a => a.Purpose).ToListAsync()).Should().BeEquivalentTo(
            await check.PlatformActions.AsNoTracking().Where(a => a.ItemId == byEf).OrderBy(a => a.Purpose).ToListAsync(),
            o => o.Excluding(a => a.Id).Excluding(a => a.ItemId).WithStrictOrdering());
        var finding = await check.ScreeningFindings.AsNoTracking().SingleAsync(f => f.ItemId == setBased);
        finding.MediaId.Should().Be(items[setBased].Media.Single().Id);
    }

    [Fact]
    public async Task An_assignment_ended_and_its_successor_added_in_one_save_keep_EFs_order_so_the_item_has_one_current_assignment()
    {
        // Arrange: an item with a current assignment.
        var (school, account, user) = await DemoIdsAsync();
        var itemId = Guid.CreateVersion7();
        await StoreGraphAsync(itemId, school, account, user);

        // Act: hand it on, ending the current assignment and adding the next, in one save. The unique index allows one
        // current assignment, so the update must go before the insert, as EF orders them.
        await using (var db = Fixture.Db())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            var current = await db.ItemAssignments.SingleAsync(a => a.ItemId == itemId && a.EndedAt == null);
            current.EndedAt = s_at.AddMinutes(5);
            db.ItemAssignments.Add(Assignment(itemId, school, user, s_at.AddMinutes(5)));
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        // Assert
        await using var check = Fixture.Db();
        var assignments = await check.ItemAssignments.AsNoTracking().Where(a => a.ItemId == itemId).OrderBy(a => a.AssignedAt).ToListAsync();
        assignments.Should().HaveCount(2);
        assignments[0].EndedAt.Should().Be(s_at.AddMinutes(5));
        assignments[1].EndedAt.Should().BeNull();
    }

    [Fact]
    public async Task Items_of_a_school_added_in_the_same_save_are_left_to_EF_which_inserts_the_school_first()
    {
        // Arrange: a new school and account, and an item on that account, in one save (as seeding does). Rolled back at
        // the end, so that the other tests see the schools they expect.
        var (_, _, user) = await DemoIdsAsync();
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var school = new School { Id = Guid.CreateVersion7(), Slug = $"set-inserts-{Guid.NewGuid():N}", Name = "Set Inserts Primary" };
        var account = new SocialAccount { Id = Guid.CreateVersion7(), SchoolId = school.Id, Platform = Platform.Facebook, Handle = "@set", ExternalId = $"{Guid.NewGuid():N}" };
        db.AddRange(school, account);
        var itemId = Guid.CreateVersion7();
        AddGraph(db, itemId, school.Id, account.Id, user);

        // Act
        var save = () => db.SaveChangesAsync();

        // Assert
        await save.Should().NotThrowAsync("the school and account go in before the rows that reference them");
        (await db.Items.AsNoTracking().CountAsync(i => i.SchoolId == school.Id)).Should().Be(1);
        (await db.ItemAssignments.AsNoTracking().CountAsync(a => a.ItemId == itemId)).Should().Be(1);
        await tx.RollbackAsync();
    }

    [Fact]
    public async Task A_row_that_breaks_a_constraint_fails_the_save_as_EF_reports_it_and_the_rows_stay_added()
    {
        // Arrange: an item already stored for the account and platform id that a second item repeats.
        var (school, account, user) = await DemoIdsAsync();
        var first = Guid.CreateVersion7();
        await StoreGraphAsync(first, school, account, user);

        await using var again = Fixture.Db();
        await using var transaction = await again.Database.BeginTransactionAsync();
        var duplicate = AddGraph(again, Guid.CreateVersion7(), school, account, user);
        duplicate.PlatformItemId = $"set-{first:N}";

        // Act
        var save = () => again.SaveChangesAsync();

        // Assert
        var thrown = await save.Should().ThrowAsync<DbUpdateException>();
        thrown.Which.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
        thrown.Which.Message.Should().Contain("items");
        again.Entry(duplicate).State.Should().Be(EntityState.Added, "what was not saved stays added, as EF leaves it");
        again.ChangeTracker.Entries<ItemAssignment>().Should().OnlyContain(e => e.State == EntityState.Added);
        await transaction.RollbackAsync();
        await using var check = Fixture.Db();
        (await check.Items.AsNoTracking().CountAsync(i => i.SocialAccountId == account)).Should().Be(1);
    }

    [Fact]
    public async Task When_the_rest_of_the_save_fails_the_rows_inserted_set_based_are_added_again_and_saved_on_the_next_try()
    {
        // Arrange: an item, and a notification for someone who does not exist, which EF saves after the item.
        var (school, account, user) = await DemoIdsAsync();
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        await tx.CreateSavepointAsync("before");
        var item = AddGraph(db, Guid.CreateVersion7(), school, account, user);
        var stranger = new Notification
        {
            Id = Guid.CreateVersion7(), SchoolId = school, RecipientId = Guid.NewGuid(), ItemId = item.Id,
            Kind = NotificationKind.Assigned, Title = "New item", Body = "For nobody", CreatedAt = s_at,
        };
        db.Notifications.Add(stranger);

        // Act
        var save = () => db.SaveChangesAsync();

        // Assert
        (await save.Should().ThrowAsync<DbUpdateException>()).Which.InnerException.Should().BeOfType<PostgresException>()
            .Which.SqlState.Should().Be(PostgresErrorCodes.ForeignKeyViolation);
        db.Entry(item).State.Should().Be(EntityState.Added, "the item's insert was undone with the save, so it is still to be saved");
        db.ChangeTracker.Entries<ItemAssignment>().Should().OnlyContain(e => e.State == EntityState.Added);
        await tx.RollbackToSavepointAsync("before");
        db.Entry(stranger).State = EntityState.Detached;
        await db.SaveChangesAsync();
        await tx.CommitAsync();
        await using var check = Fixture.Db();
        (await check.Items.AsNoTracking().CountAsync(i => i.Id == item.Id)).Should().Be(1);
        (await check.ItemAssignments.AsNoTracking().CountAsync(a => a.ItemId == item.Id)).Should().Be(1);
    }

    private async Task<(Guid School, Guid Account, Guid User)> DemoIdsAsync()
    {
        await using var db = Fixture.Db();
        var account = await db.SocialAccounts.AsNoTracking().Where(a => a.Platform == Platform.Facebook).OrderBy(a => a.Id).FirstAsync();
        var user = await db.Memberships.AsNoTracking().Where(m => m.SchoolId == account.SchoolId).OrderBy(m => m.UserId).Select(m => m.UserId).FirstAsync();
        return (account.SchoolId, account.Id, user);
    }

    /// <summary>Stores <see cref="AddGraph"/>'s rows in a transaction of their own, and commits.</summary>
    private async Task StoreGraphAsync(Guid itemId, Guid school, Guid account, Guid user)
    {
        await using var db = Fixture.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        AddGraph(db, itemId, school, account, user);
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }

    /// <summary>An item with every kind of column set (and some left null), a photo, a target, a finding on the photo, an assignment and two actions.</summary>
    private static ModerationItem AddGraph(ModerationDbContext db, Guid itemId, Guid school, Guid account, Guid user)
    {
        var item = new ModerationItem
        {
            Id = itemId,
            SchoolId = school,
            SocialAccountId = account,
            Kind = ItemKind.InboundComment,
            State = ItemState.Received,
            Platform = Platform.Facebook,
            PlatformItemId = $"set-{itemId:N}",
            AuthorName = "A Parent",
            AuthorPlatformId = "p-42",
            Text = "Well done Year 4 — naïve café ✓",
            RedactedText = "Well done ████",
            Redactions = """[{"offset": 10, "length": 6, "kind": "pupil"}]""",
            PhotoVerdict = "Blocked",
            ScreeningComplete = true,
            ScreeningNote = null,
            AssignedToId = user,
            AssignedAt = s_at,
            DueAt = s_at.AddHours(4),
            EscalationLevel = 2,
            Safeguarding = true,
            PendingAction = PlatformAction.Hide,
            RejectionReason = null,
            PlatformUrl = "https://facebook.example/p/1",
            PlatformPayload = """{"raw": true}""",
            HiddenOnPlatform = true,
            ReceivedAt = s_at,
            UpdatedAt = s_at.AddSeconds(1),
        };
        var media = new ItemMedia
        {
            Id = Guid.CreateVersion7(),
            ItemId = itemId,
            FileName = "quiz.jpg",
            ContentType = "image/jpeg",
            Length = 4,
            Sha256 = new string('a', 64),
            Content = [0xFF, 0xD8, 0x00, 0xD9],
            PublishableContent = null,
            People = """[{"name": "Ava Smith", "pupilId": "7"}]""",
            Verdict = "Blocked",
        };
        item.Media.Add(media);
        item.Targets.Add(new DraftTarget { ItemId = itemId, SocialAccountId = account });
        db.Items.Add(item);
        db.ScreeningFindings.Add(new ScreeningFinding
        {
            Id = Guid.CreateVersion7(), ItemId = itemId, MediaId = media.Id, Category = "consent", Rule = "objected",
            Severity = FindingSeverity.Severe, Offset = 0, Length = 0, Explanation = "A pupil whose parents objected.",
        });
        db.ItemAssignments.Add(Assignment(itemId, school, user, s_at));
        foreach (var purpose in new[] { ActionPurpose.Arrival, ActionPurpose.Decision })
        {
            db.PlatformActions.Add(new PlatformActionRecord
            {
                Id = Guid.CreateVersion7(), ItemId = itemId, SchoolId = school, SocialAccountId = account, Action = PlatformAction.Hide,
                Purpose = purpose, Status = ActionStatus.Pending, CreatedAt = s_at, NextAttemptAt = s_at, LastError = purpose == ActionPurpose.Decision ? "timed out" : null,
            });
        }

        return item;
    }

    private static ItemAssignment Assignment(Guid itemId, Guid school, Guid user, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(), ItemId = itemId, SchoolId = school, UserId = user, Reason = "OnDuty", EscalationLevel = 0,
        AssignedAt = at, DueAt = at.AddHours(4), Explanation = "On the rota.",
    };

    /// <summary>The commands EF sends through this context.</summary>
    private sealed class CommandLog : DbCommandInterceptor
    {
        private readonly List<string> _texts = [];

        public List<string> InsertsInto(IEnumerable<string> tables) =>
            [.. tables.Where(t => _texts.Any(c => c.Contains($"INSERT INTO {t} ", StringComparison.Ordinal)))];

        public void Clear() => _texts.Clear();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            _texts.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }
    }
}
