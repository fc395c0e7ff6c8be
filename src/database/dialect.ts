import { DataSource, EntityManager } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/**
 * The one place that asks which database a connection talks to. Only repositories and the helpers of
 * src/database branch on it; domain services never do.
 */
export type Dialect = 'postgres' | 'sqlite';

export function dialectOf(source: EntityManager | DataSource): Dialect {
  const options = source instanceof DataSource ? source.options : source.connection.options;
  return options.type === 'postgres' ? 'postgres' : 'sqlite';
}

export const isPostgres = (source: EntityManager | DataSource): boolean => dialectOf(source) === 'postgres';

/** The marker of the i-th (1-based) bound parameter in fixed SQL text. */
export const param = (dialect: Dialect, i: number): string => (dialect === 'postgres' ? `$${i}` : '?');

/**
 * A Date bound to fixed SQL text compared with a TIMESTAMP column: PostgreSQL takes the Date; SQLite
 * stores TypeORM's UTC text, so the Date is bound as that text (as TypeORM's query builder does).
 */
export const boundTimestamp = (dialect: Dialect, d: Date): Date | string =>
  dialect === 'postgres' ? d : DateUtils.mixedDateToUtcDatetimeString(d);
