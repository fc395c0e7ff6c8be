import { LeadSourceResponseDto } from './dto/lead-source-response.dto';
import { LeadSource } from './entities/lead-source.entity';

export function toLeadSourceResponse(source: LeadSource): LeadSourceResponseDto {
  return {
    id: source.id,
    accountId: String(source.accountId),
    teamId: source.teamId,
    name: source.name,
    active: source.active,
    createdBy: source.createdBy,
    updatedBy: source.updatedBy,
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}
