using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// How many routings an alert stands for, and when the last was folded into it: a school-wide cause (nobody on duty,
/// everyone at their cap) for items that got an owner is one open alert with a count while it lasts, not one per item
/// (see ItemRouter.AlertQuietPeriod).
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261224000000_AlertItemCount")]
public sealed class AlertItemCount : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        // Each alert so far stood for one item; the default is only for them, as the model sets the count itself.
        migrationBuilder.Sql("""
            ALTER TABLE alerts ADD COLUMN item_count integer NOT NULL DEFAULT 1;
            ALTER TABLE alerts ALTER COLUMN item_count DROP DEFAULT;
            ALTER TABLE alerts ADD COLUMN last_raised_at timestamp with time zone;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE alerts DROP COLUMN item_count, DROP COLUMN last_raised_at;");
}
