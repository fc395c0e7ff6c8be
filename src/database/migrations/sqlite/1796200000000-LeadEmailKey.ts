import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillLeadEmailKeys } from '../lead-email-keys';

/** See the PostgreSQL migration of the same name (`ADD COLUMN` in place of a table copy, as in RoutingAvailability). */
export class LeadEmailKey1796200000000 implements MigrationInterface {
  name = 'LeadEmailKey1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
    await queryRunner.query(`ALTER TABLE "leads" ADD COLUMN "email_key" varchar`);
    await backfillLeadEmailKeys(queryRunner, 'sqlite');
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", "email_key") WHERE NOT "archived" AND "email_key" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
    await queryRunner.query(`ALTER TABLE "leads" DROP COLUMN "email_key"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", lower("email")) WHERE NOT "archived" AND "email" IS NOT NULL`,
    );
  }
}
