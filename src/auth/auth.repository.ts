import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { dialectOf, param } from '../database/dialect';
import { preparedQuery } from '../database/prepared';
import type { MembershipRole } from '../users/entities/membership.entity';
import type { DuplicateLeadPolicy } from '../accounts/entities/account.entity';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { User } from '../users/entities/user.entity';

/** A row of the principal queries: the user, their membership in one account and, for a key session, the key. */
export interface PrincipalRow {
  user_id: number;
  email: string;
  name: string | null;
  user_active: boolean | number;
  is_super_admin: boolean | number;
  m_account_id: number | string | null;
  m_role: MembershipRole | null;
  m_active: boolean | number | null;
  a_duplicate_lead_policy: DuplicateLeadPolicy | null;
  key_id?: number | null;
  key_account_id?: number | string | null;
  key_permissions?: string | null;
  key_active?: boolean | number | null;
}

const PRINCIPAL_COLUMNS =
  'u.id AS user_id, u.email AS email, u.name AS name, u.active AS user_active, u.is_super_admin AS is_super_admin, ' +
  'm.account_id AS m_account_id, m.role AS m_role, m.active AS m_active, a.duplicate_lead_policy AS a_duplicate_lead_policy';

/** The reads behind authentication, login and start-up bootstrap. Users are platform-wide (not account data). */
@Injectable()
export class AuthRepository {
  /** `email` must already be lower-cased (emails are stored lower-cased). */
  findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
    return em.findOne(User, { where: { email } });
  }

  findUserById(em: EntityManager, id: number): Promise<User | null> {
    return em.findOne(User, { where: { id } });
  }

  /** An API key by its public id, whatever its account (the key names its own account). */
  findApiKeyByPublicKey(em: EntityManager, key: string): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { where: { key } });
  }

  findApiKeyById(em: EntityManager, id: number): Promise<ApiKey | null> {
    return em.findOne(ApiKey, { where: { id } });
  }

  async anyUserExists(em: EntityManager): Promise<boolean> {
    const rows = await em.createQueryBuilder().select('u.id', 'id').from(User, 'u').limit(1).getRawMany();
    return rows.length > 0;
  }

  insertUser(
    em: EntityManager,
    u: { email: string; name: string | null; passwordHash: string | null; isSuperAdmin: boolean },
  ): Promise<User> {
    return em.save(em.create(User, { ...u, active: true }));
  }

  /**
   * The principal of a key session: the key, its creator and the creator's membership in the key's
   * account. Fixed text, prepared on PostgreSQL: it runs on every authenticated request.
   */
  async principalOfKey(em: EntityManager, keyId: number, userId: number): Promise<PrincipalRow | null> {
    const d = dialectOf(em);
    const [row] = await preparedQuery<PrincipalRow>(
      em,
      `SELECT ${PRINCIPAL_COLUMNS}, k.id AS key_id, k.account_id AS key_account_id, k.permissions AS key_permissions, k.active AS key_active
       FROM api_keys k
       INNER JOIN users u ON u.id = k.created_by_user_id
       LEFT JOIN memberships m ON m.user_id = u.id AND m.account_id = k.account_id
       LEFT JOIN accounts a ON a.id = m.account_id
       WHERE k.id = ${param(d, 1)} AND u.id = ${param(d, 2)}`,
      [keyId, userId],
    );
    return row ?? null;
  }

  /** The principal of a user session, with the user's membership in `accountId` (none when null). */
  async principalOfUser(em: EntityManager, userId: number, accountId: number | null): Promise<PrincipalRow | null> {
    const d = dialectOf(em);
    const [row] = await preparedQuery<PrincipalRow>(
      em,
      `SELECT ${PRINCIPAL_COLUMNS}
       FROM users u
       LEFT JOIN memberships m ON m.user_id = u.id AND m.account_id = ${param(d, 1)}
       LEFT JOIN accounts a ON a.id = m.account_id
       WHERE u.id = ${param(d, 2)}`,
      [accountId ?? -1, userId],
    );
    return row ?? null;
  }
}
