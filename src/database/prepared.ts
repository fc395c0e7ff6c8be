import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isPostgres } from './dialect';

const names = new Map<string, string>();

/** The statement name of a fixed text (derived from it, so two texts never share one). */
function preparedName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `leads_api_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs fixed SQL text on `em` (in the transaction open on it, if any). On PostgreSQL it is a named
 * prepared statement: each pooled connection parses and plans it once and then only binds and
 * executes it, which takes a parse and a plan per request off the database's CPU for the statements
 * every request runs (the principal, a lead by id, a create). Outside a transaction it goes straight
 * to TypeORM's `pg` pool (`pool.query`: take a connection, run, give it back), skipping the query
 * runner TypeORM would build and release around it; errors are `pg`'s own, which the exception filter
 * maps like TypeORM's. On SQLite better-sqlite3 already caches prepared statements by text.
 *
 * Only for texts from a small fixed set (each connection keeps every statement it has prepared):
 * never for SQL that embeds values or varies with a request's filters. The name is derived from the
 * text, so two texts never share one.
 */
export function preparedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  if (!isPostgres(em)) return em.query(text, params);
  const name = preparedName(text);
  if (!em.queryRunner) {
    const pool = (em.connection.driver as PostgresDriver).master as Pool;
    return pool.query({ name, text, values: params }).then((r) => r.rows as T[]);
  }
  // pg accepts a query config object where TypeORM passes the text; it copies it before use.
  return em.query({ name, text } as unknown as string, params);
}

/**
 * Runs SQL on PostgreSQL as an unnamed statement, planned at every execution with its parameters and
 * the table's current size. For statements on a queue table whose size swings from empty to a large
 * backlog: a prepared statement's cached generic plan, chosen while the table was empty, scans the
 * whole table on every execution once it is not. Outside a transaction it goes straight to the pool.
 */
export function plannedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  if (!isPostgres(em) || em.queryRunner) return em.query(text, params);
  const pool = (em.connection.driver as PostgresDriver).master as Pool;
  return pool.query({ text, values: params }).then((r) => r.rows as T[]);
}
