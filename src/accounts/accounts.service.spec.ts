import { EntityManager } from 'typeorm';
import { ROLE_PERMISSIONS } from '../auth/permissions/permissions';
import { Principal } from '../auth/principal';
import { PrincipalEvictions } from '../auth/principal-evictions.service';
import { TransactionService } from '../database/transaction.service';
import { Membership } from '../users/entities/membership.entity';
import { AccountsRepository, MembershipWithAccount } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { Account } from './entities/account.entity';

function membership(accountId: number, role: 'admin' | 'user', isPrimary: boolean, active = true): MembershipWithAccount {
  const account = Object.assign(new Account(), {
    id: accountId,
    name: `A${accountId}`,
    timeZone: 'UTC',
    createdAt: new Date(accountId * 1000),
  });
  return Object.assign(new Membership(), { accountId, role, isPrimary, active, account }) as MembershipWithAccount;
}

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  userId: 7,
  email: 'jane@example.com',
  name: null,
  isSuperAdmin: true,
  apiKeyId: null,
  apiKeyAccountId: null,
  apiKeyPermissions: null,
  token: 't',
  expiresAt: new Date(0),
  membership: null,
  ...overrides,
});

describe('AccountsService', () => {
  const em = {} as EntityManager;
  const tx = { run: (work: (em: EntityManager) => unknown) => work(em), manager: em } as unknown as TransactionService;
  let repo: jest.Mocked<AccountsRepository>;
  let service: AccountsService;
  let principals: jest.Mocked<Pick<PrincipalEvictions, 'changed'>>;

  beforeEach(() => {
    repo = {
      activeMembershipsOfUser: jest.fn().mockResolvedValue([]),
      membershipOfUserInAccount: jest.fn(),
      userHasPrimary: jest.fn().mockResolvedValue(false),
      insertAccount: jest.fn(async (_em, name, createdBy) =>
        Object.assign(new Account(), { id: 12, name, createdBy, createdAt: new Date(0) }),
      ),
      insertMembership: jest.fn(async (_em, m) => Object.assign(new Membership(), m)),
      findAccount: jest.fn(async (_em, id) =>
        Object.assign(new Account(), { id, name: `A${id}`, timeZone: 'UTC', createdAt: new Date(id * 1000) }),
      ),
      updateAccount: jest.fn(),
    } as unknown as jest.Mocked<AccountsRepository>;
    principals = { changed: jest.fn() };
    service = new AccountsService(tx, repo, principals as unknown as PrincipalEvictions);
  });

  it('marks the primary membership, or the oldest active one when none is flagged', async () => {
    repo.activeMembershipsOfUser.mockResolvedValue([membership(1, 'user', false), membership(2, 'admin', true)]);
    const flagged = await service.accessOf({ userId: 7, apiKey: null });
    expect(flagged.map((a) => [a.membership.accountId, a.primary, a.roles])).toEqual([
      [1, false, ['user']],
      [2, true, ['admin']],
    ]);
    repo.activeMembershipsOfUser.mockResolvedValue([membership(1, 'user', false), membership(3, 'admin', false)]);
    const fallback = await service.accessOf({ userId: 7, apiKey: null });
    expect(fallback.map((a) => a.primary)).toEqual([true, false]);
  });

  it("gives a key only its account, with the key's permissions cut to the creator's role", async () => {
    repo.membershipOfUserInAccount.mockResolvedValue(membership(2, 'user', false));
    const access = await service.accessOf({ userId: 7, apiKey: { accountId: 2, permissions: ['readLeads', 'writeUsers', 'bogus'] } });
    expect(repo.membershipOfUserInAccount).toHaveBeenCalledWith(em, 7, 2);
    expect(access).toEqual([expect.objectContaining({ roles: ['apiKey'], permissions: ['readLeads'], primary: true })]);
    repo.membershipOfUserInAccount.mockResolvedValue(membership(2, 'admin', false, false));
    await expect(service.accessOf({ userId: 7, apiKey: { accountId: 2, permissions: ['readLeads'] } })).resolves.toEqual([]);
  });

  it('creates an account administered by the superAdmin, primary when they had none', async () => {
    const res = await service.create(principal(), { name: 'New' });
    expect(repo.insertAccount).toHaveBeenCalledWith(em, 'New', 'jane@example.com');
    expect(repo.insertMembership).toHaveBeenCalledWith(em, {
      accountId: 12,
      userId: 7,
      role: 'admin',
      isPrimary: true,
      createdBy: 'jane@example.com',
    });
    expect(res).toMatchObject({ accountId: '12', accountName: 'New', usersPrimaryAccount: true, accountAdmin: true, roles: ['admin'] });
  });

  it('refuses anyone but a superAdmin user session', async () => {
    const forbidden = {
      status: 403,
      response: { error: 'Forbidden', message: 'Only a platform administrator (superAdmin) can create accounts' },
    };
    await expect(service.create(principal({ isSuperAdmin: false }), { name: 'x' })).rejects.toMatchObject(forbidden);
    await expect(service.create(principal({ kind: 'apiKey', apiKeyId: 1, apiKeyAccountId: 2 }), { name: 'x' })).rejects.toMatchObject(
      forbidden,
    );
    expect(repo.insertAccount).not.toHaveBeenCalled();
  });

  describe('update', () => {
    const user = principal({ isSuperAdmin: false });

    it("changes an admin's account and answers it as GET /accounts does", async () => {
      repo.activeMembershipsOfUser.mockResolvedValue([membership(1, 'user', true), membership(2, 'admin', false)]);
      repo.findAccount.mockResolvedValueOnce(
        Object.assign(new Account(), { id: 2, name: 'Renamed', timeZone: 'Europe/Berlin', createdAt: new Date(2000) }),
      );
      const res = await service.update(user, 2, { name: 'Renamed', timeZone: 'Europe/Berlin' });
      expect(repo.updateAccount).toHaveBeenCalledWith(em, 2, { name: 'Renamed', timeZone: 'Europe/Berlin' });
      // Neither the name nor the time zone is part of a principal.
      expect(principals.changed).not.toHaveBeenCalled();
      await service.update(user, 2, { duplicateLeadPolicy: 'reject' });
      expect(principals.changed).toHaveBeenCalledWith(em, { accountId: 2 });
      expect(res).toEqual({
        accountId: '2',
        accountName: 'Renamed',
        timeZone: 'Europe/Berlin',
        usersPrimaryAccount: false,
        accountAdmin: true,
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        createdAt: new Date(2000).toISOString(),
      });
    });

    it('refuses a time zone Intl does not know (400 naming the field) and changes nothing', async () => {
      repo.activeMembershipsOfUser.mockResolvedValue([membership(2, 'admin', true)]);
      await expect(service.update(user, 2, { name: 'x', timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
        status: 400,
        response: {
          error: 'timeZone must be an IANA time zone name',
          details: [{ field: 'timeZone', message: 'must be an IANA time zone name' }],
        },
      });
      expect(repo.updateAccount).not.toHaveBeenCalled();
    });

    it("answers 404 for an account that is not the caller's, 403 to a member who is not its admin and to API keys", async () => {
      repo.activeMembershipsOfUser.mockResolvedValue([membership(1, 'user', true)]);
      await expect(service.update(user, 3, { timeZone: 'UTC' })).rejects.toMatchObject({
        status: 404,
        response: { error: 'Not Found', message: 'Account not found' },
      });
      await expect(service.update(user, 1, { timeZone: 'UTC' })).rejects.toMatchObject({
        status: 403,
        response: { error: 'Forbidden', message: 'Only an admin of this account can change it' },
      });
      await expect(service.update(principal({ kind: 'apiKey', apiKeyId: 1, apiKeyAccountId: 1 }), 1, {})).rejects.toMatchObject({
        status: 403,
        response: { error: 'Forbidden', message: 'API keys cannot change accounts' },
      });
      expect(repo.updateAccount).not.toHaveBeenCalled();
    });

    it('lets a superAdmin change any existing account, answering it without a role there', async () => {
      const res = await service.update(principal(), 5, { timeZone: 'Asia/Tokyo' });
      expect(repo.updateAccount).toHaveBeenCalledWith(em, 5, { name: undefined, timeZone: 'Asia/Tokyo' });
      expect(res).toMatchObject({ accountId: '5', usersPrimaryAccount: false, accountAdmin: false, roles: [], permissions: [] });
      repo.findAccount.mockResolvedValueOnce(null);
      await expect(service.update(principal(), 6, { timeZone: 'UTC' })).rejects.toMatchObject({ status: 404 });
      expect(repo.updateAccount).toHaveBeenCalledTimes(1);
    });
  });
});
