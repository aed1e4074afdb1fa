using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Moderation.Worker.Tests;

public sealed class SchemaTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    // Outside the comparison: EF's history, Quartz's tables, and routing's version (ADR 0602): a table and constraint
    // triggers kept by the database for the cache of routing's inputs, not by the model.
    private static readonly string[] s_queries =
    [
        """
        SELECT table_name || '.' || column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '')
               || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-') || ' identity=' || coalesce(identity_generation, '-')
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN ('__ef_migrations_history', 'routing_config_version') AND table_name NOT LIKE 'qrtz\_%'
        """,
        "SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN ('__ef_migrations_history', 'routing_config_version') AND tablename NOT LIKE 'qrtz\\_%'",
        """
        SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT IN ('__ef_migrations_history', 'routing_config_version') AND c.conrelid::regclass::text NOT LIKE 'qrtz\_%'
              AND c.conname <> 'routing_config_bump'
        """,
    ];

    private static async Task<List<string>> DescribeAsync(string connectionString)
    {
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in s_queries)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    // Quartz's job store tables come from the DDL in the Quartz package (migration QuartzJobStore), not from the model.
    [Fact]
    public async Task The_hand_written_migrations_build_exactly_the_schema_the_model_describes()
    {
        // Arrange: a second database built from the model, not from the migrations.
        var reference = Fixture.Env.Name + "_schema_reference";
        await using (var admin = new NpgsqlConnection(Fixture.Env.AdminConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{reference}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE \"{reference}\"", admin).ExecuteNonQueryAsync();
        }

        var referenceConnection = new NpgsqlConnectionStringBuilder(Fixture.Env.ConnectionString) { Database = reference }.ConnectionString;
        await using (var db = Fixture.Db())
        {
            var script = db.Database.GenerateCreateScript();
            await using var connection = new NpgsqlConnection(referenceConnection);
            await connection.OpenAsync();
            await new NpgsqlCommand(script, connection).ExecuteNonQueryAsync();
        }

        // Act
        var migrated = await DescribeAsync(Fixture.Env.ConnectionString);
        var modelled = await DescribeAsync(referenceConnection);

        // Assert
        migrated.Should().NotBeEmpty();
        migrated.Except(modelled).Should().BeEmpty("the migrations create nothing the model lacks");
        modelled.Except(migrated).Should().BeEmpty("the model has nothing the migrations forgot");
    }
}
