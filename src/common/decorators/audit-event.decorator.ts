import { SetMetadata } from '@nestjs/common';
import type { AuditEventName } from '../../audit/audit-events';

export const AUDIT_EVENT = 'leads:auditEvent';
/** Names the audit event a successful request records (default `api_request`). */
export const AuditEvent = (event: AuditEventName) => SetMetadata(AUDIT_EVENT, event);

/**
 * How the entry of a successful request is written:
 * - `with-change`: in one transaction with the handler's writes, so a change never commits without
 *   its entry (the default for every method but GET and HEAD);
 * - `batched`: queued and written with others shortly after (the default for GET and HEAD, and for
 *   routes that change no data, such as login);
 * - `by-use-case`: the use case writes its own entries inside its transaction (leads); a request that
 *   turns out to change nothing falls back to `batched`.
 */
export type AuditWriteMode = 'with-change' | 'batched' | 'by-use-case';
export const AUDIT_WRITE = 'leads:auditWrite';
export const AuditWrite = (mode: AuditWriteMode) => SetMetadata(AUDIT_WRITE, mode);

export function defaultAuditWriteMode(method: string): AuditWriteMode {
  return method === 'GET' || method === 'HEAD' ? 'batched' : 'with-change';
}
