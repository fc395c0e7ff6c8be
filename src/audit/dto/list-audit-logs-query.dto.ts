import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryInt } from '../../common/list/query-transforms';
import { SortQuery } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { AUDIT_EVENTS, AuditEventName } from '../audit-events';

/** The sort keys of GET /audit-logs (AUDIT_LOG_LIST_SPEC.sortable). */
export const AUDIT_LOG_SORT_FIELDS = ['id', 'created', 'event', 'user', 'requestMethod', 'requestPath', 'statusCode', 'leadId'] as const;

/** Query of GET /audit-logs. */
export class ListAuditLogsQuery extends ListQueryDto {
  @SortQuery(AUDIT_LOG_SORT_FIELDS, '-created')
  declare sort?: string;

  @ApiPropertyOptional({ enum: AUDIT_EVENTS, description: 'Entries of this event' })
  @IsOptional()
  @IsIn(AUDIT_EVENTS, { message: 'event must be one of the audit events the document lists' })
  event?: AuditEventName;

  @ApiPropertyOptional({ type: 'string', maxLength: 320, description: 'Entries of this user (email, case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_ID,
    description: 'Entries concerning this lead (deleted leads included)',
  })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'leadId must be an integer' })
  @Min(1)
  @Max(MAX_ID)
  leadId?: number;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 10,
    description: 'Entries of this HTTP method (GET, POST, PATCH, DELETE; case-insensitive)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  requestMethod?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 100, maximum: 599, description: 'Entries answered with this HTTP status code' })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'statusCode must be an integer' })
  @Min(100)
  @Max(599)
  statusCode?: number;

  @ApiPropertyOptional({
    type: 'string',
    maxLength: 100,
    description: 'Entries created in this range: `from,to` (ISO 8601; either side may be empty)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  created?: string;
}
