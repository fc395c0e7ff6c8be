import type Database from 'better-sqlite3';

/**
 * SQLite's own lower() folds ASCII letters only, so `LOWER(name) = :name` and the search's LIKE missed
 * `Équipe` for `équipe`. Each connection gets JavaScript's instead: LOWER() in SQL then folds every
 * letter, as normalizeEmail does and as PostgreSQL's lower() does in a UTF-8 locale. Deterministic,
 * so an index on an expression may use it.
 */
export function registerSqliteFunctions(conn: Database.Database): void {
  conn.function('lower', { deterministic: true }, (value: unknown) => (value == null ? null : String(value).toLowerCase()));
}
