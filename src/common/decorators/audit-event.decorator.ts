import { SetMetadata } from '@nestjs/common';

export const AUDIT_EVENT = 'leads:auditEvent';
/** Names the audit event a successful request records (default `api_request`). */
export const AuditEvent = (event: string) => SetMetadata(AUDIT_EVENT, event);
