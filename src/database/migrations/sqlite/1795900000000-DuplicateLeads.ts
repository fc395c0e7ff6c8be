import { MigrationInterface, QueryRunner } from 'typeorm';

/** See the PostgreSQL migration of the same name (`ADD COLUMN` in place of a table copy, as in RoutingAvailability). */
export class DuplicateLeads1795900000000 implements MigrationInterface {
  name = 'DuplicateLeads1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" ADD COLUMN "duplicate_lead_policy" varchar(16) NOT NULL DEFAULT ('allow')`);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", lower("email")) WHERE NOT "archived" AND "email" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "duplicate_lead_policy"`);
  }
}
