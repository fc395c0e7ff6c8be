import { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { isPostgres } from './dialect';

/**
 * Adds `FOR UPDATE` on PostgreSQL, so the row stays locked until the caller's transaction ends.
 * SQLite has no row locks (TypeORM would throw): there TransactionService already serializes
 * transactions on the single connection, which gives the same guarantee.
 */
export function forUpdate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return isPostgres(qb.connection.manager) ? qb.setLock('pessimistic_write') : qb;
}

/**
 * As forUpdate, with `FOR NO KEY UPDATE`: for a change of columns no foreign key refers to, so the
 * rows that refer to it (their foreign key checks) are neither held up nor waited for.
 */
export function forNoKeyUpdate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return isPostgres(qb.connection.manager) ? qb.setLock('for_no_key_update') : qb;
}

/**
 * Serializes the holders of `key` across instances until the caller's transaction ends (PostgreSQL's
 * transaction-scoped advisory lock). On SQLite the transaction already holds the one connection.
 */
export async function advisoryLock(em: EntityManager, key: string): Promise<void> {
  if (isPostgres(em)) await em.query('SELECT pg_advisory_xact_lock($1)', [key]);
}

/**
 * Waits for the advisory lock of (`namespace`, `name`) and holds it until the caller's transaction
 * ends (PostgreSQL). Names are hashed: a collision only makes two holders wait for each other.
 * On SQLite the transaction already holds the one connection.
 */
export async function advisoryLockOn(em: EntityManager, namespace: number, name: string): Promise<void> {
  if (isPostgres(em)) await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [namespace, name]);
}

/**
 * Takes the advisory lock of (`namespace`, `name`) for the caller's transaction if nobody holds it;
 * false when another transaction does. On SQLite the transaction already holds the one connection.
 */
export async function tryAdvisoryLock(em: EntityManager, namespace: number, name: string): Promise<boolean> {
  if (!isPostgres(em)) return true;
  const [row] = (await em.query('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked', [namespace, name])) as {
    locked: boolean;
  }[];
  return !!row?.locked;
}
