import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { OptionalIdField, OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';

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

  @OptionalIdField('A team of the account, or null for none', 12)
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

  @OptionalIdField('A team of the account; null detaches the source from its team')
  teamId?: number | null;

  @ApiPropertyOptional({ description: 'Whether the source is active' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;
}
