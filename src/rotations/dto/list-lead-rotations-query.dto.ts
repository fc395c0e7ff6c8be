import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryInt } from '../../common/list/query-transforms';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { ROTATION_STATUSES, RotationStatus } from '../entities/lead-rotation.entity';

export class ListLeadRotationsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    type: String,
    description: `One status or several, comma-separated (${ROTATION_STATUSES.join(', ')})`,
    default: 'active',
    example: 'active,queued',
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

  @ApiPropertyOptional({ type: 'integer', description: 'Only rotations of this team' })
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
