import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { effectiveKeyPermissions, Permission, ROLE_PERMISSIONS } from '../auth/permissions/permissions';
import { Principal } from '../auth/principal';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { ApiError } from '../common/errors/api-error';
import { TransactionService } from '../database/transaction.service';
import { MembershipWithAccount, AccountsRepository } from './accounts.repository';
import { AccountResponseDto, CreateAccountDto, UpdateAccountDto } from './dto/account.dto';
import { Account } from './entities/account.entity';
import { isTimeZoneName } from './time-zone';

/** One account the caller can act in, with what they may do there. */
export interface AccountAccess {
  membership: MembershipWithAccount;
  roles: string[];
  permissions: Permission[];
  /** The caller's primary account (see `accessOf`). */
  primary: boolean;
}

/** Who is asking: a user, or a user acting through one of their API keys. */
export interface AccessSubject {
  userId: number;
  apiKey: { accountId: number; permissions: readonly unknown[] } | null;
}

export function toAccountResponse(a: AccountAccess): AccountResponseDto {
  return {
    accountId: String(a.membership.accountId),
    accountName: a.membership.account.name,
    timeZone: a.membership.account.timeZone,
    duplicateLeadPolicy: a.membership.account.duplicateLeadPolicy,
    usersPrimaryAccount: a.primary,
    accountAdmin: a.membership.role === 'admin',
    roles: a.roles,
    permissions: a.permissions,
    createdAt: a.membership.account.createdAt.toISOString(),
  };
}

/** An account as seen by a platform administrator who is not an active member of it: no role there. */
function toOutsiderAccountResponse(account: Account): AccountResponseDto {
  return {
    accountId: String(account.id),
    accountName: account.name,
    timeZone: account.timeZone,
    duplicateLeadPolicy: account.duplicateLeadPolicy,
    usersPrimaryAccount: false,
    accountAdmin: false,
    roles: [],
    permissions: [],
    createdAt: account.createdAt.toISOString(),
  };
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AccountsRepository,
    private readonly principals: PrincipalEvictions,
  ) {}

  /**
   * The accounts a subject can act in. A user: their active memberships; the primary one is the
   * membership flagged primary, or their oldest active membership when that one is inactive or gone
   * (so a session always has a primary account while the user has any). An API key: only its own
   * account (which is then its primary), with the key's permissions cut down to the creator's role.
   */
  async accessOf(subject: AccessSubject, em: EntityManager = this.tx.manager): Promise<AccountAccess[]> {
    if (subject.apiKey) {
      const m = await this.repo.membershipOfUserInAccount(em, subject.userId, subject.apiKey.accountId);
      if (!m?.active) return [];
      return [
        { membership: m, roles: ['apiKey'], permissions: effectiveKeyPermissions(subject.apiKey.permissions, m.role), primary: true },
      ];
    }
    const memberships = await this.repo.activeMembershipsOfUser(em, subject.userId);
    const primary = memberships.find((m) => m.isPrimary) ?? memberships[0];
    return memberships.map((m) => ({
      membership: m,
      roles: [m.role],
      permissions: [...ROLE_PERMISSIONS[m.role]],
      primary: m === primary,
    }));
  }

  async list(principal: Principal): Promise<AccountResponseDto[]> {
    const access = await this.accessOf(subjectOf(principal));
    return access.map(toAccountResponse);
  }

  /** Creates an account whose first admin is the caller (primary when they had no primary account). */
  async create(principal: Principal, dto: CreateAccountDto): Promise<AccountResponseDto> {
    if (principal.kind !== 'user' || !principal.isSuperAdmin) {
      throw ApiError.forbidden('Only a platform administrator (superAdmin) can create accounts');
    }
    return this.tx.run(async (em) => {
      const account = await this.repo.insertAccount(em, dto.name, principal.email);
      const hasPrimary = await this.repo.userHasPrimary(em, principal.userId);
      const membership = await this.repo.insertMembership(em, {
        accountId: account.id,
        userId: principal.userId,
        role: 'admin',
        isPrimary: !hasPrimary,
        createdBy: principal.email,
      });
      await this.principals.changed(em, { userId: principal.userId });
      return toAccountResponse({
        membership: Object.assign(membership, { account }),
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        primary: !hasPrimary,
      });
    });
  }

  /**
   * Changes an account's name, time zone or duplicate policy and answers it as the caller sees it (as in GET /accounts).
   * Allowed to an admin of the account in a user session, and to platform administrators (superAdmin)
   * in any account. An account that is not one of the caller's (no active membership) is a 404, as
   * another account's record is anywhere else; a member who is not its admin gets a 403. API keys
   * never change accounts (403): no key permission covers it.
   */
  async update(principal: Principal, accountId: number, dto: UpdateAccountDto): Promise<AccountResponseDto> {
    if (principal.kind !== 'user') throw ApiError.forbidden('API keys cannot change accounts');
    return this.tx.run(async (em) => {
      const access = (await this.accessOf(subjectOf(principal), em)).find((a) => a.membership.accountId === accountId);
      if (!principal.isSuperAdmin) {
        if (!access) throw ApiError.notFound('Account');
        if (access.membership.role !== 'admin') throw ApiError.forbidden('Only an admin of this account can change it');
      } else if (!access && !(await this.repo.findAccount(em, accountId))) {
        throw ApiError.notFound('Account');
      }
      if (dto.timeZone !== undefined && !isTimeZoneName(dto.timeZone)) {
        throw ApiError.invalidField('timeZone', 'must be an IANA time zone name');
      }
      const changes = { name: dto.name, timeZone: dto.timeZone, duplicateLeadPolicy: dto.duplicateLeadPolicy };
      if (Object.values(changes).some((v) => v !== undefined)) await this.repo.updateAccount(em, accountId, changes);
      // Principals carry the account's duplicate policy.
      if (dto.duplicateLeadPolicy !== undefined) await this.principals.changed(em, { accountId });
      const account = (await this.repo.findAccount(em, accountId)) as Account;
      return access
        ? toAccountResponse({ ...access, membership: Object.assign(access.membership, { account }) })
        : toOutsiderAccountResponse(account);
    });
  }
}

export function subjectOf(p: Principal): AccessSubject {
  return {
    userId: p.userId,
    apiKey: p.kind === 'apiKey' ? { accountId: p.apiKeyAccountId as number, permissions: p.apiKeyPermissions ?? [] } : null,
  };
}
