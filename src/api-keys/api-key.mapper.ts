import { isPermission } from '../auth/permissions/permissions';
import { ApiKeyResponseDto } from './dto/api-key.dto';
import { ApiKey } from './entities/api-key.entity';

export function toApiKeyResponse(k: ApiKey): ApiKeyResponseDto {
  return {
    id: k.id,
    name: k.name,
    apiKey: k.key,
    permissions: (k.permissions ?? []).filter(isPermission),
    active: k.active,
    accountId: String(k.accountId),
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
    createdBy: k.createdBy,
    updatedBy: k.updatedBy,
  };
}
