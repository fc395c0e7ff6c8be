import { JwtService } from '@nestjs/jwt';
import { EntityManager } from 'typeorm';
import { AccountAccess, AccountsService } from '../accounts/accounts.service';
import { Account } from '../accounts/entities/account.entity';
import { generateApiKeyCredentials } from '../api-keys/api-key-credentials';
import { ApiKey } from '../api-keys/entities/api-key.entity';
import { TransactionService } from '../database/transaction.service';
import { Membership } from '../users/entities/membership.entity';
import { User } from '../users/entities/user.entity';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { PasswordService } from './password.service';
import { Principal } from './principal';

const INVALID = { error: 'Unauthorized', message: 'Invalid credentials' };

function access(accountId: number, role: 'admin' | 'user', primary: boolean, permissions: string[] = []): AccountAccess {
  const account = Object.assign(new Account(), { id: accountId, name: `Account ${accountId}`, createdAt: new Date(0) });
  const membership = Object.assign(new Membership(), { accountId, role, isPrimary: primary, active: true, account });
  return { membership: membership as AccountAccess['membership'], roles: [role], permissions: permissions as never, primary };
}

describe('AuthService', () => {
  const em = {} as EntityManager;
  const tx = { manager: em } as TransactionService;
  const jwt = new JwtService({ secret: 'unit-secret-0123456789-0123456789', signOptions: { algorithm: 'HS256', expiresIn: 3600 } });
  let repo: jest.Mocked<Pick<AuthRepository, 'findUserByEmail' | 'findUserById' | 'findApiKeyByPublicKey'>>;
  let passwords: jest.Mocked<Pick<PasswordService, 'verify'>>;
  let accounts: jest.Mocked<Pick<AccountsService, 'accessOf'>>;
  let service: AuthService;

  const user = Object.assign(new User(), { id: 7, email: 'jane@example.com', passwordHash: 'h', active: true, isSuperAdmin: true });

  beforeEach(() => {
    repo = { findUserByEmail: jest.fn(), findUserById: jest.fn(), findApiKeyByPublicKey: jest.fn() };
    passwords = { verify: jest.fn() };
    accounts = { accessOf: jest.fn().mockResolvedValue([access(1, 'admin', false), access(2, 'user', true, ['readLeads'])]) };
    service = new AuthService(
      tx,
      repo as unknown as AuthRepository,
      passwords as unknown as PasswordService,
      accounts as unknown as AccountsService,
      jwt,
    );
  });

  it('looks the email up lower-cased and answers the session with a signed user token', async () => {
    repo.findUserByEmail.mockResolvedValue(user);
    passwords.verify.mockResolvedValue(true);
    const session = await service.login({ email: ' Jane@Example.COM ', password: 'pw' });
    expect(repo.findUserByEmail).toHaveBeenCalledWith(em, 'jane@example.com');
    expect(passwords.verify).toHaveBeenCalledWith('h', 'pw');
    expect(session).toEqual({
      id: 7,
      email: 'jane@example.com',
      active: true,
      primaryAccount: { accountId: '2', accountName: 'Account 2', usersPrimaryAccount: true, accountAdmin: false },
      accounts: [
        { accountId: '1', accountName: 'Account 1', usersPrimaryAccount: false, accountAdmin: true },
        { accountId: '2', accountName: 'Account 2', usersPrimaryAccount: true, accountAdmin: false },
      ],
      roles: ['superAdmin', 'user'],
      permissions: ['readLeads'],
      token: expect.any(String),
      expiresAt: expect.any(String),
    });
    const payload = jwt.verify(session.token);
    expect(payload).toMatchObject({ sub: '7', typ: 'user' });
    expect(session.expiresAt).toBe(new Date(payload.exp * 1000).toISOString());
  });

  it('verifies a password even when the email is unknown, then answers the one 401', async () => {
    repo.findUserByEmail.mockResolvedValue(null);
    passwords.verify.mockResolvedValue(false);
    await expect(service.login({ email: 'nobody@example.com', password: 'pw' })).rejects.toMatchObject({ response: INVALID, status: 401 });
    expect(passwords.verify).toHaveBeenCalledWith(undefined, 'pw');
  });

  it('answers the same 401 for a wrong password and for an inactive user with the right one', async () => {
    repo.findUserByEmail.mockResolvedValue(user);
    passwords.verify.mockResolvedValue(false);
    await expect(service.login({ email: user.email, password: 'bad' })).rejects.toMatchObject({ response: INVALID });
    repo.findUserByEmail.mockResolvedValue(Object.assign(new User(), { ...user, active: false }));
    passwords.verify.mockResolvedValue(true);
    await expect(service.login({ email: user.email, password: 'pw' })).rejects.toMatchObject({ response: INVALID });
    expect(accounts.accessOf).not.toHaveBeenCalled();
  });

  describe('with an API key', () => {
    const creds = generateApiKeyCredentials();
    const key = Object.assign(new ApiKey(), {
      id: 3,
      key: creds.key,
      secretHash: creds.secretHash,
      accountId: 2,
      createdByUserId: 7,
      active: true,
      permissions: ['readLeads'],
    });

    it("answers the key's session with a key token", async () => {
      repo.findApiKeyByPublicKey.mockResolvedValue(key);
      repo.findUserById.mockResolvedValue(user);
      accounts.accessOf.mockResolvedValue([{ ...access(2, 'admin', true, ['readLeads']), roles: ['apiKey'] }]);
      const session = await service.login({ apiKey: creds.key, apiSecret: creds.secret });
      expect(accounts.accessOf).toHaveBeenCalledWith({ userId: 7, apiKey: { accountId: 2, permissions: ['readLeads'] } });
      expect(session).toMatchObject({
        id: 7,
        roles: ['apiKey'],
        permissions: ['readLeads'],
        primaryAccount: { accountId: '2', usersPrimaryAccount: true },
        apiKeyId: 3,
      });
      expect(jwt.verify(session.token)).toMatchObject({ sub: '7', typ: 'key', kid: 3 });
    });

    it.each([
      ['an unknown key', null, user, [access(2, 'admin', true)], creds.secret],
      ['a wrong secret', key, user, [access(2, 'admin', true)], 'wrong'],
      ['an inactive key', Object.assign(new ApiKey(), { ...key, active: false }), user, [access(2, 'admin', true)], creds.secret],
      ['an inactive creator', key, Object.assign(new User(), { ...user, active: false }), [access(2, 'admin', true)], creds.secret],
      ['a creator without an active membership', key, user, [], creds.secret],
    ])('answers the one 401 for %s', async (_, k, u, acc, secret) => {
      repo.findApiKeyByPublicKey.mockResolvedValue(k as ApiKey | null);
      repo.findUserById.mockResolvedValue(u);
      accounts.accessOf.mockResolvedValue(acc);
      await expect(service.login({ apiKey: creds.key, apiSecret: secret })).rejects.toMatchObject({ response: INVALID, status: 401 });
    });
  });

  it('echoes the token and expiry of the current principal', async () => {
    const principal: Principal = {
      kind: 'user',
      userId: 7,
      email: 'jane@example.com',
      name: null,
      isSuperAdmin: false,
      apiKeyId: null,
      apiKeyAccountId: null,
      apiKeyPermissions: null,
      token: 'the-token',
      expiresAt: new Date('2030-01-01T00:00:00.000Z'),
      membership: null,
    };
    const session = await service.session(principal);
    expect(session).toMatchObject({
      token: 'the-token',
      expiresAt: '2030-01-01T00:00:00.000Z',
      roles: ['user'],
      primaryAccount: { accountId: '2', usersPrimaryAccount: true },
    });
    expect(session).not.toHaveProperty('apiKeyId');
  });
});
