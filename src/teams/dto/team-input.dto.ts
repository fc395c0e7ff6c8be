import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ClosedBody } from '../../common/openapi/schema-decorators';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { OptionalNotNull, TrimString } from '../../common/validation/dto-decorators';

export const TEAM_NAME_MAX = 200;
export const TEAM_MEMBERS_MAX = 500;

@ClosedBody()
export class TeamMemberInputDto {
  @ApiProperty({ description: 'Id of a user of the account', type: 'integer', minimum: 1, maximum: MAX_ID, example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  userId: number;
}

/** userIds listed more than once (entries without an integer userId are reported by their own validators). */
export function duplicateUserIds(members: unknown): number[] {
  if (!Array.isArray(members)) return [];
  const seen = new Set<number>();
  const duplicates = new Set<number>();
  for (const m of members) {
    const id = (m as { userId?: unknown } | null)?.userId;
    if (typeof id !== 'number') continue;
    if (seen.has(id)) duplicates.add(id);
    seen.add(id);
  }
  return [...duplicates];
}

const UniqueMemberUserIds = () =>
  ValidateBy({
    name: 'uniqueMemberUserIds',
    validator: {
      validate: (value: unknown) => duplicateUserIds(value).length === 0,
      defaultMessage: (args) => `members lists userId ${duplicateUserIds(args?.value).join(', ')} more than once`,
    },
  });

const MEMBERS_DESCRIPTION = 'Users of the account, in display order; each userId at most once';

// Defaults are stated in descriptions: a `default` makes openapi-typescript type the field as required.
@ClosedBody()
export class CreateTeamDto {
  @ApiProperty({ description: 'Team name (surrounding spaces are trimmed)', minLength: 1, maxLength: TEAM_NAME_MAX, example: 'West Coast' })
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEAM_NAME_MAX)
  name: string;

  @ApiPropertyOptional({ description: 'Whether the team is active (true when absent)' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    type: [TeamMemberInputDto],
    maxItems: TEAM_MEMBERS_MAX,
    description: `${MEMBERS_DESCRIPTION} (none when absent)`,
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(TEAM_MEMBERS_MAX)
  @ValidateNested({ each: true })
  @Type(() => TeamMemberInputDto)
  @UniqueMemberUserIds()
  members?: TeamMemberInputDto[];
}

/** Every property optional; `members` replaces the whole list. */
@ClosedBody()
export class UpdateTeamDto {
  @ApiPropertyOptional({ description: 'Team name (surrounding spaces are trimmed)', minLength: 1, maxLength: TEAM_NAME_MAX })
  @OptionalNotNull()
  @TrimString()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEAM_NAME_MAX)
  name?: string;

  @ApiPropertyOptional({ description: 'Whether the team is active' })
  @OptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({
    type: [TeamMemberInputDto],
    maxItems: TEAM_MEMBERS_MAX,
    description: `${MEMBERS_DESCRIPTION}. Replaces the current list.`,
  })
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(TEAM_MEMBERS_MAX)
  @ValidateNested({ each: true })
  @Type(() => TeamMemberInputDto)
  @UniqueMemberUserIds()
  members?: TeamMemberInputDto[];
}
