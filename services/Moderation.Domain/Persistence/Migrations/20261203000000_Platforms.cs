using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Platform connectors: each account's connection, encrypted credentials, polling cursor and health; the item's
/// platform address, parent, raw payload and outcome; the durable queue of platform actions; and webhook bodies as
/// received.
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261203000000_Platforms")]
public sealed class PlatformConnectors : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE social_accounts ADD connection_status character varying(24) NOT NULL DEFAULT 'NotConnected';
        ALTER TABLE social_accounts ADD api_base_url character varying(500);
        ALTER TABLE social_accounts ADD protected_credentials text;
        ALTER TABLE social_accounts ADD connected_at timestamp with time zone;
        ALTER TABLE social_accounts ADD connected_by_id uuid;
        ALTER TABLE social_accounts ADD poll_interval_seconds integer;
        ALTER TABLE social_accounts ADD poll_cursor character varying(500);
        ALTER TABLE social_accounts ADD last_polled_at timestamp with time zone;
        ALTER TABLE social_accounts ADD last_poll_count integer;
        ALTER TABLE social_accounts ADD last_error character varying(1000);
        ALTER TABLE social_accounts ADD last_error_at timestamp with time zone;
        ALTER TABLE social_accounts ADD circuit_state character varying(16);
        ALTER TABLE social_accounts ADD circuit_changed_at timestamp with time zone;
        ALTER TABLE social_accounts ADD CONSTRAINT fk_social_accounts_asp_net_users_connected_by_id
            FOREIGN KEY (connected_by_id) REFERENCES asp_net_users (id) ON DELETE SET NULL;
        CREATE INDEX ix_social_accounts_connected_by_id ON social_accounts (connected_by_id);
        CREATE INDEX ix_social_accounts_connection_status ON social_accounts (connection_status);

        ALTER TABLE items ADD platform_url character varying(500);
        ALTER TABLE items ADD platform_parent_id character varying(200);
        ALTER TABLE items ADD platform_payload text;
        ALTER TABLE items ADD hidden_on_platform boolean NOT NULL DEFAULT FALSE;
        ALTER TABLE items ADD platform_outcome character varying(1000);

        CREATE TABLE platform_actions (
            id uuid NOT NULL,
            item_id uuid NOT NULL,
            school_id uuid NOT NULL,
            social_account_id uuid NOT NULL,
            action character varying(16) NOT NULL,
            purpose character varying(16) NOT NULL,
            status character varying(16) NOT NULL,
            attempts integer NOT NULL,
            created_at timestamp with time zone NOT NULL,
            next_attempt_at timestamp with time zone NOT NULL,
            lease_until timestamp with time zone,
            completed_at timestamp with time zone,
            last_error character varying(1000),
            result character varying(1000),
            result_platform_id character varying(200),
            result_url character varying(500),
            CONSTRAINT pk_platform_actions PRIMARY KEY (id),
            CONSTRAINT fk_platform_actions_items_item_id FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE,
            CONSTRAINT fk_platform_actions_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE,
            CONSTRAINT fk_platform_actions_social_accounts_social_account_id FOREIGN KEY (social_account_id) REFERENCES social_accounts (id) ON DELETE RESTRICT
        );
        CREATE UNIQUE INDEX ix_platform_actions_item_id_social_account_id_purpose ON platform_actions (item_id, social_account_id, purpose);
        CREATE INDEX ix_platform_actions_school_id ON platform_actions (school_id);
        CREATE INDEX ix_platform_actions_social_account_id ON platform_actions (social_account_id);
        CREATE INDEX ix_platform_actions_status_next_attempt_at ON platform_actions (status, next_attempt_at);

        CREATE TABLE webhook_deliveries (
            id uuid NOT NULL,
            platform character varying(16) NOT NULL,
            social_account_id uuid,
            body text NOT NULL,
            body_sha256 character varying(64) NOT NULL,
            received_at timestamp with time zone NOT NULL,
            processed_at timestamp with time zone,
            comment_count integer,
            error character varying(1000),
            CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id),
            CONSTRAINT fk_webhook_deliveries_social_accounts_social_account_id FOREIGN KEY (social_account_id) REFERENCES social_accounts (id) ON DELETE SET NULL
        );
        CREATE UNIQUE INDEX ix_webhook_deliveries_body_sha256 ON webhook_deliveries (body_sha256);
        CREATE INDEX ix_webhook_deliveries_received_at ON webhook_deliveries (received_at);
        CREATE INDEX ix_webhook_deliveries_social_account_id ON webhook_deliveries (social_account_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE webhook_deliveries;
        DROP TABLE platform_actions;
        ALTER TABLE items DROP COLUMN platform_url, DROP COLUMN platform_parent_id, DROP COLUMN platform_payload,
            DROP COLUMN hidden_on_platform, DROP COLUMN platform_outcome;
        ALTER TABLE social_accounts DROP CONSTRAINT fk_social_accounts_asp_net_users_connected_by_id;
        ALTER TABLE social_accounts DROP COLUMN connection_status, DROP COLUMN api_base_url, DROP COLUMN protected_credentials,
            DROP COLUMN connected_at, DROP COLUMN connected_by_id, DROP COLUMN poll_interval_seconds, DROP COLUMN poll_cursor,
            DROP COLUMN last_polled_at, DROP COLUMN last_poll_count, DROP COLUMN last_error, DROP COLUMN last_error_at,
            DROP COLUMN circuit_state, DROP COLUMN circuit_changed_at;
        """);
}
