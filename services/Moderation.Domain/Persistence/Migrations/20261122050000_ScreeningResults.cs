using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>Screening results: redacted text and its spans, photo consent verdicts and the publishable photo copy.</summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261122050000_ScreeningResults")]
public sealed class ScreeningResults : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE items ADD redacted_text text;
        ALTER TABLE items ADD redactions jsonb;
        ALTER TABLE items ADD photo_verdict character varying(32);
        ALTER TABLE item_media ADD verdict character varying(32);
        ALTER TABLE item_media ADD people jsonb;
        ALTER TABLE item_media ADD location_flags character varying(1000);
        ALTER TABLE item_media ADD publishable_content bytea;
        ALTER TABLE screening_findings ADD media_id uuid;
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE screening_findings DROP COLUMN media_id;
        ALTER TABLE item_media DROP COLUMN publishable_content, DROP COLUMN location_flags, DROP COLUMN people, DROP COLUMN verdict;
        ALTER TABLE items DROP COLUMN photo_verdict, DROP COLUMN redactions, DROP COLUMN redacted_text;
        """);
}
