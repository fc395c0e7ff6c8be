import { randomBytes } from 'node:crypto';
import { Account } from '../../src/accounts/entities/account.entity';
import { PrincipalEvictions } from '../../src/auth/principal-evictions.service';
import { Membership, MembershipRole } from '../../src/users/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { TestApp } from './test-app';

export const uniq = (prefix = 'x') => `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export interface TestUser {
  user: User;
  token: string;
  /** Authorization header only. */
  auth: Record<string, string>;
}

export interface Tenant {
  account: Account;
  accountId: string;
  admin: TestUser;
  /** Authorization + x-account-id headers of the account's admin. */
  headers: Record<string, string>;
  /** Headers for another user of the account. */
  headersFor: (u: TestUser) => Record<string, string>;
}

/** Creates users and accounts directly in the database, so tests of one module need no other module. */
export class Fixtures {
  constructor(private readonly t: TestApp) {}

  async account(name = uniq('Account ')): Promise<Account> {
    return this.t.tx.run((em) => em.save(em.create(Account, { name, createdBy: null })));
  }

  async user(opts: { email?: string; name?: string; superAdmin?: boolean; active?: boolean; passwordHash?: string } = {}) {
    const email = (opts.email ?? `${uniq('user')}@example.com`).toLowerCase();
    const user = await this.t.tx.run((em) =>
      em.save(
        em.create(User, {
          email,
          name: opts.name ?? email.split('@')[0],
          passwordHash: opts.passwordHash ?? null,
          active: opts.active ?? true,
          isSuperAdmin: opts.superAdmin ?? false,
        }),
      ),
    );
    const token = await this.token(user);
    return { user, token, auth: { Authorization: `Bearer ${token}` } } satisfies TestUser;
  }

  /** Adds a membership, evicting the user's cached principals as the service's own writers do. */
  async member(accountId: number, user: User, role: MembershipRole = 'user', opts: { active?: boolean; primary?: boolean } = {}) {
    return this.t.tx.run(async (em) => {
      const saved = await em.save(
        em.create(Membership, {
          accountId,
          userId: user.id,
          role,
          active: opts.active ?? true,
          isPrimary: opts.primary ?? false,
          createdBy: null,
          updatedBy: null,
        }),
      );
      await this.t.app.get(PrincipalEvictions).changed(em, { userId: user.id });
      return saved;
    });
  }

  /** A user session token signed exactly as the login endpoint signs it. */
  token(user: User): Promise<string> {
    return this.t.jwt.signAsync({ sub: String(user.id), typ: 'user' });
  }

  /** A new account with an admin (primary membership) and ready-made headers. */
  async tenant(): Promise<Tenant> {
    const account = await this.account();
    const admin = await this.user({ name: 'Admin' });
    await this.member(account.id, admin.user, 'admin', { primary: true });
    const accountId = String(account.id);
    return {
      account,
      accountId,
      admin,
      headers: { ...admin.auth, 'x-account-id': accountId },
      headersFor: (u) => ({ ...u.auth, 'x-account-id': accountId }),
    };
  }

  /** Adds a new user to the tenant with the given role. */
  async memberOf(tenant: Tenant, role: MembershipRole = 'user', opts: { email?: string; name?: string } = {}) {
    const u = await this.user(opts);
    await this.member(tenant.account.id, u.user, role, { primary: true });
    return u;
  }
}
