import { QueryRunner } from 'typeorm';
import { duplicateKey } from '../../leads/email-key';

const BATCH = 1000;
type Dialect = 'postgres' | 'sqlite';

const OLD_INDEX = `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", lower("email")) WHERE NOT "archived" AND "email" IS NOT NULL`;
const NEW_INDEX = `CREATE INDEX "IDX_leads_account_email_key" ON "leads" ("account_id", "email_key") WHERE NOT "archived" AND "email_key" IS NOT NULL`;
const ADD_COLUMN: Record<Dialect, string> = {
  postgres: `ALTER TABLE "leads" ADD "email_key" character varying`,
  sqlite: `ALTER TABLE "leads" ADD COLUMN "email_key" varchar`,
};

/**
 * LeadEmailKey, on either database: the duplicate check's index moves from lower(email) to the
 * `email_key` column, and every lead with an email gets its key.
 */
export async function addLeadEmailKeys(queryRunner: QueryRunner, dialect: Dialect): Promise<void> {
  await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
  await queryRunner.query(ADD_COLUMN[dialect]);
  await backfillLeadEmailKeys(queryRunner, dialect);
  await queryRunner.query(NEW_INDEX);
}

export async function dropLeadEmailKeys(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP INDEX "IDX_leads_account_email_key"`);
  await queryRunner.query(`ALTER TABLE "leads" DROP COLUMN "email_key"`);
  await queryRunner.query(OLD_INDEX);
}

/**
 * Writes the `email_key` of every lead with an email, a thousand at a time in id order, with the
 * duplicate check's own rule (duplicateKey), so keys written before and after the migration cannot
 * differ.
 */
export async function backfillLeadEmailKeys(queryRunner: QueryRunner, dialect: Dialect): Promise<void> {
  const after = dialect === 'postgres' ? '$1' : '?';
  let last = 0;
  for (;;) {
    const rows = (await queryRunner.query(
      `SELECT "id", "email" FROM "leads" WHERE "id" > ${after} AND "email" IS NOT NULL ORDER BY "id" LIMIT ${BATCH}`,
      [last],
    )) as { id: number; email: string }[];
    if (!rows.length) return;
    if (dialect === 'postgres') {
      await queryRunner.query(
        `UPDATE "leads" l SET "email_key" = k.key FROM unnest($1::int[], $2::varchar[]) AS k(id, key) WHERE l."id" = k.id`,
        [rows.map((r) => r.id), rows.map((r) => duplicateKey(r.email))],
      );
    } else {
      for (const r of rows) await queryRunner.query(`UPDATE "leads" SET "email_key" = ? WHERE "id" = ?`, [duplicateKey(r.email), r.id]);
    }
    last = Number(rows[rows.length - 1].id);
  }
}
