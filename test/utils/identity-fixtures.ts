import { ApiKey } from '../../src/api-keys/entities/api-key.entity';
import { generateApiKeyCredentials } from '../../src/api-keys/api-key-credentials';
import { AuditLog } from '../../src/audit/entities/audit-log.entity';
import { PasswordService } from '../../src/auth/password.service';
import { PrincipalEvictions } from '../../src/auth/principal-evictions.service';
import { Permission } from '../../src/auth/permissions/permissions';
import { Membership } from '../../src/users/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { Fixtures, Tenant, TestUser, uniq } from './fixtures';
import { TestApp } from './test-app';

export interface TestApiKey {
  key: ApiKey;
  secret: string;
  token: string;
  /** Authorization + x-account-id of the key's account. */
  headers: Record<string, string>;
}

/** Fixtures for identity tests: users with passwords, API keys, and database look-ups. */
export class IdentityFixtures {
  readonly passwords: PasswordService;

  constructor(
    private readonly t: TestApp,
    private readonly f: Fixtures,
  ) {
    this.passwords = t.app.get(PasswordService);
  }

  /** A user with a password (argon2id, as the service stores it). */
  async userWithPassword(opts: { email?: string; password?: string; superAdmin?: boolean; active?: boolean; name?: string } = {}) {
    const password = opts.password ?? `pw-${uniq()}`;
    const u = await this.f.user({ ...opts, passwordHash: await this.passwords.hash(password) });
    return { ...u, password };
  }

  /** An API key created directly in the database, with a session token signed as login signs it. */
  async apiKey(
    tenant: Tenant,
    permissions: Permission[],
    opts: { creator?: TestUser; active?: boolean; name?: string } = {},
  ): Promise<TestApiKey> {
    const creator = opts.creator ?? tenant.admin;
    const { key, secret, secretHash } = generateApiKeyCredentials();
    const saved = await this.t.tx.run((em) =>
      em.save(
        em.create(ApiKey, {
          accountId: tenant.account.id,
          key,
          secretHash,
          name: opts.name ?? uniq('key '),
          permissions,
          active: opts.active ?? true,
          createdByUserId: creator.user.id,
          createdBy: creator.user.email,
          updatedBy: creator.user.email,
        }),
      ),
    );
    const token = await this.t.jwt.signAsync({ sub: String(creator.user.id), typ: 'key', kid: saved.id });
    return { key: saved, secret, token, headers: { Authorization: `Bearer ${token}`, 'x-account-id': tenant.accountId } };
  }

  user(id: number) {
    return this.t.ds.getRepository(User).findOne({ where: { id } });
  }

  membership(accountId: number, userId: number) {
    return this.t.ds.getRepository(Membership).findOne({ where: { accountId, userId } });
  }

  memberships(accountId: number) {
    return this.t.ds.getRepository(Membership).find({ where: { accountId }, order: { id: 'ASC' } });
  }

  apiKeyRow(id: number) {
    return this.t.ds.getRepository(ApiKey).findOne({ where: { id } });
  }

  apiKeys(accountId: number) {
    return this.t.ds.getRepository(ApiKey).find({ where: { accountId }, order: { id: 'ASC' } });
  }

  // Changes with no endpoint (an operator's): each sends the principal change, as docs/PRINCIPAL-CACHE.md asks of them.
  async setUserActive(userId: number, active: boolean) {
    await this.t.tx.run(async (em) => {
      await em.update(User, { id: userId }, { active });
      await this.evictions.changed(em, { userId });
    });
  }

  async setMembershipActive(accountId: number, userId: number, active: boolean) {
    await this.t.tx.run(async (em) => {
      await em.update(Membership, { accountId, userId }, { active });
      await this.evictions.changed(em, { userId });
    });
  }

  async deleteUser(userId: number) {
    await this.t.tx.run(async (em) => {
      await em.delete(User, { id: userId });
      await this.evictions.changed(em, { userId });
    });
  }

  private get evictions(): PrincipalEvictions {
    return this.t.app.get(PrincipalEvictions);
  }

  /** Audit entries of a request path, oldest first (after writing the queued ones). */
  async auditFor(path: string): Promise<AuditLog[]> {
    await this.t.flushAudit();
    return this.t.ds.getRepository(AuditLog).find({ where: { requestPath: path }, order: { id: 'ASC' } });
  }

  async auditInAccount(accountId: number): Promise<AuditLog[]> {
    await this.t.flushAudit();
    return this.t.ds.getRepository(AuditLog).find({ where: { accountId }, order: { id: 'ASC' } });
  }
}

/** A hand-made JWT (header and payload as given, signature as given), for malformed-token tests. */
export function rawJwt(header: object, payload: object, signature = ''): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64(header)}.${b64(payload)}.${signature}`;
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
