import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One audit entry as the seed describes it (the items of a lead's `auditLog`). */
export class AuditLogEntry {
  @ApiPropertyOptional({ type: 'integer', description: 'Unique identifier for the audit log entry' })
  id: number;

  @ApiPropertyOptional({
    type: 'string',
    description: 'Type of event (e.g., lead_created, lead_updated, lead_archived, lead_converted)',
  })
  event: string;

  @ApiPropertyOptional({ type: 'string', description: 'Email address or identifier of the user who performed the action' })
  user: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: 'API key identifier if the action was performed via API key authentication',
  })
  apiKey: string | null;

  @ApiPropertyOptional({
    type: Object,
    description: 'Event-specific data containing details about what was changed or accessed (structure varies by event type)',
  })
  data: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'string', format: 'date-time', description: 'Timestamp when the event occurred' })
  created: string;

  @ApiPropertyOptional({ type: 'string', description: 'HTTP method used (GET, POST, PATCH, DELETE)' })
  requestMethod: string;

  @ApiPropertyOptional({ type: 'string', description: 'API endpoint path that was called' })
  requestPath: string;

  @ApiPropertyOptional({
    type: Object,
    description: 'Sanitized HTTP headers from the request (sensitive values are masked)',
  })
  requestHeaders: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'string', description: 'IP address of the request origin' })
  requestIpAddress: string | null;

  @ApiPropertyOptional({ type: 'string', description: 'Account ID associated with the action' })
  account_id: string | null;
}

/** An item of GET /audit-logs: the entry plus the response status and the lead it concerns. */
export class AuditLogRecord extends AuditLogEntry {
  @ApiProperty({ type: 'integer', description: 'HTTP status code of the response' })
  statusCode: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'ID of the lead the request concerned, if any' })
  leadId: number | null;
}

export class AuditLogPage extends PageOf(() => AuditLogRecord) {}
