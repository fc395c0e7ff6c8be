import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { parseDateRange } from '../common/list/paginate';
import { timestampParam } from '../database/column-types';
import { ListAuditLogsQuery } from './dto/list-audit-logs-query.dto';
import { AuditLog } from './entities/audit-log.entity';

/** The events that make up a lead's history (its `auditLog`). */
export const LEAD_EVENTS = [
  'lead_created',
  'lead_updated',
  'lead_assigned',
  'lead_archived',
  'lead_unarchived',
  'lead_deleted',
] as const;
export type LeadEvent = (typeof LEAD_EVENTS)[number];

/** Reads of the audit log, each scoped to one account, and the retention purge, which spans them all. */
@Injectable()
export class AuditLogsRepository {
  /** A lead's events, oldest first, in one query (served by IDX_audit_logs_account_lead_event). */
  leadHistory(em: EntityManager, accountId: number, leadId: number): Promise<AuditLog[]> {
    return em
      .getRepository(AuditLog)
      .createQueryBuilder('a')
      .where('a.account_id = :accountId AND a.lead_id = :leadId AND a.event IN (:...events)', {
        accountId,
        leadId,
        events: LEAD_EVENTS,
      })
      .orderBy('a.id', 'ASC')
      .getMany();
  }

  /** The account's entries with the filters of GET /audit-logs applied (paging and sort are the caller's). */
  filtered(em: EntityManager, accountId: number, q: ListAuditLogsQuery): SelectQueryBuilder<AuditLog> {
    const qb = em.getRepository(AuditLog).createQueryBuilder('a').where('a.account_id = :accountId', { accountId });
    if (q.event !== undefined) qb.andWhere('a.event = :event', { event: q.event });
    if (q.user !== undefined) qb.andWhere('a.user = :user', { user: q.user.trim().toLowerCase() });
    if (q.leadId !== undefined) qb.andWhere('a.lead_id = :leadId', { leadId: q.leadId });
    if (q.requestMethod !== undefined) qb.andWhere('a.request_method = :method', { method: q.requestMethod.trim().toUpperCase() });
    if (q.statusCode !== undefined) qb.andWhere('a.status_code = :statusCode', { statusCode: q.statusCode });
    const created = parseDateRange(q.created, 'created');
    if (created?.from) qb.andWhere('a.created >= :createdFrom', { createdFrom: timestampParam(created.from) });
    if (created?.to) qb.andWhere('a.created <= :createdTo', { createdTo: timestampParam(created.to) });
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
