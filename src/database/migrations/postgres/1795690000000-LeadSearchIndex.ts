import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A trigram index for GET /leads?search= at a million leads: `search` is matched (LIKE '%…%') against
 * the searched columns joined by U+001F, the same expression as `searchDocument()` builds from
 * LEAD_LIST_SPEC.searchable. pg_trgm ships with PostgreSQL and is a trusted extension (13+): the
 * database owner may create it. Declared on the entity with `synchronize: false`.
 */
export class LeadSearchIndex1795690000000 implements MigrationInterface {
  name = 'LeadSearchIndex1795690000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_search_trgm" ON "leads" USING gin ((lower(coalesce("first_name", '') || chr(31) || coalesce("last_name", '') || chr(31) || coalesce("email", '') || chr(31) || coalesce("phone", '') || chr(31) || coalesce("company", '') || chr(31) || coalesce("job_title", '') || chr(31) || coalesce("branch", '') || chr(31) || coalesce("source", '') || chr(31) || coalesce("position", '') || chr(31) || coalesce("location", '') || chr(31) || coalesce("products_services_sold", '') || chr(31) || coalesce("current_payment_processor", '') || chr(31) || coalesce("process_stage", '') || chr(31) || coalesce("buying_role", '') || chr(31) || coalesce("notes", '') || chr(31) || coalesce("assigned_to", ''))) gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_search_trgm"`);
  }
}
