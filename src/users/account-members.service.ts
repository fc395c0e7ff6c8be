import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccountMemberRow, AccountMembersRepository } from './account-members.repository';
import { normalizeEmail } from '../common/email';

export interface AccountMember {
  id: number;
  email: string;
  name: string | null;
  /** User active and membership active. */
  active: boolean;
}

const toMember = (r: AccountMemberRow): AccountMember => ({
  id: Number(r.id),
  email: r.email,
  name: r.name,
  active: !!r.user_active && !!r.m_active,
});

/**
 * Lookups of "users of the account" shared by teams (members), rotations (emails) and leads
 * (assignedTo, createdBy). Every method takes the account id and the transaction's manager.
 */
@Injectable()
export class AccountMembersService {
  // The repository holds no state: callers without a container may construct the service bare.
  constructor(private readonly repo: AccountMembersRepository = new AccountMembersRepository()) {}

  /** Members of the account (active or not) among the given user ids, keyed by id. */
  async byIds(em: EntityManager, accountId: number, ids: number[]): Promise<Map<number, AccountMember>> {
    if (!ids.length) return new Map();
    const rows = await this.repo.findByIds(em, accountId, [...new Set(ids)]);
    return new Map(rows.map((r) => [Number(r.id), toMember(r)]));
  }

  /** Members of the account (active or not) among the given emails (matched case-insensitively), keyed by lower-cased email. */
  async byEmails(em: EntityManager, accountId: number, emails: string[]): Promise<Map<string, AccountMember>> {
    const lower = [...new Set(emails.map((e) => normalizeEmail(e)))];
    if (!lower.length) return new Map();
    const rows = await this.repo.findByEmails(em, accountId, lower);
    return new Map(rows.map((r) => [String(r.email), toMember(r)]));
  }
}
