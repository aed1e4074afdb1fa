using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>
/// A version number for everything routing reads about a school: rotas and their parts, routing settings, members,
/// their names and roles (ADR 0602). A transaction that changes any of it gets a new number from a sequence as it
/// commits, so a cache of routing's inputs is valid exactly while the number it was read under is current; and it
/// marks itself while it runs, so that its own reads never use or fill that cache.
/// </summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261222000000_RoutingConfigVersion")]
public sealed class RoutingConfigVersion : Migration
{
    private static readonly string[] s_tables =
    [
        "rotas", "rota_schools", "rotations", "rotation_members", "rotation_restrictions", "rota_cover_pool",
        "rota_term_dates", "rota_overrides", "rota_absences", "routing_settings", "school_memberships",
        "asp_net_user_roles", "asp_net_roles", "asp_net_users",
    ];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE SEQUENCE routing_config_versions;
            CREATE TABLE routing_config_version (
                id integer NOT NULL CONSTRAINT pk_routing_config_version PRIMARY KEY CHECK (id = 1),
                version bigint NOT NULL
            );
            INSERT INTO routing_config_version (id, version) VALUES (1, nextval('routing_config_versions'));

            -- While a transaction changes routing's inputs, its own reads of them must not use or fill the cache.
            CREATE FUNCTION routing_config_touched() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM set_config('moderation.routing_config_touched', 'on', true);
                RETURN NULL;
            END $$;

            -- As the transaction commits (a deferred trigger), one new number for it, whatever it changed. Taken last,
            -- the version row's lock cannot close a cycle with the row locks the transaction took before.
            CREATE FUNCTION routing_config_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(current_setting('moderation.routing_config_bumped', true), '') <> 'on' THEN
                    PERFORM set_config('moderation.routing_config_bumped', 'on', true);
                    UPDATE routing_config_version SET version = nextval('routing_config_versions') WHERE id = 1;
                END IF;
                RETURN NULL;
            END $$;

            -- TRUNCATE has no row triggers to defer: a new number at once.
            CREATE FUNCTION routing_config_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM set_config('moderation.routing_config_touched', 'on', true);
                UPDATE routing_config_version SET version = nextval('routing_config_versions') WHERE id = 1;
                RETURN NULL;
            END $$;
            """);
        foreach (var table in s_tables)
        {
            // A user's other columns change at every sign-in; routing reads only the name.
            var update = table == "asp_net_users" ? "UPDATE OF display_name" : "UPDATE";
            migrationBuilder.Sql($"""
                CREATE TRIGGER routing_config_touched AFTER INSERT OR {update} OR DELETE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION routing_config_touched();
                CREATE CONSTRAINT TRIGGER routing_config_bump AFTER INSERT OR {update} OR DELETE ON {table}
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION routing_config_bump();
                CREATE TRIGGER routing_config_truncated AFTER TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION routing_config_truncated();
                """);
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        foreach (var table in s_tables)
        {
            migrationBuilder.Sql($"""
                DROP TRIGGER routing_config_touched ON {table};
                DROP TRIGGER routing_config_bump ON {table};
                DROP TRIGGER routing_config_truncated ON {table};
                """);
        }

        migrationBuilder.Sql("""
            DROP FUNCTION routing_config_touched();
            DROP FUNCTION routing_config_bump();
            DROP FUNCTION routing_config_truncated();
            DROP TABLE routing_config_version;
            DROP SEQUENCE routing_config_versions;
            """);
    }
}
