using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Routing: each school's routing settings, the item's owner, due time, escalation level and safeguarding
/// acknowledgement, the history of assignments (one open per item), and alerts (one open per item).
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261202000000_Routing")]
public sealed class RoutingAndAssignments : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE items ADD assigned_at timestamp with time zone;
        ALTER TABLE items ADD due_at timestamp with time zone;
        ALTER TABLE items ADD escalation_level integer NOT NULL DEFAULT 0;
        ALTER TABLE items ADD reassignment_count integer NOT NULL DEFAULT 0;
        ALTER TABLE items ADD safeguarding boolean NOT NULL DEFAULT FALSE;
        ALTER TABLE items ADD acknowledged_at timestamp with time zone;
        ALTER TABLE items ADD acknowledged_by_id uuid;
        CREATE INDEX ix_items_claim_expires_at ON items (claim_expires_at);
        CREATE INDEX ix_items_due_at ON items (due_at);

        CREATE TABLE routing_settings (
            school_id uuid NOT NULL,
            settings jsonb NOT NULL,
            updated_at timestamp with time zone NOT NULL,
            updated_by_id uuid,
            CONSTRAINT pk_routing_settings PRIMARY KEY (school_id),
            CONSTRAINT fk_routing_settings_asp_net_users_updated_by_id FOREIGN KEY (updated_by_id) REFERENCES asp_net_users (id) ON DELETE SET NULL,
            CONSTRAINT fk_routing_settings_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_routing_settings_updated_by_id ON routing_settings (updated_by_id);

        CREATE TABLE item_assignments (
            id uuid NOT NULL,
            item_id uuid NOT NULL,
            school_id uuid NOT NULL,
            user_id uuid,
            reason character varying(32) NOT NULL,
            escalation_level integer NOT NULL,
            assigned_at timestamp with time zone NOT NULL,
            due_at timestamp with time zone,
            assigned_by_id uuid,
            explanation character varying(1000) NOT NULL,
            ended_at timestamp with time zone,
            CONSTRAINT pk_item_assignments PRIMARY KEY (id),
            CONSTRAINT fk_item_assignments_asp_net_users_assigned_by_id FOREIGN KEY (assigned_by_id) REFERENCES asp_net_users (id) ON DELETE SET NULL,
            CONSTRAINT fk_item_assignments_asp_net_users_user_id FOREIGN KEY (user_id) REFERENCES asp_net_users (id) ON DELETE RESTRICT,
            CONSTRAINT fk_item_assignments_items_item_id FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE,
            CONSTRAINT fk_item_assignments_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_item_assignments_assigned_by_id ON item_assignments (assigned_by_id);
        CREATE UNIQUE INDEX ix_item_assignments_current ON item_assignments (item_id) WHERE ended_at IS NULL;
        CREATE INDEX ix_item_assignments_item_id_assigned_at ON item_assignments (item_id, assigned_at);
        CREATE INDEX ix_item_assignments_school_id ON item_assignments (school_id);
        CREATE INDEX ix_item_assignments_user_id ON item_assignments (user_id);

        CREATE TABLE alerts (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            item_id uuid,
            reasons character varying(200) NOT NULL,
            message character varying(1000) NOT NULL,
            raised_at timestamp with time zone NOT NULL,
            resolved_at timestamp with time zone,
            resolved_by_id uuid,
            resolution character varying(500),
            CONSTRAINT pk_alerts PRIMARY KEY (id),
            CONSTRAINT fk_alerts_asp_net_users_resolved_by_id FOREIGN KEY (resolved_by_id) REFERENCES asp_net_users (id) ON DELETE SET NULL,
            CONSTRAINT fk_alerts_items_item_id FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE,
            CONSTRAINT fk_alerts_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX ix_alerts_open_per_item ON alerts (item_id) WHERE resolved_at IS NULL;
        CREATE INDEX ix_alerts_resolved_by_id ON alerts (resolved_by_id);
        CREATE INDEX ix_alerts_school_id_resolved_at ON alerts (school_id, resolved_at);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE alerts;
        DROP TABLE item_assignments;
        DROP TABLE routing_settings;
        DROP INDEX ix_items_due_at;
        DROP INDEX ix_items_claim_expires_at;
        ALTER TABLE items DROP COLUMN acknowledged_by_id;
        ALTER TABLE items DROP COLUMN acknowledged_at;
        ALTER TABLE items DROP COLUMN safeguarding;
        ALTER TABLE items DROP COLUMN reassignment_count;
        ALTER TABLE items DROP COLUMN escalation_level;
        ALTER TABLE items DROP COLUMN due_at;
        ALTER TABLE items DROP COLUMN assigned_at;
        """);
}
