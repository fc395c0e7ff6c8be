import { Injectable } from '@nestjs/common';
import { normalizePermissions, Permission, permissionsNotHeld } from '../auth/permissions/permissions';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { AccountContext, Actor } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { validationFailed } from '../common/errors/validation-failed';
import { ListSpec, Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { generateApiKeyCredentials } from './api-key-credentials';
import { toApiKeyResponse } from './api-key.mapper';
import { ApiKeysRepository } from './api-keys.repository';
import {
  API_KEY_SORT_FIELDS,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';

export const API_KEY_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'k.id',
    name: 'k.name',
    active: 'k.active',
    createdAt: 'k.created_at',
    updatedAt: 'k.updated_at',
  } satisfies Record<(typeof API_KEY_SORT_FIELDS)[number], string>,
  searchable: ['k.name', 'k.key'],
  defaultSort: '-createdAt',
  idColumn: 'k.id',
};

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ApiKeysRepository,
    private readonly principals: PrincipalEvictions,
  ) {}

  list(accountId: number, query: ListApiKeysQueryDto): Promise<Page<ApiKeyResponseDto>> {
    return paginate(this.repo.listQuery(this.tx.manager, accountId, { active: query.active }), query, API_KEY_LIST_SPEC, toApiKeyResponse);
  }

  async get(accountId: number, id: number): Promise<ApiKeyResponseDto> {
    const key = await this.repo.findInAccount(this.tx.manager, accountId, id);
    if (!key) throw ApiError.notFound('API key');
    return toApiKeyResponse(key);
  }

  /** Creates a key; its secret appears in this answer only (the database keeps its SHA-256). */
  async create(account: AccountContext, actor: Actor, dto: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const permissions = grantable(account, dto.permissions);
    const { key, secret, secretHash } = generateApiKeyCredentials();
    const saved = await this.tx.run((em) =>
      this.repo.insert(em, account.accountId, {
        key,
        secretHash,
        name: dto.name,
        permissions,
        createdByUserId: actor.userId,
        createdBy: actor.email,
      }),
    );
    return { ...toApiKeyResponse(saved), apiSecret: secret };
  }

  async update(account: AccountContext, actor: Actor, id: number, dto: UpdateApiKeyDto): Promise<ApiKeyResponseDto> {
    return this.tx.run(async (em) => {
      const key = await this.repo.findInAccount(em, account.accountId, id);
      if (!key) throw ApiError.notFound('API key');
      if (dto.permissions !== undefined) key.permissions = grantable(account, dto.permissions);
      if (dto.name !== undefined) key.name = dto.name;
      if (dto.active !== undefined) key.active = dto.active;
      key.updatedBy = actor.email;
      const saved = await this.repo.save(em, key);
      await this.principals.changed(em, { apiKeyId: id });
      return toApiKeyResponse(saved);
    });
  }

  /** Deletes the key; sessions opened with it stop working at once (their key row is gone). */
  async remove(accountId: number, id: number): Promise<ApiKeyResponseDto> {
    return this.tx.run(async (em) => {
      const key = await this.repo.findInAccount(em, accountId, id);
      if (!key) throw ApiError.notFound('API key');
      await this.repo.delete(em, accountId, id);
      await this.principals.changed(em, { apiKeyId: id });
      return toApiKeyResponse(key);
    });
  }
}

/**
 * A caller can only hand out permissions they hold in this account (for a key-based caller, the
 * key's own effective permissions): 400 naming the others.
 */
function grantable(account: AccountContext, requested: Permission[]): Permission[] {
  const permissions = normalizePermissions(requested);
  const notHeld = permissionsNotHeld(account.permissions, permissions);
  if (notHeld.length) {
    throw validationFailed([{ field: 'permissions', message: `permissions you do not hold cannot be granted: ${notHeld.join(', ')}` }]);
  }
  return permissions;
}
