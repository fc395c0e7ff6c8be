import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { Membership, MembershipRole } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
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

interface PrincipalRow {
  user_id: number;
  email: string;
  name: string | null;
  user_active: boolean | number;
  is_super_admin: boolean | number;
  m_account_id: number | string | null;
  m_role: MembershipRole | null;
  m_active: boolean | number | null;
  key_id?: number | null;
  key_account_id?: number | string | null;
  key_permissions?: string | null;
  key_active?: boolean | number | null;
}

/**
 * Loads the caller behind a verified token, with its membership in the requested account, in one
 * query per request. Nothing is cached, so a deactivated user, a removed membership or a deleted
 * key stops working at once.
 */
@Injectable()
export class PrincipalService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(payload: TokenPayload, token: string, accountId: number | null): Promise<Principal | null> {
    const userId = Number(payload.sub);
    if (!Number.isSafeInteger(userId) || userId <= 0) return null;
    const qb = this.dataSource
      .createQueryBuilder()
      .select('u.id', 'user_id')
      .addSelect('u.email', 'email')
      .addSelect('u.name', 'name')
      .addSelect('u.active', 'user_active')
      .addSelect('u.is_super_admin', 'is_super_admin')
      .addSelect('m.account_id', 'm_account_id')
      .addSelect('m.role', 'm_role')
      .addSelect('m.active', 'm_active');

    let row: PrincipalRow | undefined;
    if (payload.typ === 'key') {
      if (!Number.isSafeInteger(payload.kid) || (payload.kid as number) <= 0) return null;
      row = await qb
        .addSelect('k.id', 'key_id')
        .addSelect('k.account_id', 'key_account_id')
        .addSelect('k.permissions', 'key_permissions')
        .addSelect('k.active', 'key_active')
        .from(ApiKey, 'k')
        .innerJoin(User, 'u', 'u.id = k.created_by_user_id')
        .leftJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = k.account_id')
        .where('k.id = :kid AND u.id = :userId', { kid: payload.kid, userId })
        .getRawOne<PrincipalRow>();
      if (!row || !row.key_active) return null;
    } else if (payload.typ === 'user') {
      row = await qb
        .from(User, 'u')
        .leftJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = :accountId', { accountId: accountId ?? -1 })
        .where('u.id = :userId', { userId })
        .getRawOne<PrincipalRow>();
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
          : { accountId: Number(row.m_account_id), role: row.m_role as MembershipRole, active: !!row.m_active },
    };
  }
}
