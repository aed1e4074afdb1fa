using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Safeguarding (ADR 0301): cases with their acknowledgement chain, confidential notes, referrals, the evidence
/// snapshot's parts, per-school safeguarding settings, and the retention log. Triggers refuse to delete an item, a
/// case or its evidence while the case is under legal hold, and evidence parts are never changed once written; they
/// are the database's own backstop behind the checks in the code (triggers are outside the model, so SchemaTests does
/// not compare them). The only change an evidence part may take is having its bytes wiped when its case turns out to
/// be about suspected child sexual abuse material.
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261204000000_Safeguarding")]
public sealed class SafeguardingCasesAndEvidence : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE safeguarding_cases (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            item_id uuid,
            category character varying(32) NOT NULL,
            severity character varying(16) NOT NULL,
            source character varying(16) NOT NULL,
            about_headteacher boolean NOT NULL,
            summary character varying(2000) NOT NULL,
            raised_by_id uuid,
            raised_by character varying(200) NOT NULL,
            raised_at timestamp with time zone NOT NULL,
            status character varying(16) NOT NULL,
            owner_id uuid,
            chain_step integer NOT NULL,
            ack_due_at timestamp with time zone,
            acknowledged_at timestamp with time zone,
            acknowledged_by_id uuid,
            evidence_captured_at timestamp with time zone,
            evidence_sha256 character varying(64),
            legal_hold boolean NOT NULL,
            legal_hold_at timestamp with time zone,
            legal_hold_by_id uuid,
            legal_hold_reason character varying(500),
            closure_requested_at timestamp with time zone,
            closure_requested_by_id uuid,
            closure_outcome character varying(2000),
            closed_at timestamp with time zone,
            closed_by_id uuid,
            CONSTRAINT pk_safeguarding_cases PRIMARY KEY (id),
            CONSTRAINT fk_safeguarding_cases_items_item_id FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE RESTRICT,
            CONSTRAINT fk_safeguarding_cases_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE RESTRICT
        );
        CREATE INDEX ix_safeguarding_cases_ack_due_at ON safeguarding_cases (ack_due_at);
        CREATE UNIQUE INDEX ix_safeguarding_cases_open_per_item ON safeguarding_cases (item_id) WHERE closed_at IS NULL;
        CREATE INDEX ix_safeguarding_cases_school_id_raised_at ON safeguarding_cases (school_id, raised_at);

        CREATE TABLE safeguarding_notes (
            id uuid NOT NULL,
            case_id uuid NOT NULL,
            author_id uuid NOT NULL,
            author character varying(200) NOT NULL,
            at timestamp with time zone NOT NULL,
            text character varying(8000) NOT NULL,
            CONSTRAINT pk_safeguarding_notes PRIMARY KEY (id),
            CONSTRAINT fk_safeguarding_notes_safeguarding_cases_case_id FOREIGN KEY (case_id) REFERENCES safeguarding_cases (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_safeguarding_notes_case_id ON safeguarding_notes (case_id);

        CREATE TABLE safeguarding_referrals (
            id uuid NOT NULL,
            case_id uuid NOT NULL,
            agency character varying(32) NOT NULL,
            made_at timestamp with time zone NOT NULL,
            made_by_id uuid NOT NULL,
            made_by character varying(200) NOT NULL,
            reference character varying(100),
            outcome character varying(2000),
            outcome_at timestamp with time zone,
            recorded_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_safeguarding_referrals PRIMARY KEY (id),
            CONSTRAINT fk_safeguarding_referrals_safeguarding_cases_case_id FOREIGN KEY (case_id) REFERENCES safeguarding_cases (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_safeguarding_referrals_case_id ON safeguarding_referrals (case_id);

        CREATE TABLE evidence_parts (
            id uuid NOT NULL,
            case_id uuid NOT NULL,
            position integer NOT NULL,
            kind character varying(16) NOT NULL,
            name character varying(260) NOT NULL,
            content_type character varying(100) NOT NULL,
            length bigint NOT NULL,
            sha256 character varying(64) NOT NULL,
            content bytea,
            withheld boolean NOT NULL,
            source_url character varying(2000),
            captured_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_evidence_parts PRIMARY KEY (id),
            CONSTRAINT fk_evidence_parts_safeguarding_cases_case_id FOREIGN KEY (case_id) REFERENCES safeguarding_cases (id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX ix_evidence_parts_case_id_position ON evidence_parts (case_id, position);

        CREATE TABLE safeguarding_settings (
            school_id uuid NOT NULL,
            settings jsonb NOT NULL,
            updated_at timestamp with time zone NOT NULL,
            updated_by_id uuid,
            CONSTRAINT pk_safeguarding_settings PRIMARY KEY (school_id),
            CONSTRAINT fk_safeguarding_settings_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );

        CREATE TABLE retention_purges (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            purged_at timestamp with time zone NOT NULL,
            kind character varying(16) NOT NULL,
            subject_id uuid NOT NULL,
            retention_class character varying(32) NOT NULL,
            retention_days integer NOT NULL,
            detail character varying(1000) NOT NULL,
            CONSTRAINT pk_retention_purges PRIMARY KEY (id),
            CONSTRAINT fk_retention_purges_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_retention_purges_school_id_purged_at ON retention_purges (school_id, purged_at);

        CREATE FUNCTION safeguarding_forbid_delete_under_legal_hold() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE held boolean;
        BEGIN
            -- Each branch names only its own table's columns: PL/pgSQL resolves OLD's fields when a statement runs.
            IF TG_TABLE_NAME = 'safeguarding_cases' THEN
                held := OLD.legal_hold;
            ELSIF TG_TABLE_NAME = 'items' THEN
                held := EXISTS (SELECT 1 FROM safeguarding_cases c WHERE c.item_id = OLD.id AND c.legal_hold);
            ELSIF TG_TABLE_NAME = 'item_media' THEN
                held := EXISTS (SELECT 1 FROM safeguarding_cases c WHERE c.item_id = OLD.item_id AND c.legal_hold);
            ELSE
                held := EXISTS (SELECT 1 FROM safeguarding_cases c WHERE c.id = OLD.case_id AND c.legal_hold);
            END IF;
            IF held THEN
                RAISE EXCEPTION 'legal hold: % % belongs to a safeguarding case under legal hold and cannot be deleted', TG_TABLE_NAME, OLD.id;
            END IF;
            RETURN OLD;
        END $$;
        CREATE TRIGGER trg_items_legal_hold BEFORE DELETE ON items FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();
        CREATE TRIGGER trg_item_media_legal_hold BEFORE DELETE ON item_media FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();
        CREATE TRIGGER trg_safeguarding_cases_legal_hold BEFORE DELETE ON safeguarding_cases FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();
        CREATE TRIGGER trg_evidence_parts_legal_hold BEFORE DELETE ON evidence_parts FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();
        CREATE TRIGGER trg_safeguarding_notes_legal_hold BEFORE DELETE ON safeguarding_notes FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();
        CREATE TRIGGER trg_safeguarding_referrals_legal_hold BEFORE DELETE ON safeguarding_referrals FOR EACH ROW EXECUTE FUNCTION safeguarding_forbid_delete_under_legal_hold();

        CREATE FUNCTION safeguarding_evidence_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- The one change allowed: a case recategorised as suspected child sexual abuse material wipes a stored
            -- part's bytes and marks it withheld; its name, length and hash stay as captured.
            IF NEW.content IS NULL AND NEW.withheld AND NOT OLD.withheld
               AND (NEW.id, NEW.case_id, NEW.position, NEW.kind, NEW.name, NEW.content_type, NEW.length, NEW.sha256, NEW.captured_at)
                   = (OLD.id, OLD.case_id, OLD.position, OLD.kind, OLD.name, OLD.content_type, OLD.length, OLD.sha256, OLD.captured_at)
               AND NEW.source_url IS NOT DISTINCT FROM OLD.source_url THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'evidence: part % was captured once and is never changed', OLD.id;
        END $$;
        CREATE TRIGGER trg_evidence_parts_immutable BEFORE UPDATE ON evidence_parts FOR EACH ROW EXECUTE FUNCTION safeguarding_evidence_is_immutable();
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TRIGGER trg_item_media_legal_hold ON item_media;
        DROP TRIGGER trg_items_legal_hold ON items;
        DROP TABLE retention_purges;
        DROP TABLE safeguarding_settings;
        DROP TABLE evidence_parts;
        DROP TABLE safeguarding_referrals;
        DROP TABLE safeguarding_notes;
        DROP TABLE safeguarding_cases;
        DROP FUNCTION safeguarding_evidence_is_immutable();
        DROP FUNCTION safeguarding_forbid_delete_under_legal_hold();
        """);
}
