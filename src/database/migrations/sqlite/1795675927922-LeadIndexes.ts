import { MigrationInterface, QueryRunner } from 'typeorm';

export class LeadIndexes1795675927922 implements MigrationInterface {
  name = 'LeadIndexes1795675927922';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_team"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_source"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_assigned"`);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_email" ON "leads" ("account_id", "email") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_assigned_archived_created" ON "leads" ("account_id", "assigned_to", "archived", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_source_archived_created" ON "leads" ("account_id", "lead_source_id", "archived", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_team_archived_created" ON "leads" ("account_id", "team_id", "archived", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_leads_account_archived_contacted" ON "leads" ("account_id", "archived", "last_contacted", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_archived_updated" ON "leads" ("account_id", "archived", "updated_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_leads_account_archived_updated"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_archived_contacted"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_team_archived_created"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_source_archived_created"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_assigned_archived_created"`);
    await queryRunner.query(`DROP INDEX "IDX_leads_account_email"`);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_assigned" ON "leads" ("account_id", "assigned_to") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_source" ON "leads" ("account_id", "lead_source_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_account_team" ON "leads" ("account_id", "team_id") `);
  }
}
