import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { OptionalIdField, OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';
import { ROTATION_STATUSES, RotationStatus } from '../entities/lead-rotation.entity';

export const ROTATION_NAME_MAX = 200;
export const ROTATION_USERS_MAX = 1000;
export const WEIGHT_MAX = 100;
export const DAILY_CAP_MAX = 1_000_000;

/** An object whose values are integers from `min` to `max` (keys are checked against the rotation by the service). */
function IntegerMap(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'integerMap',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.keys(v).length <= ROTATION_USERS_MAX &&
          Object.values(v).every((n) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max),
        defaultMessage: (args) => `${args?.property} must map member emails to integers from ${min} to ${max}`,
      },
    },
    options,
  );
}

const WEIGHTS_DOC = {
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 0, maximum: WEIGHT_MAX },
  description:
    'Weight by member email (0–100): over every W leads (W the sum of the eligible weights) a member gets its weight. ' +
    'A member not listed weighs 1; 0 pauses them in this rotation.',
  example: { 'ann@example.com': 3, 'bob@example.com': 1 },
} as const;
const CAPS_DOC = {
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 1, maximum: DAILY_CAP_MAX },
  description: "Most leads a member gets through this rotation per day (the account's timeZone); a member not listed has no cap.",
  example: { 'ann@example.com': 20 },
} as const;

/** An item of userRotationArray, as validated (a non-empty string of at most 320 characters). */
const USER_EMAIL_ITEM = { type: 'string', minLength: 1, maxLength: 320 };

const NAME_DESCRIPTION =
  'Rotation name (surrounding spaces are trimmed). A rotation named `default` (any case) without a team is the account fallback.';
const USERS_DESCRIPTION =
  'Emails of users of the account, in rotation order (stored lower-cased). An email may appear more than once to give that user a larger share.';

// Defaults are stated in descriptions: a `default` makes openapi-typescript type the field as required.
@ClosedBody()
export class CreateLeadRotationDto {
  @ApiProperty({ description: NAME_DESCRIPTION, minLength: 1, maxLength: ROTATION_NAME_MAX, example: 'default' })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ROTATION_NAME_MAX)
  name: string;

  @OptionalIdField('A team of the account, or null for none', 12)
  teamId?: number | null;

  @ApiPropertyOptional({
    type: 'array',
    items: USER_EMAIL_ITEM,
    maxItems: ROTATION_USERS_MAX,
    description: `${USERS_DESCRIPTION} Empty when absent.`,
    example: ['ann@example.com', 'bob@example.com'],
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(ROTATION_USERS_MAX)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(320, { each: true })
  userRotationArray?: string[];

  @ApiPropertyOptional({ enum: ROTATION_STATUSES, description: 'Status of the new rotation (active when absent)' })
  @OptionalNotNull()
  @IsIn(ROTATION_STATUSES)
  status?: RotationStatus;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_ID,
    description: 'Index in userRotationArray of the next user to pick (0 when absent; 0 when the array is empty)',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  currentPosition?: number;

  @ApiPropertyOptional({ ...WEIGHTS_DOC, description: `${WEIGHTS_DOC.description} None when absent.` })
  @OptionalNotNull()
  @IntegerMap(0, WEIGHT_MAX)
  weights?: Record<string, number>;

  @ApiPropertyOptional({ ...CAPS_DOC, description: `${CAPS_DOC.description} None when absent.` })
  @OptionalNotNull()
  @IntegerMap(1, DAILY_CAP_MAX)
  dailyCaps?: Record<string, number>;
}

/** The status changes only through PATCH /lead-rotations/{id}/status. */
@ClosedBody()
export class UpdateLeadRotationDto {
  @ApiPropertyOptional({ description: NAME_DESCRIPTION, minLength: 1, maxLength: ROTATION_NAME_MAX })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(ROTATION_NAME_MAX)
  name?: string;

  @OptionalIdField('A team of the account; null detaches the rotation from its team')
  teamId?: number | null;

  @ApiPropertyOptional({
    type: 'array',
    items: USER_EMAIL_ITEM,
    maxItems: ROTATION_USERS_MAX,
    description:
      `${USERS_DESCRIPTION} Replaces the list; unless currentPosition is also given, ` +
      'the pointer becomes currentPosition % new length (0 for an empty list).',
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(ROTATION_USERS_MAX)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(320, { each: true })
  userRotationArray?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_ID,
    description: 'Index of the next user to pick; must be within userRotationArray',
  })
  @OptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_ID)
  currentPosition?: number;

  @ApiPropertyOptional({ ...WEIGHTS_DOC, description: `${WEIGHTS_DOC.description} Replaces the map.` })
  @OptionalNotNull()
  @IntegerMap(0, WEIGHT_MAX)
  weights?: Record<string, number>;

  @ApiPropertyOptional({ ...CAPS_DOC, description: `${CAPS_DOC.description} Replaces the map.` })
  @OptionalNotNull()
  @IntegerMap(1, DAILY_CAP_MAX)
  dailyCaps?: Record<string, number>;
}

/** Documents the body of PATCH /lead-rotations/{id}/status; RotationStatusBodyPipe validates it (other properties are refused). */
@ClosedBody()
export class UpdateLeadRotationStatusDto {
  @ApiProperty({ enum: ROTATION_STATUSES, example: 'archived' })
  status: RotationStatus;
}
