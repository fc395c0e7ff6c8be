import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Adds `FOR UPDATE` on PostgreSQL, so the row stays locked until the caller's transaction ends.
 * SQLite has no row locks (TypeORM would throw): there TransactionService already serializes
 * transactions on the single connection, which gives the same guarantee.
 */
export function forUpdate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return qb.connection.options.type === 'postgres' ? qb.setLock('pessimistic_write') : qb;
}
