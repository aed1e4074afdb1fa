using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Routing counts each candidate's open items (in review or escalated) for every item it routes. With only the index
/// on the owner, that read every item the person had ever owned and filtered on the state; a partial index holds the
/// open ones alone (docs/benchmarks.md, issue 9, tenth pass).
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261225000000_OpenItemsPerOwnerIndex")]
public sealed class OpenItemsPerOwnerIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE INDEX ix_items_open_per_owner ON items (assigned_to_id) WHERE state IN ('AwaitingReview', 'Escalated');
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP INDEX ix_items_open_per_owner;
        """);
}
