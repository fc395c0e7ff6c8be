import { TeamMemberDto, TeamResponseDto } from './dto/team-response.dto';
import { Team } from './entities/team.entity';

export function toTeamResponse(team: Team, members: TeamMemberDto[]): TeamResponseDto {
  const accountId = String(team.accountId);
  return {
    id: team.id,
    accountId,
    account_id: accountId,
    name: team.name,
    active: team.active,
    members: members.map((m) => ({ userId: m.userId, email: m.email, name: m.name })),
    createdBy: team.createdBy,
    updatedBy: team.updatedBy,
    createdAt: team.createdAt.toISOString(),
    updatedAt: team.updatedAt.toISOString(),
  };
}
