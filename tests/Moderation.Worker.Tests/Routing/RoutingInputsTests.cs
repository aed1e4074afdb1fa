using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Routing;

namespace Moderation.Worker.Tests.Routing;

/// <summary>
/// Routing's inputs kept between transactions (ADR 0602): used while nothing they are made of has changed, read again
/// after any committed change to a member's name, role or membership (and, by the same triggers, to a rota or
/// routing's settings), and never taken from or left in the
/// cache by a transaction that changed them itself.
/// </summary>
public sealed class RoutingInputsTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task A_kept_copy_serves_until_a_committed_change_and_a_transaction_changing_the_inputs_reads_its_own()
    {
        // Arrange
        var inputs = new RoutingInputs();
        await using var db = Fixture.Db();
        var member = await db.Memberships.AsNoTracking().OrderBy(m => m.UserId).FirstAsync();
        var school = member.SchoolId;
        var loads = 0;
        Task<string> LoadAsync() => Task.FromResult($"read {++loads}");
        Task<string> GetAsync() => inputs.GetAsync(db, "test", school, LoadAsync, CancellationToken.None);

        // Act and assert: nothing changed, so the copy serves.
        var first = await GetAsync();
        (await GetAsync()).Should().Be(first);
        loads.Should().Be(1);

        // A member's name changes (committed elsewhere): read again, then kept again.
        await using (var other = Fixture.Db())
        {
            await other.Users.Where(u => u.Id == member.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, u => u.DisplayName + " "));
        }

        (await GetAsync()).Should().Be("read 2");
        (await GetAsync()).Should().Be("read 2");

        // A role is renamed, and then a membership is written: read again each time.
        await using (var other = Fixture.Db())
        {
            await other.Database.ExecuteSqlRawAsync("UPDATE asp_net_roles SET name = name");
        }

        (await GetAsync()).Should().Be("read 3");
        await using (var other = Fixture.Db())
        {
            await other.Database.ExecuteSqlRawAsync("UPDATE school_memberships SET school_id = school_id WHERE user_id = {0}", member.UserId);
        }

        (await GetAsync()).Should().Be("read 4");

        // A statement that changes no row changes nothing: the copy serves.
        await using (var other = Fixture.Db())
        {
            await other.Database.ExecuteSqlRawAsync("DELETE FROM routing_settings WHERE school_id = {0}", Guid.NewGuid());
        }

        (await GetAsync()).Should().Be("read 4");

        // A transaction that changes an input reads its own view and keeps nothing of it.
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE asp_net_user_roles SET role_id = role_id WHERE user_id = {0}", member.UserId);
            (await GetAsync()).Should().Be("read 5");
            (await GetAsync()).Should().Be("read 6", "its uncommitted changes are not for anyone to keep");
            await tx.RollbackAsync();
        }

        (await GetAsync()).Should().Be("read 4", "rolled back, nothing changed: the copy read before it serves again");
        inputs.Counts.Should().Be((4L, 6L), "four reuses and six reads");
    }

    [Fact]
    public async Task Each_committed_change_gets_a_new_routing_version_and_a_rolled_back_one_leaves_it_as_it_was()
    {
        // Arrange
        await using var db = Fixture.Db();
        async Task<long> VersionAsync() =>
            await db.Database.SqlQueryRaw<long>("SELECT version AS \"Value\" FROM routing_config_version").SingleAsync();
        var before = await VersionAsync();

        // Act
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE asp_net_roles SET name = name");
            await db.Database.ExecuteSqlRawAsync("UPDATE school_memberships SET school_id = school_id");
            (await VersionAsync()).Should().Be(before, "the number changes as the transaction commits, not before");
            await tx.CommitAsync();
        }

        var committed = await VersionAsync();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE asp_net_user_roles SET role_id = role_id");
            await tx.RollbackAsync();
        }

        // Assert
        committed.Should().BeGreaterThan(before, "one transaction changing two of routing's tables gets one new number");
        (await db.Database.SqlQueryRaw<int>("SELECT count(DISTINCT tgrelid)::int AS \"Value\" FROM pg_trigger WHERE tgname = 'routing_config_bump'").SingleAsync())
            .Should().Be(14, "every table routing reads (rotas and their 8 parts, routing settings, memberships, users, roles and user roles) has the trigger");
        (await VersionAsync()).Should().Be(committed);
    }
}
