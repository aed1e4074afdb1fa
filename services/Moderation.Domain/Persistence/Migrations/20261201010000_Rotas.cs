using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// Rotas: one school's or shared by a trust's schools, holding rotations (with restrictions, shift length in hours and
/// whether they run in holidays), overrides, absences with cover, an ordered cover pool and term dates. Each school's
/// existing rotations move into a rota of its own, named after the school, so who is on duty does not change.
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261201010000_Rotas")]
public sealed class Rotas : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        CREATE TABLE rotas (
            id uuid NOT NULL,
            name character varying(200) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            updated_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_rotas PRIMARY KEY (id)
        );
        CREATE TABLE rota_schools (
            rota_id uuid NOT NULL,
            school_id uuid NOT NULL,
            CONSTRAINT pk_rota_schools PRIMARY KEY (rota_id, school_id),
            CONSTRAINT fk_rota_schools_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE,
            CONSTRAINT fk_rota_schools_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_rota_schools_school_id ON rota_schools (school_id);

        -- One rota per school that has rotations. Its id is derived from the school's, so that the rotations can be
        -- pointed at it below; the existing rotations ran round the clock all year, so they keep running in holidays.
        INSERT INTO rotas (id, name, created_at, updated_at)
        SELECT md5('rota:' || s.id::text)::uuid, left(s.name || ' rota', 200), now(), now()
        FROM schools s WHERE EXISTS (SELECT 1 FROM rotations r WHERE r.school_id = s.id);
        INSERT INTO rota_schools (rota_id, school_id)
        SELECT md5('rota:' || s.id::text)::uuid, s.id
        FROM schools s WHERE EXISTS (SELECT 1 FROM rotations r WHERE r.school_id = s.id);

        ALTER TABLE rotations
            ADD rota_id uuid,
            ADD position integer NOT NULL DEFAULT 0,
            ADD shift_hours integer NOT NULL DEFAULT 24,
            ADD runs_in_holidays boolean NOT NULL DEFAULT TRUE;
        UPDATE rotations r
        SET rota_id = md5('rota:' || r.school_id::text)::uuid, shift_hours = r.shift_days * 24, position = o.position
        FROM (SELECT id, (row_number() OVER (PARTITION BY school_id ORDER BY layer, name) - 1)::integer AS position FROM rotations) o
        WHERE o.id = r.id;
        ALTER TABLE rotations
            ALTER COLUMN rota_id SET NOT NULL,
            ALTER COLUMN position DROP DEFAULT,
            ALTER COLUMN shift_hours DROP DEFAULT,
            ALTER COLUMN runs_in_holidays DROP DEFAULT;
        DROP INDEX ix_rotations_school_id_name;
        ALTER TABLE rotations
            DROP CONSTRAINT fk_rotations_schools_school_id,
            DROP COLUMN school_id,
            DROP COLUMN shift_days,
            ADD CONSTRAINT fk_rotations_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE;
        CREATE UNIQUE INDEX ix_rotations_rota_id_name ON rotations (rota_id, name);

        -- Members are keyed by turn, so that someone can take two turns in a cycle: number the turns 0, 1, 2... first.
        UPDATE rotation_members m SET "order" = t.turn
        FROM (SELECT rotation_id, user_id, (row_number() OVER (PARTITION BY rotation_id ORDER BY "order", user_id) - 1)::integer AS turn
              FROM rotation_members) t
        WHERE t.rotation_id = m.rotation_id AND t.user_id = m.user_id;
        ALTER TABLE rotation_members
            DROP CONSTRAINT pk_rotation_members,
            ADD CONSTRAINT pk_rotation_members PRIMARY KEY (rotation_id, "order");

        CREATE TABLE rotation_restrictions (
            rotation_id uuid NOT NULL,
            day character varying(16) NOT NULL,
            start_time time without time zone NOT NULL,
            end_time time without time zone NOT NULL,
            CONSTRAINT pk_rotation_restrictions PRIMARY KEY (rotation_id, day, start_time),
            CONSTRAINT fk_rotation_restrictions_rotations_rotation_id FOREIGN KEY (rotation_id) REFERENCES rotations (id) ON DELETE CASCADE
        );
        CREATE TABLE rota_cover_pool (
            rota_id uuid NOT NULL,
            user_id uuid NOT NULL,
            "order" integer NOT NULL,
            CONSTRAINT pk_rota_cover_pool PRIMARY KEY (rota_id, user_id),
            CONSTRAINT fk_rota_cover_pool_asp_net_users_user_id FOREIGN KEY (user_id) REFERENCES asp_net_users (id) ON DELETE CASCADE,
            CONSTRAINT fk_rota_cover_pool_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_rota_cover_pool_user_id ON rota_cover_pool (user_id);
        CREATE TABLE rota_term_dates (
            id uuid NOT NULL,
            rota_id uuid NOT NULL,
            kind character varying(16) NOT NULL,
            name character varying(100) NOT NULL,
            first_day date NOT NULL,
            last_day date NOT NULL,
            CONSTRAINT pk_rota_term_dates PRIMARY KEY (id),
            CONSTRAINT fk_rota_term_dates_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_rota_term_dates_rota_id ON rota_term_dates (rota_id);
        CREATE TABLE rota_overrides (
            id uuid NOT NULL,
            rota_id uuid NOT NULL,
            user_id uuid NOT NULL,
            starts_at timestamp with time zone NOT NULL,
            ends_at timestamp with time zone NOT NULL,
            reason character varying(200) NOT NULL,
            created_by character varying(200) NOT NULL,
            created_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_rota_overrides PRIMARY KEY (id),
            CONSTRAINT fk_rota_overrides_asp_net_users_user_id FOREIGN KEY (user_id) REFERENCES asp_net_users (id) ON DELETE CASCADE,
            CONSTRAINT fk_rota_overrides_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_rota_overrides_rota_id ON rota_overrides (rota_id);
        CREATE INDEX ix_rota_overrides_user_id ON rota_overrides (user_id);
        CREATE TABLE rota_absences (
            id uuid NOT NULL,
            rota_id uuid NOT NULL,
            user_id uuid NOT NULL,
            kind character varying(16) NOT NULL,
            starts_at timestamp with time zone NOT NULL,
            ends_at timestamp with time zone NOT NULL,
            cover_user_id uuid,
            recorded_by character varying(200) NOT NULL,
            recorded_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_rota_absences PRIMARY KEY (id),
            CONSTRAINT fk_rota_absences_asp_net_users_cover_user_id FOREIGN KEY (cover_user_id) REFERENCES asp_net_users (id) ON DELETE SET NULL,
            CONSTRAINT fk_rota_absences_asp_net_users_user_id FOREIGN KEY (user_id) REFERENCES asp_net_users (id) ON DELETE CASCADE,
            CONSTRAINT fk_rota_absences_rotas_rota_id FOREIGN KEY (rota_id) REFERENCES rotas (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_rota_absences_cover_user_id ON rota_absences (cover_user_id);
        CREATE INDEX ix_rota_absences_rota_id ON rota_absences (rota_id);
        CREATE INDEX ix_rota_absences_user_id ON rota_absences (user_id);
        """);

    /// <remarks>
    /// Overrides, absences, cover pools, term dates and restrictions are lost. Each rotation goes back to the first
    /// school its rota covers (by id); a rotation whose name then clashes within the school takes its id as a suffix.
    /// </remarks>
    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE rota_absences;
        DROP TABLE rota_overrides;
        DROP TABLE rota_term_dates;
        DROP TABLE rota_cover_pool;
        DROP TABLE rotation_restrictions;

        DELETE FROM rotation_members m USING rotation_members e
        WHERE m.rotation_id = e.rotation_id AND m.user_id = e.user_id AND m."order" > e."order";
        ALTER TABLE rotation_members
            DROP CONSTRAINT pk_rotation_members,
            ADD CONSTRAINT pk_rotation_members PRIMARY KEY (rotation_id, user_id);

        ALTER TABLE rotations ADD school_id uuid, ADD shift_days integer NOT NULL DEFAULT 1;
        UPDATE rotations r
        SET school_id = (SELECT s.school_id FROM rota_schools s WHERE s.rota_id = r.rota_id ORDER BY s.school_id LIMIT 1),
            shift_days = greatest(1, r.shift_hours / 24);
        DELETE FROM rotations WHERE school_id IS NULL;
        UPDATE rotations r SET name = left(r.name, 190) || ' ' || left(r.id::text, 8)
        WHERE EXISTS (SELECT 1 FROM rotations o WHERE o.school_id = r.school_id AND o.name = r.name AND o.id < r.id);
        DROP INDEX ix_rotations_rota_id_name;
        ALTER TABLE rotations
            ALTER COLUMN school_id SET NOT NULL,
            ALTER COLUMN shift_days DROP DEFAULT,
            DROP CONSTRAINT fk_rotations_rotas_rota_id,
            DROP COLUMN rota_id,
            DROP COLUMN position,
            DROP COLUMN shift_hours,
            DROP COLUMN runs_in_holidays,
            ADD CONSTRAINT fk_rotations_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE;
        CREATE UNIQUE INDEX ix_rotations_school_id_name ON rotations (school_id, name);
        DROP TABLE rota_schools;
        DROP TABLE rotas;
        """);
}
