import { PageOf } from '../../common/list/page.dto';
import { ApiProperty } from '@nestjs/swagger';

export class LeadSourceResponseDto {
  @ApiProperty({ type: 'integer', example: 5 })
  id: number;

  @ApiProperty({ description: 'Account id (a string of digits)', example: '2311' })
  accountId: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 12 })
  teamId: number | null;

  @ApiProperty({ example: 'Website form' })
  name: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who created the source' })
  createdBy: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Email of the user who last changed the source' })
  updatedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class LeadSourcePageDto extends PageOf(() => LeadSourceResponseDto) {}
