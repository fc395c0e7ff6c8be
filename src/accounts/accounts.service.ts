import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { effectiveKeyPermissions, Permission, ROLE_PERMISSIONS } from '../auth/permissions/permissions';
import { Principal } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { TransactionService } from '../database/transaction.service';
import { MembershipWithAccount, AccountsRepository } from './accounts.repository';
import { AccountResponseDto, CreateAccountDto } from './dto/account.dto';

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
    usersPrimaryAccount: a.primary,
    accountAdmin: a.membership.role === 'admin',
    roles: a.roles,
    permissions: a.permissions,
    createdAt: a.membership.account.createdAt.toISOString(),
  };
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: AccountsRepository,
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
      return toAccountResponse({
        membership: Object.assign(membership, { account }),
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        primary: !hasPrimary,
      });
    });
  }
}

export function subjectOf(p: Principal): AccessSubject {
  return {
    userId: p.userId,
    apiKey: p.kind === 'apiKey' ? { accountId: p.apiKeyAccountId as number, permissions: p.apiKeyPermissions ?? [] } : null,
  };
}
