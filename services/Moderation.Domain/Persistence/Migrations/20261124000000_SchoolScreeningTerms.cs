using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Moderation.Domain.Persistence.Migrations;

/// <summary>Schools' own screening words, and a version that tells cached screening profiles to rebuild.</summary>
[DbContext(typeof(ModerationDbContext))]
[Migration("20261124000000_SchoolScreeningTerms")]
public sealed class SchoolScreeningTerms : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        ALTER TABLE schools ADD screening_version bigint NOT NULL DEFAULT 0;
        ALTER TABLE schools ALTER COLUMN screening_version DROP DEFAULT;
        CREATE TABLE school_screening_terms (
            id uuid NOT NULL,
            school_id uuid NOT NULL,
            term character varying(100) NOT NULL,
            mode character varying(16) NOT NULL,
            added_by character varying(200) NOT NULL,
            added_at timestamp with time zone NOT NULL,
            CONSTRAINT pk_school_screening_terms PRIMARY KEY (id),
            CONSTRAINT fk_school_screening_terms_schools_school_id FOREIGN KEY (school_id) REFERENCES schools (id) ON DELETE CASCADE
        );
        CREATE UNIQUE INDEX ix_school_screening_terms_school_id_term ON school_screening_terms (school_id, term);
        """);

    protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TABLE school_screening_terms;
        ALTER TABLE schools DROP COLUMN screening_version;
        """);
}
