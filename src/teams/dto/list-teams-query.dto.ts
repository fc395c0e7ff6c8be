import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool } from '../../common/list/query-transforms';
import { SortQuery } from '../../common/openapi/schema-decorators';

/** The sort keys of GET /teams (TEAM_LIST_SPEC.sortable). */
export const TEAM_SORT_FIELDS = ['id', 'name', 'active', 'createdAt', 'updatedAt'] as const;

export class ListTeamsQueryDto extends ListQueryDto {
  @SortQuery(TEAM_SORT_FIELDS, 'id')
  declare sort?: string;

  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) teams', default: true })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Exact name, case-insensitive (use `search` for a partial match)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
