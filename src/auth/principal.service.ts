import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MembershipRole } from '../users/entities/membership.entity';
import { AuthRepository, PrincipalRow } from './auth.repository';
import { isPermission, Permission } from './permissions/permissions';
import { Principal } from './principal';
import { CachedPrincipal, principalCacheKey } from './principal-cache';
import { PrincipalEvictions } from './principal-evictions.service';

/** What a session token carries. `typ: 'key'` sessions also carry the key id. */
export interface TokenPayload {
  sub: string;
  typ: 'user' | 'key';
  kid?: number;
  exp?: number;
  iat?: number;
}

/**
 * Loads the caller behind a verified token, with its membership in the requested account: from the
 * principal cache, else in one query (then cached). The cache holds only what the database answered,
 * and every writer of users, memberships, keys and accounts evicts from it on commit (on every
 * instance), so a deactivated user, a removed membership or a deleted key stops working at once
 * (docs/PRINCIPAL-CACHE.md). The token's expiry is checked on every request, before this.
 */
@Injectable()
export class PrincipalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AuthRepository,
    private readonly evictions: PrincipalEvictions,
  ) {}

  async load(payload: TokenPayload, token: string, accountId: number | null): Promise<Principal | null> {
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) return null;
    if (payload.typ === 'key' && (!Number.isSafeInteger(payload.kid) || (payload.kid as number) <= 0)) return null;
    if (payload.typ !== 'key' && payload.typ !== 'user') return null;
    const expiresAt = new Date((payload.exp ?? 0) * 1000);
    const cache = this.evictions.cache;
    const key = principalCacheKey(payload.typ, userId, payload.typ === 'key' ? (payload.kid as number) : null, accountId);
    const cached = cache.get(key);
    if (cached) return { ...cached, token, expiresAt };
    // Read before the query: an eviction while it runs moves it on, and what was read is not stored.
    const generation = cache.generation;
    const loaded = await this.fromDatabase(payload, userId, accountId);
    if (!loaded) return null;
    cache.put(key, loaded, generation, accountId);
    return { ...loaded, token, expiresAt };
  }

  private async fromDatabase(payload: TokenPayload, userId: number, accountId: number | null): Promise<CachedPrincipal | null> {
    let row: PrincipalRow | null = null;
    if (payload.typ === 'key') {
      row = await this.repo.principalOfKey(this.dataSource.manager, payload.kid as number, userId);
      if (!row || !row.key_active) return null;
    } else if (payload.typ === 'user') {
      row = await this.repo.principalOfUser(this.dataSource.manager, userId, accountId);
    }
    if (!row || !row.user_active) return null;

    let keyPermissions: Permission[] | null = null;
    if (payload.typ === 'key') {
      const raw = (() => {
        try {
          return JSON.parse(row.key_permissions ?? '[]') as unknown;
        } catch {
          return [];
        }
      })();
      keyPermissions = Array.isArray(raw) ? (Object.freeze(raw.filter(isPermission)) as Permission[]) : [];
    }

    // Frozen: one object serves many requests.
    return Object.freeze({
      kind: payload.typ === 'key' ? 'apiKey' : 'user',
      userId: Number(row.user_id),
      email: row.email,
      name: row.name,
      isSuperAdmin: !!row.is_super_admin,
      apiKeyId: payload.typ === 'key' ? Number(row.key_id) : null,
      apiKeyAccountId: payload.typ === 'key' ? Number(row.key_account_id) : null,
      apiKeyPermissions: keyPermissions,
      membership:
        row.m_account_id === null || row.m_account_id === undefined
          ? null
          : Object.freeze({
              accountId: Number(row.m_account_id),
              role: row.m_role as MembershipRole,
              active: !!row.m_active,
              duplicateLeadPolicy: row.a_duplicate_lead_policy ?? 'allow',
            }),
    });
  }
}
