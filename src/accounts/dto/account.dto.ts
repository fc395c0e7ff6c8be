import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PERMISSIONS } from '../../auth/permissions/permissions';
import { TrimString } from '../../common/validation/dto-decorators';

export class CreateAccountDto {
  @ApiProperty({ description: 'Name of the new account', example: 'Acme Inc.', minLength: 1, maxLength: 200 })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
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

  @ApiProperty({ description: "Whether this is the caller's primary account" })
  usersPrimaryAccount: boolean;

  @ApiProperty({ description: 'Whether the caller is an admin of this account' })
  accountAdmin: boolean;

  @ApiProperty({ description: 'Role of the caller in this account', enum: ['admin', 'user', 'apiKey'], isArray: true, example: ['admin'] })
  roles: string[];

  @ApiProperty({ description: 'What the caller may do in this account', enum: PERMISSIONS, isArray: true })
  permissions: string[];

  @ApiProperty({ description: 'When the account was created (ISO 8601 UTC)', example: '2024-05-01T12:00:00.000Z' })
  createdAt: string;
}
