using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Consent reconciliation (ADR 0401, issue 8's benchmark): a GIN index over the people tagged in each photo, so a run
/// finds the photos that tag a changed pupil by containment instead of reading every photo's people.
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261212000000_PhotoPeopleIndex")]
public sealed class PhotoPeopleIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE INDEX ix_item_media_people ON item_media USING gin (people jsonb_path_ops);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP INDEX ix_item_media_people;
        """);
}
