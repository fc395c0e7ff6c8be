import { PageOf } from '../../common/list/page.dto';
import { ApiProperty } from '@nestjs/swagger';

export class TeamMemberDto {
  @ApiProperty({ type: 'integer', example: 7 })
  userId: number;

  @ApiProperty({ example: 'rep@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Rita Rep' })
  name: string | null;
}

export class TeamResponseDto {
  @ApiProperty({ type: 'integer', example: 12 })
  id: number;

  @ApiProperty({ description: 'Account id (a string of digits)', example: '2311' })
  accountId: string;

  @ApiProperty({ description: 'Same as accountId, kept for clients of the original API', example: '2311' })
  account_id: string;

  @ApiProperty({ example: 'West Coast' })
  name: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ type: [TeamMemberDto], description: 'Members in the order they were set' })
  members: TeamMemberDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who created the team' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who last changed the team' })
  updatedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class TeamPageDto extends PageOf(() => TeamResponseDto) {}
