import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_EVENTS } from '../audit-events';

const EVENT_DESCRIPTION = 'Type of event (e.g., lead_created, lead_updated, lead_archived, lead_converted)';
const DATA_DESCRIPTION = 'Event-specific data containing details about what was changed or accessed (structure varies by event type)';
const HEADERS_DESCRIPTION = 'Sanitized HTTP headers from the request (sensitive values are masked)';
/** Header values as Node parses them: text, or a list for a header sent more than once. */
const HEADER_VALUE = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

/**
 * One audit entry as the seed describes it (the items of a lead's `auditLog`). The seed names no
 * required property and no nullable one besides apiKey, so its schema says exactly that; the entries
 * of GET /audit-logs (AuditLogRecord) state what is always sent.
 */
export class AuditLogEntry {
  @ApiPropertyOptional({ type: 'integer', description: 'Unique identifier for the audit log entry' })
  id: number;

  @ApiPropertyOptional({ type: 'string', enum: AUDIT_EVENTS, description: EVENT_DESCRIPTION })
  event: string;

  @ApiPropertyOptional({ type: 'string', description: 'Email address or identifier of the user who performed the action' })
  user: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: 'API key identifier if the action was performed via API key authentication',
  })
  apiKey: string | null;

  // A free-form object: `additionalProperties: true` so generated types accept any member.
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: DATA_DESCRIPTION })
  data: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', description: 'Timestamp when the event occurred' })
  created: string;

  @ApiPropertyOptional({ type: 'string', description: 'HTTP method used (GET, POST, PATCH, DELETE)' })
  requestMethod: string;

  @ApiPropertyOptional({ type: 'string', description: 'API endpoint path that was called' })
  requestPath: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: HEADER_VALUE, description: HEADERS_DESCRIPTION })
  requestHeaders: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'string', description: 'IP address of the request origin' })
  requestIpAddress: string | null;

  @ApiPropertyOptional({ type: 'string', description: 'Account ID associated with the action' })
  account_id: string | null;
}

/**
 * An item of GET /audit-logs: the entry plus the response status and the lead it concerns. Every
 * property is sent (toAuditLogRecord); `user` is null for a request without a principal (a
 * rejected login), `apiKey` outside key sessions. The list is one account's, so account_id is set.
 */
export class AuditLogRecord extends AuditLogEntry {
  @ApiProperty({ required: true, type: 'integer', description: 'Unique identifier for the audit log entry' })
  declare id: number;

  @ApiProperty({ required: true, type: 'string', enum: AUDIT_EVENTS, description: EVENT_DESCRIPTION })
  declare event: string;

  @ApiProperty({
    required: true,
    type: 'string',
    nullable: true,
    description: 'Email of the user who performed the action; null when there was none',
  })
  declare user: string | null;

  @ApiProperty({ required: true, type: 'string', nullable: true, description: 'Id of the API key the request was made with, or null' })
  declare apiKey: string | null;

  @ApiProperty({ required: true, type: Object, additionalProperties: true, description: DATA_DESCRIPTION })
  declare data: Record<string, unknown>;

  @ApiProperty({ required: true, type: 'string', format: 'date-time', description: 'Timestamp when the event occurred' })
  declare created: string;

  @ApiProperty({ required: true, type: 'string', description: 'HTTP method used (GET, POST, PATCH, DELETE)' })
  declare requestMethod: string;

  @ApiProperty({ required: true, type: 'string', description: 'API endpoint path that was called' })
  declare requestPath: string;

  @ApiProperty({ required: true, type: Object, additionalProperties: HEADER_VALUE, description: HEADERS_DESCRIPTION })
  declare requestHeaders: Record<string, unknown>;

  @ApiProperty({ required: true, type: 'string', nullable: true, description: 'IP address of the request origin, when known' })
  declare requestIpAddress: string | null;

  @ApiProperty({ required: true, type: 'string', description: 'Account ID associated with the action' })
  declare account_id: string | null;

  @ApiProperty({ required: true, type: 'integer', description: 'HTTP status code of the response' })
  statusCode: number;

  @ApiProperty({ required: true, type: 'integer', nullable: true, description: 'ID of the lead the request concerned, if any' })
  leadId: number | null;
}

export class AuditLogPage extends PageOf(() => AuditLogRecord) {}
