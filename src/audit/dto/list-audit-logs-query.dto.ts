import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryInt } from '../../common/list/query-transforms';

const MAX_INT = 2147483647;
/** PostgreSQL text cannot hold U+0000: such a filter is refused instead of failing in the database. */
const NoNul = () => Matches(/^[^\u0000]*$/, { message: '$property must not contain NUL characters' });

/** Query of GET /audit-logs. */
export class ListAuditLogsQuery extends ListQueryDto {
  @ApiPropertyOptional({ type: 'string', description: 'Entries of this event (exact match, e.g. lead_created)' })
  @IsOptional()
  @IsString()
  @NoNul()
  @MaxLength(64)
  event?: string;

  @ApiPropertyOptional({ type: 'string', description: 'Entries of this user (email, case-insensitive)' })
  @IsOptional()
  @IsString()
  @NoNul()
  @MaxLength(320)
  user?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Entries concerning this lead (deleted leads included)' })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'leadId must be an integer' })
  @Min(1)
  @Max(MAX_INT)
  leadId?: number;

  @ApiPropertyOptional({ type: 'string', description: 'Entries of this HTTP method (GET, POST, PATCH, DELETE; case-insensitive)' })
  @IsOptional()
  @IsString()
  @NoNul()
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

NoNul()(ListAuditLogsQuery.prototype, 'search');
