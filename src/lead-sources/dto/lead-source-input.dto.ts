import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';

export const LEAD_SOURCE_NAME_MAX = 200;

@ClosedBody()
export class CreateLeadSourceDto {
  @ApiProperty({
    description: 'Name (surrounding spaces are trimmed)',
    minLength: 1,
    maxLength: LEAD_SOURCE_NAME_MAX,
    example: 'Website form',
  })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(LEAD_SOURCE_NAME_MAX)
  name: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_ID,
    nullable: true,
    description: 'A team of the account, or null for none',
    example: 12,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  teamId?: number | null;

  // The default is stated in the description: a `default` makes openapi-typescript type the field as required.
  @ApiPropertyOptional({ description: 'Whether the source is active (true when absent)' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

@ClosedBody()
export class UpdateLeadSourceDto {
  @ApiPropertyOptional({ description: 'Name (surrounding spaces are trimmed)', minLength: 1, maxLength: LEAD_SOURCE_NAME_MAX })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(LEAD_SOURCE_NAME_MAX)
  name?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_ID,
    nullable: true,
    description: 'A team of the account; null detaches the source from its team',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  teamId?: number | null;

  @ApiPropertyOptional({ description: 'Whether the source is active' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}
