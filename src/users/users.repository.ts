import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Account } from '../accounts/entities/account.entity';
import { forUpdate } from '../database/locking';
import { TeamMember } from '../teams/entities/team-member.entity';
import { Membership, MembershipRole } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { MemberRecord } from './user.mapper';

export interface MemberFilters {
  role?: MembershipRole;
  active?: boolean;
}

/** Users as members of one account: every method takes the account id and filters by it. */
@Injectable()
export class UsersRepository {
  private members(em: EntityManager, accountId: number): SelectQueryBuilder<Membership> {
    return em.createQueryBuilder(Membership, 'm').innerJoinAndSelect('m.user', 'u').where('m.account_id = :accountId', { accountId });
  }

  /** The list query (filters applied); the caller paginates it. */
  listQuery(em: EntityManager, accountId: number, filters: MemberFilters): SelectQueryBuilder<Membership> {
    const qb = this.members(em, accountId);
    if (filters.role !== undefined) qb.andWhere('m.role = :role', { role: filters.role });
    if (filters.active !== undefined) qb.andWhere('m.active = :active', { active: filters.active });
    return qb;
  }

  async findMember(em: EntityManager, accountId: number, userId: number): Promise<MemberRecord | null> {
    return (await this.members(em, accountId).andWhere('m.user_id = :userId', { userId }).getOne()) as MemberRecord | null;
  }

  /** `email` must already be lower-cased. Users are platform-wide: this finds them in any account. */
  findUserByEmail(em: EntityManager, email: string): Promise<User | null> {
    return em.findOne(User, { where: { email } });
  }

  insertUser(em: EntityManager, u: { email: string; name: string | null; passwordHash: string | null }): Promise<User> {
    return em.save(em.create(User, { ...u, active: true, isSuperAdmin: false }));
  }

  updateUserName(em: EntityManager, userId: number, name: string | null): Promise<unknown> {
    return em.update(User, { id: userId }, { name });
  }

  /** Whether the user is also a member of an account other than `accountId`. */
  async memberElsewhere(em: EntityManager, accountId: number, userId: number): Promise<boolean> {
    return (
      (await em
        .createQueryBuilder(Membership, 'm')
        .where('m.user_id = :userId AND m.account_id <> :accountId', { userId, accountId })
        .getCount()) > 0
    );
  }

  async userHasPrimary(em: EntityManager, userId: number): Promise<boolean> {
    return (await em.count(Membership, { where: { userId, isPrimary: true } })) > 0;
  }

  insertMembership(
    em: EntityManager,
    accountId: number,
    m: { userId: number; role: MembershipRole; isPrimary: boolean; createdBy: string },
  ): Promise<Membership> {
    return em.save(
      em.create(Membership, {
        accountId,
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

  async updateMembership(
    em: EntityManager,
    accountId: number,
    userId: number,
    changes: { role?: MembershipRole; active?: boolean; away?: boolean; awayUntil?: Date | null; updatedBy: string },
  ): Promise<void> {
    // updatedBy is always set, so updated_at moves even when only the user's name changed.
    await em
      .createQueryBuilder()
      .update(Membership)
      .set(changes)
      .where('account_id = :accountId AND user_id = :userId', { accountId, userId })
      .execute();
  }

  /** Removes the membership and the user's places on the account's teams (other accounts' teams are untouched). */
  async deleteMembership(em: EntityManager, accountId: number, userId: number): Promise<void> {
    await em
      .createQueryBuilder()
      .delete()
      .from(TeamMember)
      .where('user_id = :userId', { userId })
      .andWhere('team_id IN (SELECT t.id FROM teams t WHERE t.account_id = :accountId)', { accountId })
      .execute();
    await em.delete(Membership, { accountId, userId });
  }

  /** Locks the account row, serializing the changes that could leave the account without an admin. */
  async lockAccount(em: EntityManager, accountId: number): Promise<void> {
    await forUpdate(em.createQueryBuilder(Account, 'a').select('a.id').where('a.id = :accountId', { accountId })).getOne();
  }

  /** Active admins of the account (active membership of an active user), other than `exceptUserId`. */
  countOtherActiveAdmins(em: EntityManager, accountId: number, exceptUserId: number): Promise<number> {
    return this.members(em, accountId)
      .andWhere("m.role = 'admin'")
      .andWhere('m.active = :active AND u.active = :active', { active: true })
      .andWhere('m.user_id <> :exceptUserId', { exceptUserId })
      .getCount();
  }
}
