using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;

namespace Moderation.Testing;

/// <summary>
/// A trigger that makes the first few writes of a table that match a condition fail, as a database hiccup would; a
/// sequence counts them, since it is not rolled back with the failed write. Disposing removes it.
/// </summary>
public sealed class FailingWrites(Func<ModerationDbContext> db, string table) : IAsyncDisposable
{
    public static async Task<FailingWrites> InstallAsync(Func<ModerationDbContext> db, string table, string operation, string condition, int times)
    {
        // Names and conditions are the test's own constants, not input.
        var sql = $$"""
            CREATE SEQUENCE test_failures_{{table}};
            CREATE FUNCTION test_fail_{{table}}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {{condition}} AND nextval('test_failures_{{table}}') <= {{times}} THEN
                    RAISE EXCEPTION 'test: this {{table}} write fails';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER test_fail_{{table}} BEFORE {{operation}} ON {{table}} FOR EACH ROW EXECUTE FUNCTION test_fail_{{table}}();
            """;
        await using (var context = db())
        {
            await context.Database.ExecuteSqlRawAsync(sql);
        }

        return new FailingWrites(db, table);
    }

    public async ValueTask DisposeAsync()
    {
        var sql = $"DROP TRIGGER test_fail_{table} ON {table}; DROP FUNCTION test_fail_{table}(); DROP SEQUENCE test_failures_{table};";
        await using var context = db();
        await context.Database.ExecuteSqlRawAsync(sql);
    }
}
