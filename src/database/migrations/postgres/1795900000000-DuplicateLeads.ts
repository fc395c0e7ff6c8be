import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * §8: the account's duplicate policy, and the index the duplicate check reads (the account's leads
 * by lower-cased email, unarchived ones only: archived leads never match). Emails are stored trimmed.
 */
export class DuplicateLeads1795900000000 implements MigrationInterface {
  name = 'DuplicateLeads1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "accounts" ADD "duplicate_lead_policy" character varying(16) NOT NULL DEFAULT 'allow'`);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", lower("email")) WHERE NOT "archived" AND "email" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "duplicate_lead_policy"`);
  }
}
