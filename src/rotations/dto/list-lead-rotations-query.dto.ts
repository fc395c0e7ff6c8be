import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryInt } from '../../common/list/query-transforms';
import { SortQuery } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { ROTATION_STATUSES, RotationStatus } from '../entities/lead-rotation.entity';

/** The sort keys of GET /lead-rotations (ROTATION_LIST_SPEC.sortable). */
export const ROTATION_SORT_FIELDS = ['id', 'name', 'status', 'createdAt', 'updatedAt', 'currentPosition'] as const;

export class ListLeadRotationsQueryDto extends ListQueryDto {
  @SortQuery(ROTATION_SORT_FIELDS, 'id')
  declare sort?: string;

  // Repeated (`status=active&status=queued`, the array form clients send) or comma-separated: both are read.
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...ROTATION_STATUSES] },
    description: 'Only rotations with one of these statuses; also accepted comma-separated (`status=active,queued`)',
    default: ['active'],
    example: ['active', 'queued'],
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' || Array.isArray(value)
      ? ([] as unknown[]).concat(value).flatMap((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v]))
      : value,
  )
  @IsArray()
  @ArrayMaxSize(ROTATION_STATUSES.length * 2)
  @IsIn(ROTATION_STATUSES, { each: true })
  status?: RotationStatus[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_ID, description: 'Only rotations of this team' })
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
