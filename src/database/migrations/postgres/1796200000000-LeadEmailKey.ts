import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillLeadEmailKeys } from '../lead-email-keys';

/**
 * §8: the duplicate check compares a key the service writes with each email (`email_key`, see
 * duplicateKey) instead of the database's lower(), which folds only ASCII letters on SQLite and depends
 * on the locale on PostgreSQL. Existing leads get their keys in batches (about a minute per million).
 */
export class LeadEmailKey1796200000000 implements MigrationInterface {
  name = 'LeadEmailKey1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
    await queryRunner.query(`ALTER TABLE "leads" ADD "email_key" character varying`);
    await backfillLeadEmailKeys(queryRunner, 'postgres');
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
