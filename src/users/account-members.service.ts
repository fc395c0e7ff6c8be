import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';

interface MemberRow {
  id: number;
  email: string;
  name: string | null;
  user_active: unknown;
  m_active: unknown;
}

export interface AccountMember {
  id: number;
  email: string;
  name: string | null;
  /** User active and membership active. */
  active: boolean;
}

/**
 * Lookups of "users of the account" shared by teams (members), rotations (emails) and leads
 * (assignedTo, createdBy). Every method takes the account id and the transaction's manager.
 */
@Injectable()
export class AccountMembersService {
  private base(em: EntityManager, accountId: number) {
    return em
      .createQueryBuilder()
      .select('u.id', 'id')
      .addSelect('u.email', 'email')
      .addSelect('u.name', 'name')
      .addSelect('u.active', 'user_active')
      .addSelect('m.active', 'm_active')
      .from(User, 'u')
      .innerJoin(Membership, 'm', 'm.user_id = u.id AND m.account_id = :accountId', { accountId });
  }

  private static toMember(r: MemberRow): AccountMember {
    return { id: Number(r.id), email: r.email, name: r.name, active: !!r.user_active && !!r.m_active };
  }

  /** Members of the account (active or not) among the given user ids, keyed by id. */
  async byIds(em: EntityManager, accountId: number, ids: number[]): Promise<Map<number, AccountMember>> {
    if (!ids.length) return new Map();
    const rows = await this.base(em, accountId).where('u.id IN (:...ids)', { ids: [...new Set(ids)] }).getRawMany();
    return new Map(rows.map((r) => [Number(r.id), AccountMembersService.toMember(r)]));
  }

  /** Members of the account (active or not) among the given emails (matched case-insensitively), keyed by lower-cased email. */
  async byEmails(em: EntityManager, accountId: number, emails: string[]): Promise<Map<string, AccountMember>> {
    const lower = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
    if (!lower.length) return new Map();
    // Fixed text (prepared on PostgreSQL, where the list is one array parameter): POST /leads asks
    // this for every given assignee.
    const pg = em.connection.options.type === 'postgres';
    const rows = await preparedQuery<MemberRow>(
      em,
      `SELECT u.id AS id, u.email AS email, u.name AS name, u.active AS user_active, m.active AS m_active
       FROM users u INNER JOIN memberships m ON m.user_id = u.id AND m.account_id = ${pg ? '$1' : '?'}
       WHERE u.email ${pg ? '= ANY($2)' : `IN (${lower.map(() => '?').join(', ')})`}`,
      pg ? [accountId, lower] : [accountId, ...lower],
    );
    return new Map(rows.map((r) => [String(r.email), AccountMembersService.toMember(r)]));
  }
}
