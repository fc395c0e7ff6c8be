import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import type { MembershipRole } from '../users/entities/membership.entity';
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
    // Fixed SQL text (no query builder), prepared on PostgreSQL: this runs on every authenticated request.
    const pg = this.dataSource.options.type === 'postgres';
    const p = (i: number) => (pg ? `$${i}` : '?');
    const columns =
      'u.id AS user_id, u.email AS email, u.name AS name, u.active AS user_active, u.is_super_admin AS is_super_admin, ' +
      'm.account_id AS m_account_id, m.role AS m_role, m.active AS m_active';

    let row: PrincipalRow | undefined;
    if (payload.typ === 'key') {
      if (!Number.isSafeInteger(payload.kid) || (payload.kid as number) <= 0) return null;
      [row] = (await preparedQuery(
        this.dataSource.manager,
        `SELECT ${columns}, k.id AS key_id, k.account_id AS key_account_id, k.permissions AS key_permissions, k.active AS key_active
         FROM api_keys k
         INNER JOIN users u ON u.id = k.created_by_user_id
         LEFT JOIN memberships m ON m.user_id = u.id AND m.account_id = k.account_id
         WHERE k.id = ${p(1)} AND u.id = ${p(2)}`,
        [payload.kid, userId],
      )) as PrincipalRow[];
      if (!row || !row.key_active) return null;
    } else if (payload.typ === 'user') {
      [row] = (await preparedQuery(
        this.dataSource.manager,
        `SELECT ${columns}
         FROM users u
         LEFT JOIN memberships m ON m.user_id = u.id AND m.account_id = ${p(1)}
         WHERE u.id = ${p(2)}`,
        [accountId ?? -1, userId],
      )) as PrincipalRow[];
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
