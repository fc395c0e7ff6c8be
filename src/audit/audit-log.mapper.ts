import { AuditLogEntry, AuditLogRecord } from './dto/audit-log-entry.dto';
import { AuditLog } from './entities/audit-log.entity';

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

export function toAuditLogEntry(e: AuditLog): AuditLogEntry {
  return {
    id: Number(e.id),
    event: e.event,
    user: e.user,
    apiKey: e.apiKey,
    data: e.data ?? {},
    created: iso(e.created),
    requestMethod: e.requestMethod,
    requestPath: e.requestPath,
    requestHeaders: e.requestHeaders ?? {},
    requestIpAddress: e.requestIpAddress,
    account_id: e.accountId === null ? null : String(e.accountId),
  };
}

export function toAuditLogRecord(e: AuditLog): AuditLogRecord {
  return { ...toAuditLogEntry(e), statusCode: e.statusCode, leadId: e.leadId === null ? null : Number(e.leadId) };
}
