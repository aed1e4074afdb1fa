using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>Who has an item open (ADR 0503): one row per person and item, with the time of the last heartbeat.</summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261216000000_ItemPresence")]
public sealed class ItemViewers : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE item_viewers (
            item_id uuid NOT NULL,
            user_id uuid NOT NULL,
            user_name character varying(200) NOT NULL,
            seen_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_item_viewers PRIMARY KEY (item_id, user_id),
            CONSTRAINT fk_item_viewers_asp_net_users_user_id FOREIGN KEY (user_id) REFERENCES asp_net_users (id) ON DELETE CASCADE,
            CONSTRAINT fk_item_viewers_items_item_id FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_item_viewers_user_id ON item_viewers (user_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("DROP TABLE item_viewers;");
}
