import { EntityManager } from 'typeorm';
import { isPostgres } from './dialect';

/**
 * Makes `id` the next id the table generates (or the next free one above the largest id, when that is
 * larger), so the caller's next insert gets it. TypeORM leaves out an explicit value of a generated id
 * on PostgreSQL, so the generator itself is moved: the SERIAL sequence there, AUTOINCREMENT's counter
 * in sqlite_sequence on SQLite. `table` is a fixed table name from the caller's code, never input.
 */
export async function reserveNextId(em: EntityManager, table: string, id: number): Promise<void> {
  if (isPostgres(em)) {
    await em.query(
      `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST($1::bigint, (SELECT COALESCE(MAX("id"), 0) + 1 FROM "${table}")), false)`,
      [id],
    );
    return;
  }
  await em.query('DELETE FROM sqlite_sequence WHERE name = ?', [table]);
  await em.query(`INSERT INTO sqlite_sequence (name, seq) VALUES (?, MAX(? - 1, (SELECT COALESCE(MAX("id"), 0) FROM "${table}")))`, [
    table,
    id,
  ]);
}
