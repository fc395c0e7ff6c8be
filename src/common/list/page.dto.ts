import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/**
 * The list envelope as a Swagger class for items of type `item`: every list endpoint declares its
 * page as `class TeamPageDto extends PageOf(TeamResponseDto) {}` so the document names each one.
 */
export function PageOf<T>(item: () => Type<T>) {
  abstract class Page {
    @ApiProperty({ type: () => [item()] })
    data: T[];

    @ApiProperty({ type: 'integer', description: 'Number of items matching the filters' })
    totalCount: number;

    @ApiProperty({ type: 'integer', description: 'Number of pages at this page size' })
    totalPages: number;

    @ApiProperty({ type: 'integer', description: 'The page returned, from 1' })
    currentPage: number;
  }
  return Page;
}
