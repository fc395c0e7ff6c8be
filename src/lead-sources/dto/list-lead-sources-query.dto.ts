import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool, QueryInt } from '../../common/list/query-transforms';
import { MAX_ID } from '../../common/pipes/id-param.pipe';

export class ListLeadSourcesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) sources; all when absent' })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: 'integer', description: 'Only sources of this team' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  teamId?: number;

  @ApiPropertyOptional({ description: 'Exact name, case-insensitive (use `search` for a partial match)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
