import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool, QueryInt } from '../../common/list/query-transforms';
import { SortQuery } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';

/** The sort keys of GET /lead-sources (LEAD_SOURCE_LIST_SPEC.sortable). */
export const LEAD_SOURCE_SORT_FIELDS = ['id', 'name', 'active', 'teamId', 'createdAt', 'updatedAt'] as const;

export class ListLeadSourcesQueryDto extends ListQueryDto {
  @SortQuery(LEAD_SOURCE_SORT_FIELDS, 'id')
  declare sort?: string;

  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) sources; all when absent' })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ID, description: 'Only sources of this team' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  teamId?: number;

  @ApiPropertyOptional({ description: 'Exact name, case-insensitive (use `search` for a partial match)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
