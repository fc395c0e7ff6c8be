import { EntityManager } from 'typeorm';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { PasswordService } from '../auth/password.service';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { Permission, ROLE_PERMISSIONS } from '../auth/permissions/permissions';
import { AccountContext } from '../auth/principal';
import { TransactionService } from '../database/transaction.service';
import { Membership } from './entities/membership.entity';
import { User } from './entities/user.entity';
import { MemberRecord } from './user.mapper';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

const ACTOR = { userId: 1, email: 'admin@example.com', apiKeyId: null };
const account = (permissions: readonly Permission[] = ROLE_PERMISSIONS.admin): AccountContext => ({
  accountId: 4,
  role: 'admin',
  permissions: new Set(permissions),
  duplicateLeadPolicy: 'allow',
});
const ADMIN = account();
const LAST_ADMIN = { error: 'Conflict', message: 'The account must keep at least one active admin: make another member admin first' };

function member(overrides: Partial<Membership> = {}, user: Partial<User> = {}): MemberRecord {
  const u = Object.assign(new User(), { id: 2, email: 'rep@example.com', name: 'Rep', active: true, ...user });
  return Object.assign(new Membership(), {
    id: 10,
    accountId: 4,
    userId: u.id,
    role: 'admin',
    active: true,
    isPrimary: true,
    away: false,
    awayUntil: null,
    createdBy: null,
    updatedBy: null,
    createdAt: new Date('2024-01-01T00:00:00Z'),
    updatedAt: new Date('2024-01-02T00:00:00Z'),
    ...overrides,
    user: u,
  }) as MemberRecord;
}

describe('UsersService', () => {
  const em = {} as EntityManager;
  const tx = { run: (work: (em: EntityManager) => unknown) => work(em), manager: em } as unknown as TransactionService;
  let repo: jest.Mocked<UsersRepository>;
  let keys: jest.Mocked<Pick<ApiKeysRepository, 'deactivateCreatedBy'>>;
  let passwords: jest.Mocked<Pick<PasswordService, 'hash'>>;
  let principals: jest.Mocked<Pick<PrincipalEvictions, 'changed'>>;
  let service: UsersService;

  beforeEach(() => {
    repo = {
      findUserByEmail: jest.fn().mockResolvedValue(null),
      insertUser: jest.fn(async (_em, u) => Object.assign(new User(), { id: 2, ...u })),
      userHasPrimary: jest.fn().mockResolvedValue(false),
      insertMembership: jest.fn(async (_em, accountId, m) =>
        Object.assign(new Membership(), {
          id: 11,
          accountId,
          ...m,
          active: true,
          updatedBy: m.createdBy,
          createdAt: new Date(0),
          updatedAt: new Date(0),
        }),
      ),
      findMember: jest.fn(),
      updateUserName: jest.fn(),
      memberElsewhere: jest.fn().mockResolvedValue(false),
      updateMembership: jest.fn(),
      deleteMembership: jest.fn(),
      lockAccount: jest.fn(),
      countOtherActiveAdmins: jest.fn().mockResolvedValue(0),
    } as unknown as jest.Mocked<UsersRepository>;
    keys = { deactivateCreatedBy: jest.fn() };
    passwords = { hash: jest.fn().mockResolvedValue('$argon2id$h') };
    principals = { changed: jest.fn() };
    service = new UsersService(
      tx,
      repo,
      keys as unknown as ApiKeysRepository,
      passwords as unknown as PasswordService,
      principals as unknown as PrincipalEvictions,
    );
  });

  describe('create', () => {
    it('creates a new user, lower-cased, with a hashed password, as their primary account', async () => {
      const res = await service.create(ADMIN, ACTOR, { email: 'New@Example.com', name: 'New', password: 'pw-123456', role: 'user' });
      expect(passwords.hash).toHaveBeenCalledWith('pw-123456');
      expect(repo.insertUser).toHaveBeenCalledWith(em, { email: 'new@example.com', name: 'New', passwordHash: '$argon2id$h' });
      expect(repo.insertMembership).toHaveBeenCalledWith(em, 4, {
        userId: 2,
        role: 'user',
        isPrimary: true,
        createdBy: 'admin@example.com',
      });
      expect(res).toMatchObject({
        id: 2,
        email: 'new@example.com',
        role: 'user',
        primary: true,
        accountId: '4',
        createdBy: 'admin@example.com',
      });
    });

    it('adds an existing user without touching them, answering as for a new user', async () => {
      repo.findUserByEmail.mockResolvedValue(Object.assign(new User(), { id: 3, email: 'old@example.com', name: 'Old' }));
      repo.userHasPrimary.mockResolvedValue(true);
      const res = await service.create(ADMIN, ACTOR, { email: 'old@example.com', name: 'Other', password: 'pw-123456', role: 'admin' });
      expect(repo.insertUser).not.toHaveBeenCalled();
      expect(repo.updateUserName).not.toHaveBeenCalled();
      // Stored as it is (not primary: they have one), answered without their name or primary account.
      expect(repo.insertMembership).toHaveBeenCalledWith(em, 4, {
        userId: 3,
        role: 'admin',
        isPrimary: false,
        createdBy: 'admin@example.com',
      });
      expect(res).toMatchObject({ id: 3, name: 'Other', primary: true, role: 'admin' });
      // The password is hashed either way (the same time taken), and used for nobody.
      expect(passwords.hash).toHaveBeenCalledWith('pw-123456');
    });

    it('answers an existing user without a name sent with name null, as a new one', async () => {
      repo.findUserByEmail.mockResolvedValue(Object.assign(new User(), { id: 3, email: 'old@example.com', name: 'Old' }));
      repo.userHasPrimary.mockResolvedValue(true);
      const known = await service.create(ADMIN, ACTOR, { email: 'old@example.com', role: 'user' });
      repo.findUserByEmail.mockResolvedValue(null);
      const unknown = await service.create(ADMIN, ACTOR, { email: 'new@example.com', role: 'user' });
      const { id: _a, email: _b, ...knownRest } = known;
      const { id: _c, email: _d, ...unknownRest } = unknown;
      expect(knownRest).toEqual(unknownRest);
      expect(known.name).toBeNull();
    });
  });

  describe('roles the caller does not hold', () => {
    const usersOnly = account(['readUsers', 'writeUsers']);
    const adminRefused = `You cannot grant the admin role: you lack ${ROLE_PERMISSIONS.admin.filter((p) => p !== 'readUsers' && p !== 'writeUsers').join(', ')}`;

    it('cannot be given to a new member (403 naming what is missing), nor the user role without its permissions', async () => {
      await expect(service.create(usersOnly, ACTOR, { email: 'x@example.com', role: 'admin' })).rejects.toMatchObject({
        status: 403,
        response: { error: 'Forbidden', message: adminRefused },
      });
      await expect(service.create(usersOnly, ACTOR, { email: 'x@example.com', role: 'user' })).rejects.toMatchObject({
        status: 403,
        response: {
          error: 'Forbidden',
          message: 'You cannot grant the user role: you lack readLeads, writeLeads, readTeams, readLeadSources, readLeadRotations',
        },
      });
      expect(passwords.hash).not.toHaveBeenCalled();
      expect(repo.insertUser).not.toHaveBeenCalled();
      expect(repo.insertMembership).not.toHaveBeenCalled();
    });

    it('lets a caller holding the user role add and manage users, but not promote, demote, rename or remove an admin', async () => {
      const rep = account(['readUsers', 'writeUsers', ...ROLE_PERMISSIONS.user]);
      await service.create(rep, ACTOR, { email: 'x@example.com', role: 'user' });
      expect(repo.insertMembership).toHaveBeenCalledTimes(1);

      repo.findMember.mockResolvedValue(member({ role: 'user' }));
      await service.update(rep, ACTOR, 2, { active: false });
      await expect(service.update(rep, ACTOR, 2, { role: 'admin' })).rejects.toMatchObject({
        status: 403,
        response: { error: 'Forbidden', message: expect.stringMatching(/^You cannot grant the admin role: you lack writeTeams, /) },
      });

      repo.findMember.mockResolvedValue(member({ role: 'admin' }));
      const manage = {
        status: 403,
        response: {
          error: 'Forbidden',
          message: expect.stringMatching(/^You cannot change or remove a member with the admin role: you lack writeTeams, /),
        },
      };
      for (const dto of [{ role: 'user' as const }, { active: false }, { name: 'Renamed' }]) {
        await expect(service.update(rep, ACTOR, 2, dto)).rejects.toMatchObject(manage);
      }
      await expect(service.remove(rep, ACTOR, 2)).rejects.toMatchObject(manage);
      expect(repo.updateMembership).toHaveBeenCalledTimes(1);
      expect(repo.updateUserName).not.toHaveBeenCalled();
      expect(repo.deleteMembership).not.toHaveBeenCalled();
      expect(keys.deactivateCreatedBy).not.toHaveBeenCalled();
    });
  });

  describe('availability', () => {
    const rep = account(ROLE_PERMISSIONS.user);
    const SELF = { userId: 2, email: 'rep@example.com', apiKeyId: null };
    const MISSING = { status: 403, response: { error: 'Forbidden', message: 'Missing permission: writeUsers' } };

    it('lets a member without writeUsers set their own away and awayUntil, stored as a Date', async () => {
      repo.findMember.mockResolvedValue(member({ role: 'user' }));
      await service.update(rep, SELF, 2, { away: true, awayUntil: '2030-01-01T10:00:00+02:00' });
      expect(repo.updateMembership).toHaveBeenCalledWith(em, 4, 2, {
        role: undefined,
        active: undefined,
        away: true,
        awayUntil: new Date('2030-01-01T08:00:00.000Z'),
        updatedBy: 'rep@example.com',
      });
      await service.update(rep, SELF, 2, { awayUntil: null });
      expect(repo.updateMembership).toHaveBeenLastCalledWith(em, 4, 2, expect.objectContaining({ away: undefined, awayUntil: null }));
      // Availability is not part of a principal: nothing to evict.
      expect(principals.changed).not.toHaveBeenCalled();
    });

    it('needs writeUsers for another user, another field, or an API key, before reading anything', async () => {
      const key = { ...SELF, apiKeyId: 9 };
      for (const [actor, id, dto] of [
        [SELF, 3, { away: true }],
        [SELF, 2, { away: true, name: 'Me' }],
        [SELF, 2, {}],
        [key, 2, { away: true }],
      ] as const) {
        await expect(service.update(rep, actor, id, dto)).rejects.toMatchObject(MISSING);
      }
      expect(repo.findMember).not.toHaveBeenCalled();
      expect(repo.updateMembership).not.toHaveBeenCalled();
    });

    it("lets a caller with writeUsers set another member's availability", async () => {
      repo.findMember.mockResolvedValue(member({ role: 'user' }));
      await service.update(ADMIN, ACTOR, 2, { away: false });
      expect(repo.updateMembership).toHaveBeenCalledWith(
        em,
        4,
        2,
        expect.objectContaining({ away: false, updatedBy: 'admin@example.com' }),
      );
    });
  });

  describe('the last active admin', () => {
    it.each([[{ role: 'user' as const }], [{ active: false }]])('cannot be demoted or deactivated (%j)', async (dto) => {
      repo.findMember.mockResolvedValue(member());
      await expect(service.update(ADMIN, ACTOR, 2, dto)).rejects.toMatchObject({ status: 409, response: LAST_ADMIN });
      expect(repo.lockAccount).toHaveBeenCalledWith(em, 4);
      expect(repo.countOtherActiveAdmins).toHaveBeenCalledWith(em, 4, 2);
      expect(repo.updateMembership).not.toHaveBeenCalled();
    });

    it('cannot be removed', async () => {
      repo.findMember.mockResolvedValue(member());
      await expect(service.remove(ADMIN, ACTOR, 2)).rejects.toMatchObject({ status: 409, response: LAST_ADMIN });
      expect(repo.deleteMembership).not.toHaveBeenCalled();
      expect(keys.deactivateCreatedBy).not.toHaveBeenCalled();
    });

    it('is not checked for members who are not active admins, nor for a rename', async () => {
      repo.findMember.mockResolvedValue(member({ role: 'user' }));
      await service.update(ADMIN, ACTOR, 2, { active: false });
      repo.findMember.mockResolvedValue(member({ active: false }));
      await service.remove(ADMIN, ACTOR, 2);
      repo.findMember.mockResolvedValue(member());
      await service.update(ADMIN, ACTOR, 2, { name: 'Renamed', role: 'admin' });
      expect(repo.countOtherActiveAdmins).not.toHaveBeenCalled();
      expect(repo.updateUserName).toHaveBeenCalledWith(em, 2, 'Renamed');
      expect(principals.changed.mock.calls).toEqual([
        [em, { userId: 2 }],
        [em, { userId: 2 }],
        [em, { userId: 2 }],
      ]);
    });

    it('refuses (409) to rename a user of other accounts too, and changes nothing', async () => {
      repo.findMember.mockResolvedValue(member());
      repo.memberElsewhere.mockResolvedValue(true);
      await expect(service.update(ADMIN, ACTOR, 2, { name: 'Renamed', active: true })).rejects.toMatchObject({
        status: 409,
        response: { error: 'Conflict', message: 'This user also belongs to other accounts: only they can change their name' },
      });
      expect(repo.memberElsewhere).toHaveBeenCalledWith(em, 4, 2);
      expect(repo.updateUserName).not.toHaveBeenCalled();
      expect(repo.updateMembership).not.toHaveBeenCalled();
    });
  });

  it('removes a member, switching off their keys in the account, and answers the member as it was', async () => {
    repo.findMember.mockResolvedValue(member({ role: 'user' }));
    const res = await service.remove(ADMIN, ACTOR, 2);
    expect(keys.deactivateCreatedBy).toHaveBeenCalledWith(em, 4, 2, 'admin@example.com');
    expect(repo.deleteMembership).toHaveBeenCalledWith(em, 4, 2);
    expect(principals.changed).toHaveBeenCalledWith(em, { userId: 2 });
    expect(res).toEqual({
      id: 2,
      email: 'rep@example.com',
      name: 'Rep',
      role: 'user',
      active: true,
      primary: true,
      away: false,
      awayUntil: null,
      accountId: '4',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-02T00:00:00.000Z',
      createdBy: null,
      updatedBy: null,
    });
  });

  it('answers 404 for a user who is not a member of the account', async () => {
    repo.findMember.mockResolvedValue(null);
    await expect(service.get(4, 99)).rejects.toMatchObject({ status: 404, response: { error: 'Not Found', message: 'User not found' } });
    await expect(service.update(ADMIN, ACTOR, 99, { name: 'x' })).rejects.toMatchObject({ status: 404 });
    await expect(service.remove(ADMIN, ACTOR, 99)).rejects.toMatchObject({ status: 404 });
    expect(repo.findMember).toHaveBeenCalledWith(em, 4, 99);
  });
});
