import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryInt } from '../../common/list/query-transforms';
import { MAX_ID } from '../../common/pipes/id-param.pipe';

/** Query of GET /audit-logs. */
export class ListAuditLogsQuery extends ListQueryDto {
  @ApiPropertyOptional({ type: 'string', description: 'Entries of this event (exact match, e.g. lead_created)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  event?: string;

  @ApiPropertyOptional({ type: 'string', description: 'Entries of this user (email, case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Entries concerning this lead (deleted leads included)' })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'leadId must be an integer' })
  @Min(1)
  @Max(MAX_ID)
  leadId?: number;

  @ApiPropertyOptional({ type: 'string', description: 'Entries of this HTTP method (GET, POST, PATCH, DELETE; case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  requestMethod?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Entries answered with this HTTP status code' })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'statusCode must be an integer' })
  @Min(100)
  @Max(599)
  statusCode?: number;

  @ApiPropertyOptional({ type: 'string', description: 'Entries created in this range: `from,to` (ISO 8601; either side may be empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  created?: string;
}
