import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name: a lead's history read through an index that includes the event. */
export class LeadHistoryIndex1795700000001 implements MigrationInterface {
  name = 'LeadHistoryIndex1795700000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_lead_event" ON "audit_logs" ("account_id", "lead_id", "event", "id") `);
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_account_lead"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_account_lead" ON "audit_logs" ("account_id", "lead_id", "id") `);
    await queryRunner.query(`DROP INDEX "IDX_audit_logs_account_lead_event"`);
  }
}
