import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MembershipRole } from '../users/entities/membership.entity';
import { AuthRepository, PrincipalRow } from './auth.repository';
import { isPermission, Permission } from './permissions/permissions';
import { Principal } from './principal';

/** What a session token carries. `typ: 'key'` sessions also carry the key id. */
export interface TokenPayload {
  sub: string;
  typ: 'user' | 'key';
  kid?: number;
  exp?: number;
  iat?: number;
}

/**
 * Loads the caller behind a verified token, with its membership in the requested account, in one
 * query per request. Nothing is cached, so a deactivated user, a removed membership or a deleted
 * key stops working at once.
 */
@Injectable()
export class PrincipalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: AuthRepository,
  ) {}

  async load(payload: TokenPayload, token: string, accountId: number | null): Promise<Principal | null> {
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) return null;
    let row: PrincipalRow | null = null;
    if (payload.typ === 'key') {
      if (!Number.isSafeInteger(payload.kid) || (payload.kid as number) <= 0) return null;
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
      keyPermissions = Array.isArray(raw) ? raw.filter(isPermission) : [];
    }

    return {
      kind: payload.typ === 'key' ? 'apiKey' : 'user',
      userId: Number(row.user_id),
      email: row.email,
      name: row.name,
      isSuperAdmin: !!row.is_super_admin,
      apiKeyId: payload.typ === 'key' ? Number(row.key_id) : null,
      apiKeyAccountId: payload.typ === 'key' ? Number(row.key_account_id) : null,
      apiKeyPermissions: keyPermissions,
      token,
      expiresAt: new Date((payload.exp ?? 0) * 1000),
      membership:
        row.m_account_id === null || row.m_account_id === undefined
          ? null
          : {
              accountId: Number(row.m_account_id),
              role: row.m_role as MembershipRole,
              active: !!row.m_active,
              duplicateLeadPolicy: row.a_duplicate_lead_policy ?? 'allow',
            },
    };
  }
}
