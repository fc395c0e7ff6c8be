import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool } from '../../common/list/query-transforms';

export class ListTeamsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'Only active (true) or inactive (false) teams', default: true })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Exact name, case-insensitive (use `search` for a partial match)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}
