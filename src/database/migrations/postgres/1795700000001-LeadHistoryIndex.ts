import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A lead's history (its lead events) read through an index of lead events only, so the entries that
 * reads of the lead leave (they carry its id too) are never visited: the read costs the same however
 * often the lead was read. Queries must name the events literally for the planner to use it.
 */
export class LeadHistoryIndex1795700000001 implements MigrationInterface {
  name = 'LeadHistoryIndex1795700000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_logs_lead_history" ON "audit_logs" ("account_id", "lead_id", "id") WHERE "event" IN ('lead_created', 'lead_updated', 'lead_assigned', 'lead_archived', 'lead_unarchived', 'lead_deleted')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_lead_history"`);
  }
}
