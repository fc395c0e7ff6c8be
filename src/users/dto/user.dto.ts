import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ListQueryDto } from '../../common/list/list-query.dto';
import { QueryBool } from '../../common/list/query-transforms';
import { ClosedBody, SortQuery } from '../../common/openapi/schema-decorators';
import { IsDateTimeWithZone } from '../../common/validation/date-time';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';
import type { MembershipRole } from '../entities/membership.entity';

export const ROLES: MembershipRole[] = ['admin', 'user'];

@ClosedBody()
export class CreateUserDto {
  @ApiProperty({
    description: 'Email of the user; matched case-insensitively and stored lower-cased',
    example: 'jane@example.com',
    format: 'email',
    maxLength: 320,
  })
  @TrimString()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(320)
  email: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Display name, stored only when the user is new (an existing user keeps theirs); the answer shows this name either way',
    example: 'Jane Doe',
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({
    description:
      'Password of a new user (8 to 256 characters). Optional: a user without a password cannot log in with one. ' +
      'Ignored when the user already exists: they keep their own password (the answer does not say which happened).',
    format: 'password',
    minLength: 8,
    maxLength: 256,
  })
  @OptionalNotNull()
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password?: string;

  @ApiProperty({ enum: ROLES, description: 'Role in this account; you must hold every permission of the role (403 otherwise)' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: MembershipRole;
}

const AWAY_RULE =
  'The user counts as away when away is true and awayUntil is null or in the future; ' +
  'once awayUntil has passed they are available again, whatever away says.';
const AWAY_DESCRIPTION = `Whether the user marked themselves (or was marked) away in this account. ${AWAY_RULE}`;
const AWAY_UNTIL_DESCRIPTION = 'When the absence ends (null: until away is switched off).';
const SELF_SERVICE_NOTE =
  'A user may change their own away and awayUntil without writeUsers, in a user session and with no other field in the body; ' +
  'anything else needs writeUsers.';

@ClosedBody()
export class UpdateUserDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: "The user's display name (null clears it)",
    minLength: 1,
    maxLength: 200,
  })
  @IsOptional()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ enum: ROLES, description: 'Role in this account; you must hold every permission of the role (403 otherwise)' })
  @OptionalNotNull()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: MembershipRole;

  @ApiPropertyOptional({ description: 'Whether the user may act in this account (the membership, not the user everywhere)' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: `${AWAY_DESCRIPTION} ${SELF_SERVICE_NOTE}` })
  @OptionalNotNull()
  @IsBoolean()
  away?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      `${AWAY_UNTIL_DESCRIPTION} An ISO 8601 date-time with a time zone (answered in UTC, to the millisecond); null clears it. ` +
      `A moment already past is accepted (the user then counts as available). ${SELF_SERVICE_NOTE}`,
    example: '2024-05-06T08:00:00Z',
  })
  @IsOptional()
  @IsDateTimeWithZone()
  awayUntil?: string | null;
}

/** The sort keys of GET /users (USER_LIST_SPEC.sortable). */
export const USER_SORT_FIELDS = ['id', 'email', 'name', 'role', 'active', 'createdAt'] as const;

export class ListUsersQueryDto extends ListQueryDto {
  @SortQuery(USER_SORT_FIELDS, 'id')
  declare sort?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: MembershipRole;

  @ApiPropertyOptional({ type: Boolean, description: 'Membership active in this account' })
  @IsOptional()
  @QueryBool()
  @IsBoolean()
  active?: boolean;
}

/** A user as a member of the account. Timestamps and createdBy/updatedBy are those of the membership. */
export class UserResponseDto {
  @ApiProperty({ type: 'integer', example: 42 })
  id: number;

  @ApiProperty({ example: 'jane@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Jane Doe' })
  name: string | null;

  @ApiProperty({ enum: ROLES })
  role: MembershipRole;

  @ApiProperty({ description: 'Whether the membership in this account is active' })
  active: boolean;

  @ApiProperty({
    description:
      "Whether this account is the user's primary account (always true in the answer to POST /users, which never tells whether the user existed)",
  })
  primary: boolean;

  @ApiProperty({ description: AWAY_DESCRIPTION })
  away: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: `${AWAY_UNTIL_DESCRIPTION} ISO 8601 UTC.`,
    example: '2024-05-06T08:00:00.000Z',
  })
  awayUntil: string | null;

  @ApiProperty({ example: '2311' })
  accountId: string;

  @ApiProperty({ format: 'date-time', description: 'When the user was added to the account', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2024-05-01T12:00:00.000Z' })
  updatedAt: string;

  @ApiProperty({ type: String, nullable: true, example: 'admin@example.com' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'admin@example.com' })
  updatedBy: string | null;
}

export class UserPageDto extends PageOf(() => UserResponseDto) {}
