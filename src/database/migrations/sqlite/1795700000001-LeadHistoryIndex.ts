import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name: an index of lead events only, for a lead's history. */
export class LeadHistoryIndex1795700000001 implements MigrationInterface {
  name = 'LeadHistoryIndex1795700000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_logs_lead_history" ON "audit_logs" ("account_id", "lead_id", "id") WHERE "event" IN ('lead_created', 'lead_updated', 'lead_assigned', 'lead_archived', 'lead_unarchived', 'lead_deleted')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_lead_history"`);
  }
}
