import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';

const names = new Map<string, string>();

/**
 * Runs fixed SQL text through TypeORM's query runner (the transaction open on `em`, if any). On
 * PostgreSQL it is a named prepared statement: each pooled connection parses and plans it once and
 * then only binds and executes it, which takes a parse and a plan per request off the database's
 * CPU for the statements every request runs (the principal, a lead by id, a create). On SQLite
 * better-sqlite3 already caches prepared statements by text.
 *
 * Only for texts from a small fixed set (each connection keeps every statement it has prepared):
 * never for SQL that embeds values or varies with a request's filters. The name is derived from the
 * text, so two texts never share one.
 */
export function preparedQuery<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[]): Promise<T[]> {
  if (em.connection.options.type !== 'postgres') return em.query(text, params);
  let name = names.get(text);
  if (name === undefined) {
    name = `leads_api_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  // pg accepts a query config object where TypeORM passes the text; it copies it before use.
  return em.query({ name, text } as unknown as string, params);
}
