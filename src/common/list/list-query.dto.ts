import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { QueryInt } from './query-transforms';

export const MAX_PAGE_SIZE = 100;

/** The list parameters every list endpoint accepts; resources extend it with their filters. */
export class ListQueryDto {
  @ApiPropertyOptional({ description: 'Page number, from 1', default: 1, minimum: 1, maximum: 1_000_000, type: 'integer' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ description: 'Items per page', default: 10, minimum: 1, maximum: MAX_PAGE_SIZE, type: 'integer' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;

  @ApiPropertyOptional({ description: 'Case-insensitive text search', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated fields to sort by; prefix a field with - for descending (e.g. `-createdAt,name`)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  sort?: string;
}

/** The list parameters of a list that pages by keyset too (it answers `nextCursor`). */
export class KeysetListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'Keyset paging: the `nextCursor` of the previous page (same sort). Constant cost however deep.',
    maxLength: 2000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;
}
