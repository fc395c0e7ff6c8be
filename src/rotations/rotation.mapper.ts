import { LeadRotationResponseDto, RotationTeamDto } from './dto/rotation-response.dto';
import { LeadRotation } from './entities/lead-rotation.entity';

export function toRotationResponse(
  rotation: LeadRotation,
  team: Pick<RotationTeamDto, 'id' | 'name' | 'active'> | null,
): LeadRotationResponseDto {
  return {
    id: rotation.id,
    accountId: String(rotation.accountId),
    name: rotation.name,
    status: rotation.status,
    teamId: rotation.teamId,
    userRotationArray: [...(rotation.userRotationArray ?? [])],
    currentPosition: rotation.currentPosition,
    team: team ? { id: team.id, name: team.name, active: team.active } : null,
    createdBy: rotation.createdBy,
    updatedBy: rotation.updatedBy,
    createdAt: rotation.createdAt.toISOString(),
    updatedAt: rotation.updatedAt.toISOString(),
  };
}
