using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>Notifications in the app, their deliveries by e-mail and webhook, and each school's webhook URL.</summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261201000000_Notifications")]
public sealed class Notifications : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE schools ADD notification_webhook_url character varying(500);
        CREATE TABLE notifications (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            recipient_id uuid NOT NULL,
            item_id uuid,
            kind character varying(32) NOT NULL,
            title character varying(200) NOT NULL,
            body character varying(2000) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            read_at timestamp with time zone,
            CONSTRAINT pk_notifications PRIMARY KEY (id),
            CONSTRAINT fk_notifications_asp_net_users_recipient_id FOREIGN KEY (recipient_id) REFERENCES asp_net_users (id) ON DELETE CASCADE,
            CONSTRAINT fk_notifications_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE TABLE notification_deliveries (
            id uuid NOT NULL,
            notification_id uuid NOT NULL,
            channel character varying(16) NOT NULL,
            target character varying(320) NOT NULL,
            status character varying(16) NOT NULL,
            attempts integer NOT NULL,
            last_error character varying(1000),
            last_attempt_at timestamp with time zone,
            sent_at timestamp with time zone,
            CONSTRAINT pk_notification_deliveries PRIMARY KEY (id),
            CONSTRAINT fk_notification_deliveries_notifications_notification_id FOREIGN KEY (notification_id) REFERENCES notifications (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_notification_deliveries_notification_id ON notification_deliveries (notification_id);
        CREATE INDEX ix_notification_deliveries_status ON notification_deliveries (status);
        CREATE INDEX ix_notifications_recipient_id_created_at ON notifications (recipient_id, created_at);
        CREATE INDEX ix_notifications_school_id ON notifications (school_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE notification_deliveries;
        DROP TABLE notifications;
        ALTER TABLE schools DROP COLUMN notification_webhook_url;
        """);
}
