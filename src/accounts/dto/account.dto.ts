import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { DUPLICATE_LEAD_POLICIES, DuplicateLeadPolicy } from '../entities/account.entity';
import { PERMISSIONS } from '../../auth/permissions/permissions';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';
import { TIME_ZONE_MAX_LENGTH } from '../time-zone';

@ClosedBody()
export class CreateAccountDto {
  @ApiProperty({ description: 'Name of the new account', example: 'Acme Inc.', minLength: 1, maxLength: 200 })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

const TIME_ZONE_DESCRIPTION =
  "The account's IANA time zone name (e.g. `Europe/Berlin`), for routing rules that depend on local time; `UTC` until set";

const DUPLICATE_POLICY_DESCRIPTION =
  'What POST /leads does with a lead whose email (trimmed, lower-cased) an unarchived lead of the account already has: ' +
  '`allow` creates it, `reject` answers 409 naming the existing lead, `return_existing` answers 200 with it. ' +
  '`?onDuplicate=` overrides it for one request';

/** Body of PATCH /accounts/{id}: what an admin of the account may change. Absent fields stay as they are. */
@ClosedBody()
export class UpdateAccountDto {
  @ApiPropertyOptional({ description: 'Name of the account (trimmed)', example: 'Acme Inc.', minLength: 1, maxLength: 200 })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({
    description:
      `${TIME_ZONE_DESCRIPTION}. Any name \`Intl.DateTimeFormat\` accepts, in any case, stored as sent (trimmed); ` +
      'UTC offsets such as `+02:00` are not names (400)',
    example: 'Europe/Berlin',
    maxLength: TIME_ZONE_MAX_LENGTH,
  })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  timeZone?: string;

  @ApiPropertyOptional({ description: DUPLICATE_POLICY_DESCRIPTION, enum: DUPLICATE_LEAD_POLICIES, example: 'reject' })
  @OptionalNotNull()
  @IsIn(DUPLICATE_LEAD_POLICIES, { message: `duplicateLeadPolicy must be one of ${DUPLICATE_LEAD_POLICIES.join(', ')}` })
  duplicateLeadPolicy?: DuplicateLeadPolicy;
}

/**
 * One of the caller's accounts. For a user: every account they are an active member of, with the
 * role held there and its permissions. For an API key session: only the key's account, with role
 * `apiKey` and the key's effective permissions. `createdAt` is when the account was created.
 */
export class AccountResponseDto {
  @ApiProperty({ description: 'Account id (a string of digits)', example: '2311' })
  accountId: string;

  @ApiProperty({ example: 'Acme Inc.' })
  accountName: string;

  @ApiProperty({ description: TIME_ZONE_DESCRIPTION, example: 'Europe/Berlin' })
  timeZone: string;

  @ApiProperty({ description: DUPLICATE_POLICY_DESCRIPTION, enum: DUPLICATE_LEAD_POLICIES, example: 'allow' })
  duplicateLeadPolicy: DuplicateLeadPolicy;

  @ApiProperty({ description: "Whether this is the caller's primary account" })
  usersPrimaryAccount: boolean;

  @ApiProperty({ description: 'Whether the caller is an admin of this account' })
  accountAdmin: boolean;

  @ApiProperty({ description: 'Role of the caller in this account', enum: ['admin', 'user', 'apiKey'], isArray: true, example: ['admin'] })
  roles: string[];

  @ApiProperty({ description: 'What the caller may do in this account', enum: PERMISSIONS, isArray: true })
  permissions: string[];

  @ApiProperty({ format: 'date-time', description: 'When the account was created (ISO 8601 UTC)', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;
}
