import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { PasswordService } from '../auth/password.service';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { permissionsNotHeld, ROLE_PERMISSIONS } from '../auth/permissions/permissions';
import { missingPermissions } from '../auth/permissions/permissions';
import { AccountContext, Actor } from '../auth/principal';
import { ApiError } from '../common/errors/api-error';
import { ListSpec, Page, paginate } from '../common/list/paginate';
import { TransactionService } from '../database/transaction.service';
import { isOwnAvailabilityChange } from './availability';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, USER_SORT_FIELDS, UserResponseDto } from './dto/user.dto';
import { MembershipRole } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { MemberRecord, toUserResponse } from './user.mapper';
import { UsersRepository } from './users.repository';
import { normalizeEmail } from '../common/email';

export const USER_LIST_SPEC: ListSpec = {
  sortable: {
    id: 'u.id',
    email: 'u.email',
    name: 'u.name',
    role: 'm.role',
    active: 'm.active',
    createdAt: 'm.created_at',
  } satisfies Record<(typeof USER_SORT_FIELDS)[number], string>,
  searchable: ['u.email', 'u.name'],
  defaultSort: 'id',
  idColumn: 'u.id',
  nullable: ['u.name'],
};

@Injectable()
export class UsersService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: UsersRepository,
    private readonly apiKeys: ApiKeysRepository,
    private readonly passwords: PasswordService,
    private readonly principals: PrincipalEvictions,
  ) {}

  list(accountId: number, query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const qb = this.repo.listQuery(this.tx.manager, accountId, { role: query.role, active: query.active });
    return paginate(qb, query, USER_LIST_SPEC, (m) => toUserResponse(m as MemberRecord));
  }

  async get(accountId: number, userId: number): Promise<UserResponseDto> {
    return toUserResponse(await this.member(this.tx.manager, accountId, userId));
  }

  /**
   * Adds a user to the account, creating the user when the email is new. The answer is the same
   * whether the email was known or not, and shows nothing from outside this account: an existing
   * user keeps their name and password (a password sent is ignored: it would change how they log in
   * to every other account), and the answer shows the name sent and `primary: true`, as a new user's
   * would. The first membership a user gets is their primary.
   */
  async create(account: AccountContext, actor: Actor, dto: CreateUserDto): Promise<UserResponseDto> {
    requireRole(account, dto.role, toGrant(dto.role));
    const email = normalizeEmail(dto.email);
    // Hashed before the transaction (argon2 is deliberately slow and must not hold it open), and
    // whether or not the user exists, so the time taken tells nothing either.
    const passwordHash = dto.password !== undefined ? await this.passwords.hash(dto.password) : null;
    return this.tx.run(async (em) => {
      const name = dto.name ?? null;
      const user = (await this.repo.findUserByEmail(em, email)) ?? (await this.repo.insertUser(em, { email, name, passwordHash }));
      const isPrimary = !(await this.repo.userHasPrimary(em, user.id));
      // An existing membership hits the unique index: 409 "This user is already a member of the account".
      const membership = await this.repo.insertMembership(em, account.accountId, {
        userId: user.id,
        role: dto.role,
        isPrimary,
        createdBy: actor.email,
      });
      // The user's cached principal in this account (not a member) would keep refusing them.
      await this.principals.changed(em, { userId: user.id });
      return toUserResponse(Object.assign(membership, { isPrimary: true, user: Object.assign(new User(), user, { name }) }));
    });
  }

  /**
   * `name` is the user's own; `role`, `active`, `away` and `awayUntil` are their membership in this
   * account. Needs `writeUsers`, except for a member setting their own availability (`isOwnAvailabilityChange`);
   * the route declares no permission for the guard, so this is where it is enforced, before any read.
   */
  async update(account: AccountContext, actor: Actor, userId: number, dto: UpdateUserDto): Promise<UserResponseDto> {
    if (!account.permissions.has('writeUsers') && !isOwnAvailabilityChange(actor, userId, dto)) {
      throw missingPermissions(['writeUsers']);
    }
    const { accountId } = account;
    return this.tx.run(async (em) => {
      const current = await this.member(em, accountId, userId);
      requireRole(account, current.role, toManage(current.role));
      if (dto.role !== undefined) requireRole(account, dto.role, toGrant(dto.role));
      const losesAdmin = (dto.role !== undefined && dto.role !== 'admin') || dto.active === false;
      if (losesAdmin) await this.keepAnAdmin(em, accountId, current);
      if (dto.name !== undefined && dto.name !== current.user.name) {
        // The name is the user's, seen by every account they belong to: one account's admin may not
        // change what the others see (as POST /users never changes an existing user's name).
        if (userId !== actor.userId && (await this.repo.memberElsewhere(em, accountId, userId))) {
          throw ApiError.conflict('This user also belongs to other accounts: only they can change their name');
        }
        await this.repo.updateUserName(em, userId, dto.name);
      }
      await this.repo.updateMembership(em, accountId, userId, {
        role: dto.role,
        active: dto.active,
        away: dto.away,
        awayUntil: dto.awayUntil === undefined || dto.awayUntil === null ? dto.awayUntil : new Date(dto.awayUntil),
        updatedBy: actor.email,
      });
      // Availability is not part of a principal; the role, the membership's state and the name are.
      if (dto.role !== undefined || dto.active !== undefined || dto.name !== undefined) {
        await this.principals.changed(em, { userId });
      }
      return toUserResponse(await this.member(em, accountId, userId));
    });
  }

  /**
   * Removes the user from the account (the user and their other memberships stay) and answers the
   * membership as it was. API keys they created in the account are switched off: they could no
   * longer act, and must not come back to life if the user is added again.
   */
  async remove(account: AccountContext, actor: Actor, userId: number): Promise<UserResponseDto> {
    const { accountId } = account;
    return this.tx.run(async (em) => {
      const current = await this.member(em, accountId, userId);
      requireRole(account, current.role, toManage(current.role));
      await this.keepAnAdmin(em, accountId, current);
      await this.apiKeys.deactivateCreatedBy(em, accountId, userId, actor.email);
      await this.repo.deleteMembership(em, accountId, userId);
      await this.principals.changed(em, { userId });
      return toUserResponse(current);
    });
  }

  private async member(em: EntityManager, accountId: number, userId: number): Promise<MemberRecord> {
    const m = await this.repo.findMember(em, accountId, userId);
    if (!m) throw ApiError.notFound('User');
    return m;
  }

  /** 409 when taking this member out of the admins would leave the account with no active admin. */
  private async keepAnAdmin(em: EntityManager, accountId: number, member: MemberRecord): Promise<void> {
    if (member.role !== 'admin' || !member.active || !member.user.active) return;
    await this.repo.lockAccount(em, accountId);
    if ((await this.repo.countOtherActiveAdmins(em, accountId, member.userId)) === 0) {
      throw ApiError.conflict('The account must keep at least one active admin: make another member admin first');
    }
  }
}

/**
 * 403 unless the caller holds every permission of `role`. Nobody makes a user more than they are
 * themselves, and a caller who could not have made a member what they are may not demote,
 * deactivate, rename or remove them either (else a narrow key could lock the account's admins out).
 */
function requireRole(account: AccountContext, role: MembershipRole, refused: string): void {
  const missing = permissionsNotHeld(account.permissions, ROLE_PERMISSIONS[role]);
  if (missing.length) throw ApiError.forbidden(`${refused}: you lack ${missing.join(', ')}`);
}

const toGrant = (role: MembershipRole) => `You cannot grant the ${role} role`;
const toManage = (role: MembershipRole) => `You cannot change or remove a member with the ${role} role`;
