import { QueryRunner } from 'typeorm';
import { duplicateKey } from '../../leads/email-key';

const BATCH = 1000;

/**
 * LeadEmailKey: writes the `email_key` of every lead with an email, a thousand at a time in id order,
 * with the duplicate check's own rule (duplicateKey), so keys written before and after the migration
 * cannot differ.
 */
export async function backfillLeadEmailKeys(queryRunner: QueryRunner, dialect: 'postgres' | 'sqlite'): Promise<void> {
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
