import { PageOf } from '../../common/list/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SkipReason } from '../../routing/routing-policy';
import { ROTATION_STATUSES, RotationStatus } from '../entities/lead-rotation.entity';

export class RotationTeamDto {
  @ApiProperty({ type: 'integer', example: 12 })
  id: number;

  @ApiProperty({ example: 'West Coast' })
  name: string;

  @ApiProperty({ example: true })
  active: boolean;
}

export class RotationMemberDto {
  @ApiProperty({ example: 'ann@example.com' })
  email: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The user with this email, or null when there is none in the account',
    example: 7,
  })
  userId: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 3 })
  weight: number;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Leads per day, or null for no cap', example: 20 })
  dailyCap: number | null;

  @ApiProperty({ type: 'integer', description: "Leads assigned through this rotation today (the account's timeZone)", example: 4 })
  assignedToday: number;

  @ApiProperty({ description: 'Whether the member can be picked now', example: true })
  eligible: boolean;

  @ApiProperty({ enum: ['inactive', 'paused', 'away', 'capped'], nullable: true, description: 'Why the member cannot be picked now' })
  ineligibleReason: SkipReason | null;
}

export class LeadRotationResponseDto {
  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ description: 'Account id (a string of digits)', example: '2311' })
  accountId: string;

  @ApiProperty({ example: 'default' })
  name: string;

  @ApiProperty({ enum: ROTATION_STATUSES, example: 'active' })
  status: RotationStatus;

  @ApiProperty({ type: 'integer', nullable: true, example: 12 })
  teamId: number | null;

  @ApiProperty({ type: [String], description: 'User emails in rotation order', example: ['ann@example.com', 'bob@example.com'] })
  userRotationArray: string[];

  @ApiProperty({ type: 'integer', description: 'Index of the next user to pick', example: 0 })
  currentPosition: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Weight of every member (1 unless set; 0 = paused)',
    example: { 'ann@example.com': 3, 'bob@example.com': 1 },
  })
  weights: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', nullable: true },
    description: 'Daily cap of every member (null = no cap)',
    example: { 'ann@example.com': 20, 'bob@example.com': null },
  })
  dailyCaps: Record<string, number | null>;

  @ApiProperty({ type: RotationTeamDto, nullable: true, description: 'The team, when teamId is set' })
  team: RotationTeamDto | null;

  @ApiPropertyOptional({
    type: [RotationMemberDto],
    description: 'GET /lead-rotations/{id} only: each member (once per email, in rotation order) and whether they can be picked now',
  })
  members?: RotationMemberDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who created the rotation' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who last changed the rotation' })
  updatedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Last change by a user (moving the pointer does not count)' })
  updatedAt: string;
}

export class LeadRotationPageDto extends PageOf(() => LeadRotationResponseDto) {}

export class RotationUserDto {
  @ApiProperty({ type: 'integer', example: 7 })
  id: number;

  @ApiProperty({ example: 'ann@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ann' })
  name: string | null;
}

export class NextUserResponseDto {
  @ApiProperty({
    type: RotationUserDto,
    nullable: true,
    description: 'The picked user; null when no one in the rotation is an active user of the account',
  })
  user: RotationUserDto | null;

  @ApiProperty({ type: 'integer' })
  rotationId: number;

  @ApiProperty({
    type: 'integer',
    description: 'Index of the picked user in userRotationArray (the unchanged pointer when no one was picked)',
  })
  currentPosition: number;

  @ApiProperty({ type: 'integer', description: 'The pointer after the advance: index of the next user to pick' })
  newPosition: number;

  @ApiProperty({ type: 'integer', description: 'Length of userRotationArray' })
  totalUsers: number;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the picked user' })
  currentUser: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Email at newPosition (skipped at the next pick if that user is no longer active by then); null for an empty rotation',
  })
  nextUser: string | null;

  @ApiProperty({ type: LeadRotationResponseDto, description: 'The rotation after the advance' })
  rotation: LeadRotationResponseDto;
}
