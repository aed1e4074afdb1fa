using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Consent reconciliation (ADR 0401): the runs with their checkpoint, counts and report; the consent snapshot the
/// next run diffs against; and each school's takedown policy (hide by default).
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261205000000_ConsentReconciliation")]
public sealed class ConsentReconciliation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE schools ADD consent_takedown_action character varying(16) NOT NULL DEFAULT 'Hide';
        ALTER TABLE schools ALTER COLUMN consent_takedown_action DROP DEFAULT;
        CREATE TABLE consent_reconciliation_runs (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            trigger character varying(16) NOT NULL,
            status character varying(16) NOT NULL,
            phase character varying(16) NOT NULL,
            source character varying(300) NOT NULL,
            requested_by character varying(200) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            started_at timestamp with time zone,
            finished_at timestamp with time zone,
            lease_until timestamp with time zone,
            checkpoint uuid,
            progress_done integer NOT NULL,
            progress_total integer NOT NULL,
            added integer NOT NULL,
            withdrawn integer NOT NULL,
            restricted integer NOT NULL,
            expired integer NOT NULL,
            rescreened integer NOT NULL,
            taken_down integer NOT NULL,
            needs_human integer NOT NULL,
            csv text,
            errors jsonb,
            diff jsonb,
            report jsonb,
            failure character varying(2000),
            CONSTRAINT pk_consent_reconciliation_runs PRIMARY KEY (id),
            CONSTRAINT fk_consent_reconciliation_runs_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX ix_consent_reconciliation_runs_active ON consent_reconciliation_runs (school_id) WHERE status IN ('Queued', 'Running');
        CREATE INDEX ix_consent_reconciliation_runs_school_id_created_at ON consent_reconciliation_runs (school_id, created_at);
        CREATE TABLE consent_snapshot_entries (
            pupil_id uuid NOT NULL,
            channel character varying(32) NOT NULL,
            school_id uuid NOT NULL,
            state character varying(16) NOT NULL,
            restriction character varying(200),
            CONSTRAINT pk_consent_snapshot_entries PRIMARY KEY (pupil_id, channel),
            CONSTRAINT fk_consent_snapshot_entries_pupils_pupil_id FOREIGN KEY (pupil_id) REFERENCES pupils (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_consent_snapshot_entries_school_id ON consent_snapshot_entries (school_id);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE consent_snapshot_entries;
        DROP TABLE consent_reconciliation_runs;
        ALTER TABLE schools DROP COLUMN consent_takedown_action;
        """);
}
