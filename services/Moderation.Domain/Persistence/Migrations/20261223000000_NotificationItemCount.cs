using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// How many items a "new item to review" notification stands for: assignments made while the person has one unread
/// from the last quarter of an hour are folded into it, not sent again one by one (see Notifier.AssignedQuietPeriod).
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261223000000_NotificationItemCount")]
public sealed class NotificationItemCount : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) =>
        // Each notification so far stood for one item; the default is only for them, as the model sets the count itself.
        migrationBuilder.Sql("""
            ALTER TABLE notifications ADD COLUMN item_count integer NOT NULL DEFAULT 1;
            ALTER TABLE notifications ALTER COLUMN item_count DROP DEFAULT;
            """);

    protected override void Down(MigrationBuilder migrationBuilder) =>
        migrationBuilder.Sql("ALTER TABLE notifications DROP COLUMN item_count;");
}
