using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Domain.Persistence;

namespace Moderation.Worker.Tests.Persistence;

/// <summary>The hosts' contexts come from a pool: a context leased again starts as a new one would.</summary>
public sealed class PooledContextTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    [Fact]
    public async Task A_context_leased_again_has_forgotten_its_last_scopes_batch_state_and_settings()
    {
        // Arrange: a scope's context used as a write batch uses it, then given back when the scope ends.
        ModerationDbContext first;
        await using (var scope = Fixture.Services.CreateAsyncScope())
        {
            first = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            first.InWriteBatch = true;
            first.OutboxNotifyPending = true;
            first.Database.AutoSavepointsEnabled = false;
            first.ChangeTracker.AutoDetectChangesEnabled = false;
            (await first.OncePerBatchAsync("kind", Guid.Empty, () => Task.FromResult<object?>("kept"))).Should().Be("kept");
            await first.Schools.FirstAsync();
        }

        // Act
        await using var next = Fixture.Services.CreateAsyncScope();
        var again = next.ServiceProvider.GetRequiredService<ModerationDbContext>();

        // Assert
        again.Should().BeSameAs(first, "the context went back to the pool and was leased again");
        again.InWriteBatch.Should().BeFalse();
        again.OutboxNotifyPending.Should().BeFalse();
        again.Database.AutoSavepointsEnabled.Should().BeTrue();
        again.ChangeTracker.AutoDetectChangesEnabled.Should().BeTrue();
        again.ChangeTracker.Entries().Should().BeEmpty();
        again.InWriteBatch = true;
        (await again.OncePerBatchAsync("kind", Guid.Empty, () => Task.FromResult<object?>("read again"))).Should().Be("read again",
            "what the last lease kept for its batch is not this lease's");
    }
}
