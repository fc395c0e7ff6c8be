import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PERMISSIONS } from '../permissions/permissions';

export class SessionAccountDto {
  @ApiProperty({ description: 'Account id (a string of digits)', example: '2311' })
  accountId: string;

  @ApiProperty({ example: 'Acme Inc.' })
  accountName: string;

  @ApiProperty({ description: "Whether this is the session's primary account" })
  usersPrimaryAccount: boolean;

  @ApiProperty({ description: 'Whether the user is an admin of this account' })
  accountAdmin: boolean;
}

/** What `POST /auth/login` and `GET /auth/session` answer. */
export class SessionDto {
  @ApiProperty({ type: 'integer', description: 'User id (for an API key: the id of the user who created it)', example: 12 })
  id: number;

  @ApiProperty({ example: 'jane@example.com' })
  email: string;

  @ApiProperty()
  active: boolean;

  @ApiProperty({
    type: SessionAccountDto,
    nullable: true,
    description: 'The primary account, as in `accounts`; null when the user has no account',
  })
  primaryAccount: SessionAccountDto | null;

  @ApiProperty({ type: SessionAccountDto, isArray: true, description: 'Accounts the session can act in (active memberships)' })
  accounts: SessionAccountDto[];

  @ApiProperty({
    description: '`superAdmin` for platform administrators, plus the role held in the primary account; `apiKey` for key sessions',
    enum: ['superAdmin', 'admin', 'user', 'apiKey'],
    isArray: true,
    example: ['admin'],
  })
  roles: string[];

  @ApiProperty({
    description: "Permissions in the primary account (for a key: the key's effective permissions)",
    enum: PERMISSIONS,
    isArray: true,
  })
  permissions: string[];

  @ApiProperty({ description: 'Bearer token for the Authorization header' })
  token: string;

  @ApiProperty({ format: 'date-time', description: 'When the token expires (ISO 8601 UTC)', example: '2024-05-01T12:00:00.000Z' })
  expiresAt: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Id of the API key (key sessions only)', example: 7 })
  apiKeyId?: number;
}
