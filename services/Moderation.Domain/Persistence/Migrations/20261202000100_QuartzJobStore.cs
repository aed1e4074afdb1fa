using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// The tables of Quartz's clustered job store (prefix <c>qrtz_</c>), from the PostgreSQL DDL that the Quartz package
/// itself ships, so the schema always matches the Quartz version that created it. Quartz only validates them at start.
/// </summary>
/// <remarks>
/// The script creates only what is missing, so running it over an existing store is harmless. An upgrade of Quartz that
/// changes its schema needs a new migration running the package's upgrade script (ADR 0203).
/// </remarks>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261202000100_QuartzJobStore")]
public sealed class QuartzJobStore : Migration
{
    public const string TablePrefix = "qrtz_";

    private const string Resource = "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in Statements())
        {
            migrationBuilder.Sql(statement);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DO $$
        DECLARE t text;
        BEGIN
            FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'qrtz\_%' LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', t);
            END LOOP;
        END $$;
        """);

    /// <summary>The package's script with the table prefix filled in, one statement each (it separates them with a line reading <c>--;;</c>).</summary>
    public static IReadOnlyList<string> Statements()
    {
        using var stream = typeof(Quartz.IJob).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The Quartz package no longer ships {Resource}; provision its job store another way.");
        using var reader = new StreamReader(stream);
        var script = reader.ReadToEnd().Replace("{0}", TablePrefix, StringComparison.Ordinal).Replace("{1}", TablePrefix, StringComparison.Ordinal);
        var statements = new List<string>();
        var current = new System.Text.StringBuilder();
        foreach (var line in script.Split('\n'))
        {
            if (line.Trim() == "--;;")
            {
                Flush();
            }
            else
            {
                current.Append(line).Append('\n');
            }
        }

        Flush();
        return statements;

        // A piece that is only comments (the script's header) is not a statement.
        void Flush()
        {
            var text = current.ToString().Trim();
            current.Clear();
            if (text.Split('\n').Any(l => l.Trim() is { Length: > 0 } t && !t.StartsWith("--", StringComparison.Ordinal)))
            {
                statements.Add(text);
            }
        }
    }
}
