import { DataSource, EntityManager } from 'typeorm';

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
