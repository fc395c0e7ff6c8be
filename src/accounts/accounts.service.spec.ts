import { EntityManager } from 'typeorm';
import { Principal } from '../auth/principal';
import { TransactionService } from '../database/transaction.service';
import { Membership } from '../users/entities/membership.entity';
import { AccountsRepository, MembershipWithAccount } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { Account } from './entities/account.entity';

function membership(accountId: number, role: 'admin' | 'user', isPrimary: boolean, active = true): MembershipWithAccount {
  const account = Object.assign(new Account(), { id: accountId, name: `A${accountId}`, createdAt: new Date(accountId * 1000) });
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

  beforeEach(() => {
    repo = {
      activeMembershipsOfUser: jest.fn().mockResolvedValue([]),
      membershipOfUserInAccount: jest.fn(),
      userHasPrimary: jest.fn().mockResolvedValue(false),
      insertAccount: jest.fn(async (_em, name, createdBy) =>
        Object.assign(new Account(), { id: 12, name, createdBy, createdAt: new Date(0) }),
      ),
      insertMembership: jest.fn(async (_em, m) => Object.assign(new Membership(), m)),
    } as unknown as jest.Mocked<AccountsRepository>;
    service = new AccountsService(tx, repo);
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
});
