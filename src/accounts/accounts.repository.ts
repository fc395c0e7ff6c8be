import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Membership, MembershipRole } from '../users/entities/membership.entity';
import { Account, DEFAULT_TIME_ZONE, DuplicateLeadPolicy } from './entities/account.entity';

/** A membership with its account loaded. */
export type MembershipWithAccount = Membership & { account: Account };

/** Accounts and the caller's memberships in them. */
@Injectable()
export class AccountsRepository {
  /** The user's active memberships with their accounts, oldest first. */
  activeMembershipsOfUser(em: EntityManager, userId: number): Promise<MembershipWithAccount[]> {
    return em.find(Membership, {
      where: { userId, active: true },
      relations: { account: true },
      order: { createdAt: 'ASC', id: 'ASC' },
    }) as Promise<MembershipWithAccount[]>;
  }

  /** The user's membership (active or not) in one account, with the account. */
  membershipOfUserInAccount(em: EntityManager, userId: number, accountId: number): Promise<MembershipWithAccount | null> {
    return em.findOne(Membership, {
      where: { userId, accountId },
      relations: { account: true },
    }) as Promise<MembershipWithAccount | null>;
  }

  /** Whether the user already has a primary account (active or not). */
  async userHasPrimary(em: EntityManager, userId: number): Promise<boolean> {
    return (await em.count(Membership, { where: { userId, isPrimary: true } })) > 0;
  }

  insertAccount(em: EntityManager, name: string, createdBy: string | null): Promise<Account> {
    return em.save(em.create(Account, { name, timeZone: DEFAULT_TIME_ZONE, createdBy }));
  }

  findAccount(em: EntityManager, accountId: number): Promise<Account | null> {
    return em.findOne(Account, { where: { id: accountId } });
  }

  async updateAccount(
    em: EntityManager,
    accountId: number,
    changes: { name?: string; timeZone?: string; duplicateLeadPolicy?: DuplicateLeadPolicy },
  ): Promise<void> {
    await em.createQueryBuilder().update(Account).set(changes).where('id = :accountId', { accountId }).execute();
  }

  insertMembership(
    em: EntityManager,
    m: { accountId: number; userId: number; role: MembershipRole; isPrimary: boolean; createdBy: string | null },
  ): Promise<Membership> {
    return em.save(
      em.create(Membership, {
        accountId: m.accountId,
        userId: m.userId,
        role: m.role,
        active: true,
        isPrimary: m.isPrimary,
        away: false,
        awayUntil: null,
        createdBy: m.createdBy,
        updatedBy: m.createdBy,
      }),
    );
  }
}
