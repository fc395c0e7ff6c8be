import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { parseDateRange } from '../common/list/paginate';
import { isPostgres } from '../database/dialect';
import { insertRows, sqliteInsert, sqliteInsertRows } from '../database/rows';
import { LEAD_EVENTS } from './audit-events';
import { ListAuditLogsQuery } from './dto/list-audit-logs-query.dto';
import { AuditLog } from './entities/audit-log.entity';
import { normalizeEmail } from '../common/email';

export type LeadEvent = (typeof LEAD_EVENTS)[number];

/**
 * "`alias`.event is a lead event", with the events written literally (they are constants): only then
 * can the planner prove the condition of the partial index of lead events (IDX_audit_logs_lead_history),
 * which a bound list would hide.
 */
export const leadEventCondition = (alias: string): string => `${alias}.event IN (${LEAD_EVENTS.map((e) => `'${e}'`).join(', ')})`;

/** Writes of the audit log; its reads, each scoped to one account; and the retention purge, which spans them all. */
@Injectable()
export class AuditLogsRepository {
  /** Inserts entries (a use case writes one or two) in the caller's transaction; returns their ids in order. */
  async insertEntries(em: EntityManager, entries: Omit<AuditLog, 'id'>[]): Promise<number[]> {
    if (isPostgres(em)) {
      const result = await em.insert(AuditLog, entries as QueryDeepPartialEntity<AuditLog>[]);
      return result.identifiers.map((i) => Number(i.id));
    }
    // One fixed statement per entry, prepared once by better-sqlite3.
    const ids: number[] = [];
    for (const e of entries) ids.push(await sqliteInsert(em, AuditLog, e));
    return ids;
  }

  /**
   * Inserts a batch with one multi-row statement, atomic by itself: on PostgreSQL one fixed text for
   * any batch size (prepared once per connection), on SQLite one text per batch size.
   */
  async insertBatch(em: EntityManager, entries: Omit<AuditLog, 'id'>[]): Promise<void> {
    if (isPostgres(em)) await insertRows(em, AuditLog, entries);
    else await sqliteInsertRows(em, AuditLog, entries);
  }

  /** A lead's events, oldest first, in one query (served by IDX_audit_logs_lead_history). */
  leadHistory(em: EntityManager, accountId: number, leadId: number): Promise<AuditLog[]> {
    return em
      .getRepository(AuditLog)
      .createQueryBuilder('a')
      .where(`a.account_id = :accountId AND a.lead_id = :leadId AND ${leadEventCondition('a')}`, { accountId, leadId })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /** The account's entries with the filters of GET /audit-logs applied (paging and sort are the caller's). */
  filtered(em: EntityManager, accountId: number, q: ListAuditLogsQuery): SelectQueryBuilder<AuditLog> {
    const qb = em.getRepository(AuditLog).createQueryBuilder('a').where('a.account_id = :accountId', { accountId });
    if (q.event !== undefined) qb.andWhere('a.event = :event', { event: q.event });
    if (q.user !== undefined) qb.andWhere('a.user = :user', { user: normalizeEmail(q.user) });
    if (q.leadId !== undefined) qb.andWhere('a.lead_id = :leadId', { leadId: q.leadId });
    if (q.requestMethod !== undefined) qb.andWhere('a.request_method = :method', { method: q.requestMethod.trim().toUpperCase() });
    if (q.statusCode !== undefined) qb.andWhere('a.status_code = :statusCode', { statusCode: q.statusCode });
    const created = parseDateRange(q.created, 'created');
    if (created?.from) qb.andWhere('a.created >= :createdFrom', { createdFrom: created.from });
    if (created?.to) qb.andWhere('a.created <= :createdTo', { createdTo: created.to });
    return qb;
  }

  /**
   * Deletes the entries created before `cutoff` among the `limit` oldest by id, and says whether the
   * next batch may hold more. Reading the oldest ids walks the primary key from its start, so a batch
   * costs the same however large the table is, and each batch is its own short statement.
   */
  async deleteOldestBefore(em: EntityManager, cutoff: Date, limit: number): Promise<{ deleted: number; more: boolean }> {
    const oldest = await em.createQueryBuilder(AuditLog, 'a').select(['a.id', 'a.created']).orderBy('a.id', 'ASC').limit(limit).getMany();
    const expired = oldest.filter((e) => e.created < cutoff).map((e) => e.id);
    if (!expired.length) return { deleted: 0, more: false };
    await em.createQueryBuilder().delete().from(AuditLog).whereInIds(expired).execute();
    return { deleted: expired.length, more: oldest.length === limit };
  }
}
