import { capOf, weightOf } from '../routing/routing-policy';
import { LeadRotationResponseDto, RotationMemberDto, RotationTeamDto } from './dto/rotation-response.dto';
import { LeadRotation } from './entities/lead-rotation.entity';

export function toRotationResponse(
  rotation: LeadRotation,
  team: Pick<RotationTeamDto, 'id' | 'name' | 'active'> | null,
  members?: RotationMemberDto[],
): LeadRotationResponseDto {
  const emails = [...new Set(rotation.userRotationArray ?? [])];
  const response: LeadRotationResponseDto = {
    id: rotation.id,
    accountId: String(rotation.accountId),
    name: rotation.name,
    status: rotation.status,
    teamId: rotation.teamId,
    userRotationArray: [...(rotation.userRotationArray ?? [])],
    currentPosition: rotation.currentPosition,
    weights: Object.fromEntries(emails.map((e) => [e, weightOf(rotation.weights ?? {}, e)])),
    dailyCaps: Object.fromEntries(emails.map((e) => [e, capOf(rotation.dailyCaps ?? {}, e)])),
    team: team ? { id: team.id, name: team.name, active: team.active } : null,
    createdBy: rotation.createdBy,
    updatedBy: rotation.updatedBy,
    createdAt: rotation.createdAt.toISOString(),
    updatedAt: rotation.updatedAt.toISOString(),
  };
  if (members) response.members = members;
  return response;
}
