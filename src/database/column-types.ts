import { ColumnType } from 'typeorm';

/**
 * Entities are portable between SQLite and PostgreSQL, but a few column types must differ
 * (timestamptz and jsonb exist only on PostgreSQL). Decorators are evaluated when the entity
 * modules load, so the driver is read from the environment at that moment, exactly as the
 * data source itself does.
 */
export const isPostgres = (): boolean => !!process.env.DATABASE_URL?.trim();

export const TIMESTAMP: ColumnType = isPostgres() ? 'timestamptz' : 'datetime';
export const JSON_COLUMN: ColumnType = isPostgres() ? 'jsonb' : 'simple-json';
/** An id that must never run out. SQLite's INTEGER PRIMARY KEY is 64-bit already (and only it autoincrements). */
export const BIG_ID: 'bigint' | 'integer' = isPostgres() ? 'bigint' : 'integer';

/**
 * A Date as a query parameter for comparisons against TIMESTAMP columns. TypeORM stores SQLite
 * datetimes as UTC text `YYYY-MM-DD HH:mm:ss.SSS`, so raw comparisons must use the same text.
 */
export function timestampParam(d: Date): Date | string {
  return isPostgres() ? d : d.toISOString().replace('T', ' ').replace('Z', '');
}
