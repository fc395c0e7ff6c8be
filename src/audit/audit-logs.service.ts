import { Injectable } from '@nestjs/common';
import { ListSpec, Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { toAuditLogRecord } from './audit-log.mapper';
import { AuditLogsRepository } from './audit-logs.repository';
import { AuditService } from './audit.service';
import { AuditLogRecord } from './dto/audit-log-entry.dto';
import { AUDIT_LOG_SORT_FIELDS, ListAuditLogsQuery } from './dto/list-audit-logs-query.dto';

export const AUDIT_LOG_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'a.id',
    created: 'a.created',
    event: 'a.event',
    user: 'a.user',
    requestMethod: 'a.request_method',
    requestPath: 'a.request_path',
    statusCode: 'a.status_code',
    leadId: 'a.lead_id',
  } satisfies Record<(typeof AUDIT_LOG_SORT_FIELDS)[number], string>,
  searchable: ['a.event', 'a.user', 'a.request_path'],
  defaultSort: '-created',
  idColumn: 'a.id',
  plainRows: true,
};

@Injectable()
export class AuditLogsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly repo: AuditLogsRepository,
  ) {}

  async list(accountId: number, query: ListAuditLogsQuery): Promise<Page<AuditLogRecord>> {
    // Entries of ordinary requests are written a few milliseconds after their response.
    await this.audit.flush();
    return paginate(this.repo.filtered(this.tx.manager, accountId, query), query, AUDIT_LOG_LIST_SPEC, toAuditLogRecord);
  }
}
