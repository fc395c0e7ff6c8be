import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Account } from '../src/accounts/entities/account.entity';
import { BootstrapService } from '../src/auth/bootstrap.service';
import { ROLE_PERMISSIONS } from '../src/auth/permissions/permissions';
import { loadConfig } from '../src/config/configuration';
import { dataSourceOptions } from '../src/database/data-source-options';
import { Membership } from '../src/users/entities/membership.entity';
import { User } from '../src/users/entities/user.entity';
import { Fixtures, uniq } from './utils/fixtures';
import { IdentityFixtures, ISO, rawJwt } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const INVALID = { error: 'Unauthorized', message: 'Invalid credentials' };
const TOKEN_INVALID = { error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' };

describe('auth', () => {
  let t: TestApp;
  let f: Fixtures;
  let id: IdentityFixtures;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    id = new IdentityFixtures(t, f);
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (body: object) => t.http().post('/auth/login').send(body);

  describe('POST /auth/login with email and password', () => {
    it('answers the session of an admin, whose token opens GET /auth/session', async () => {
      const tenant = await f.tenant();
      const u = await id.userWithPassword({ email: `Mixed.${uniq()}@Example.com` });
      await f.member(tenant.account.id, u.user, 'admin', { primary: true });
      const before = Date.now();

      const res = await login({ email: u.user.email.toUpperCase(), password: u.password }).expect(200);

      expect(res.body).toEqual({
        id: u.user.id,
        email: u.user.email,
        active: true,
        primaryAccount: { accountId: tenant.accountId, accountName: tenant.account.name, usersPrimaryAccount: true, accountAdmin: true },
        accounts: [{ accountId: tenant.accountId, accountName: tenant.account.name, usersPrimaryAccount: true, accountAdmin: true }],
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        token: expect.any(String),
        expiresAt: expect.stringMatching(ISO),
      });
      // JWT_TTL is 1h in the tests; exp has one-second resolution.
      const expires = new Date(res.body.expiresAt).getTime();
      expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
      expect(t.jwt.decode(res.body.token)).toEqual({ sub: String(u.user.id), typ: 'user', iat: expect.any(Number), exp: expires / 1000 });

      const session = await t.http().get('/auth/session').set('Authorization', `Bearer ${res.body.token}`).expect(200);
      expect(session.body).toEqual(res.body);
    });

    it('lists active memberships only, and gives roles and permissions of the primary account', async () => {
      const primary = await f.account();
      const other = await f.account();
      const inactive = await f.account();
      const u = await id.userWithPassword({ superAdmin: true });
      await f.member(other.id, u.user, 'admin');
      await f.member(primary.id, u.user, 'user', { primary: true });
      await f.member(inactive.id, u.user, 'admin', { active: false });

      const res = await login({ email: u.user.email, password: u.password }).expect(200);

      expect(res.body).toEqual({
        id: u.user.id,
        email: u.user.email,
        active: true,
        primaryAccount: { accountId: String(primary.id), accountName: primary.name, usersPrimaryAccount: true, accountAdmin: false },
        accounts: [
          { accountId: String(other.id), accountName: other.name, usersPrimaryAccount: false, accountAdmin: true },
          { accountId: String(primary.id), accountName: primary.name, usersPrimaryAccount: true, accountAdmin: false },
        ],
        roles: ['superAdmin', 'user'],
        permissions: [...ROLE_PERMISSIONS.user],
        token: expect.any(String),
        expiresAt: expect.stringMatching(ISO),
      });
    });

    it('falls back to the oldest active membership when the primary one is inactive', async () => {
      const a = await f.account();
      const b = await f.account();
      const u = await id.userWithPassword();
      await f.member(a.id, u.user, 'admin', { primary: true, active: false });
      await f.member(b.id, u.user, 'user');

      const res = await login({ email: u.user.email, password: u.password }).expect(200);

      expect(res.body.primaryAccount).toMatchObject({ accountId: String(b.id), usersPrimaryAccount: true });
      expect(res.body.accounts).toEqual([{ accountId: String(b.id), accountName: b.name, usersPrimaryAccount: true, accountAdmin: false }]);
      expect(res.body.roles).toEqual(['user']);
    });

    it('answers a user without accounts with an empty session', async () => {
      const u = await id.userWithPassword();
      const res = await login({ email: u.user.email, password: u.password }).expect(200);
      expect(res.body).toMatchObject({ primaryAccount: null, accounts: [], roles: [], permissions: [] });
    });

    it('answers exactly the same 401 whichever part was wrong', async () => {
      const u = await id.userWithPassword();
      const inactive = await id.userWithPassword({ active: false });
      const noPassword = await f.user();
      const attempts = [
        { email: u.user.email, password: 'wrong-password' },
        { email: `nobody-${uniq()}@example.com`, password: u.password },
        { email: noPassword.user.email, password: 'whatever-password' },
        { email: inactive.user.email, password: inactive.password },
      ];
      for (const body of attempts) {
        const res = await login(body).expect(401);
        expect(res.body).toEqual(INVALID);
      }
    });

    it('answers 400 with every problem when neither or both credential pairs are sent', async () => {
      const neither = await login({}).expect(400);
      expect(neither.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'email', message: 'email is required (or log in with apiKey and apiSecret)' },
          { field: 'password', message: 'password is required (or log in with apiKey and apiSecret)' },
        ],
      });

      const both = await login({ email: 'a@example.com', password: 'secret-1', apiKey: 'lk_x', apiSecret: 'y' }).expect(400);
      expect(both.body).toEqual({
        error: 'Validation failed',
        message: 'send either email and password, or apiKey and apiSecret, not both',
        details: [{ field: 'apiKey', message: 'send either email and password, or apiKey and apiSecret, not both' }],
      });

      const halves = await login({ email: 'not-an-email', apiSecret: 'y' }).expect(400);
      expect(halves.body.details).toEqual([
        { field: 'apiSecret', message: 'send either email and password, or apiKey and apiSecret, not both' },
      ]);

      const typed = await login({ email: 12, password: '' }).expect(400);
      expect(typed.body.details).toEqual([
        { field: 'email', message: 'email must be a string' },
        { field: 'password', message: 'password must not be empty' },
      ]);

      const keyHalf = await login({ apiKey: 'lk_x' }).expect(400);
      expect(keyHalf.body.details).toEqual([{ field: 'apiSecret', message: 'apiSecret is required' }]);

      const unknown = await login({ email: 'a@example.com', password: 'secret-1', remember: true }).expect(400);
      expect(unknown.body.details).toEqual([{ field: 'remember', message: 'remember is not an allowed property' }]);
    });

    it('records the login in the primary account with the password masked, and masks failed attempts too', async () => {
      const tenant = await f.tenant();
      const u = await id.userWithPassword();
      await f.member(tenant.account.id, u.user, 'user', { primary: true });
      const requestId = uniq('login-');
      await login({ email: u.user.email, password: u.password }).set('x-request-id', requestId).expect(200);
      await login({ email: u.user.email, password: 'wrong-password' }).set('x-request-id', requestId).expect(401);

      const entries = (await id.auditFor('/auth/login')).filter((e) => e.requestHeaders?.['x-request-id'] === requestId);
      expect(entries.map((e) => [e.event, e.statusCode, e.user, e.accountId])).toEqual([
        ['login', 200, u.user.email, tenant.account.id],
        ['request_rejected', 401, null, null],
      ]);
      expect(entries[0].data).toEqual({ params: {}, query: {}, body: { email: u.user.email, password: '[REDACTED]' } });
      // A failed attempt records what was tried (the email), never the password.
      expect(entries[1].data).toEqual({
        error: 'Unauthorized',
        message: 'Invalid credentials',
        params: {},
        query: {},
        body: { email: u.user.email, password: '[REDACTED]' },
      });
      expect(JSON.stringify(entries)).not.toContain(u.password);
      expect(JSON.stringify(entries)).not.toContain('wrong-password');
    });
  });

  describe('POST /auth/login with an API key', () => {
    it("answers the key's session: its creator, its account only, its effective permissions", async () => {
      const tenant = await f.tenant();
      const other = await f.account();
      await f.member(other.id, tenant.admin.user, 'admin');
      const k = await id.apiKey(tenant, ['readLeads', 'writeLeads', 'readUsers']);

      const res = await login({ apiKey: k.key.key, apiSecret: k.secret }).expect(200);

      expect(res.body).toEqual({
        id: tenant.admin.user.id,
        email: tenant.admin.user.email,
        active: true,
        primaryAccount: { accountId: tenant.accountId, accountName: tenant.account.name, usersPrimaryAccount: true, accountAdmin: true },
        accounts: [{ accountId: tenant.accountId, accountName: tenant.account.name, usersPrimaryAccount: true, accountAdmin: true }],
        roles: ['apiKey'],
        permissions: ['readLeads', 'writeLeads', 'readUsers'],
        token: expect.any(String),
        expiresAt: expect.stringMatching(ISO),
        apiKeyId: k.key.id,
      });
      expect(t.jwt.decode(res.body.token)).toMatchObject({ sub: String(tenant.admin.user.id), typ: 'key', kid: k.key.id });

      const session = await t.http().get('/auth/session').set('Authorization', `Bearer ${res.body.token}`).expect(200);
      expect(session.body).toEqual(res.body);
      const users = await t
        .http()
        .get('/users')
        .set({ Authorization: `Bearer ${res.body.token}`, 'x-account-id': tenant.accountId })
        .expect(200);
      expect(users.body.totalCount).toBe(1);
    });

    it("cuts the key's permissions down to its creator's current role", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const k = await id.apiKey(tenant, ['readLeads', 'writeUsers', 'readTeams'], { creator: rep });
      const res = await login({ apiKey: k.key.key, apiSecret: k.secret }).expect(200);
      expect(res.body.permissions).toEqual(['readLeads', 'readTeams']);
      expect(res.body.accounts[0].accountAdmin).toBe(false);
    });

    it('answers the same 401 for a wrong secret, an unknown, inactive or orphaned key', async () => {
      const tenant = await f.tenant();
      const good = await id.apiKey(tenant, ['readLeads']);
      const inactive = await id.apiKey(tenant, ['readLeads'], { active: false });
      const leaver = await f.memberOf(tenant, 'admin');
      const orphan = await id.apiKey(tenant, ['readLeads'], { creator: leaver });
      await id.setMembershipActive(tenant.account.id, leaver.user.id, false);
      const disabledCreator = await f.memberOf(tenant, 'admin');
      const disabledKey = await id.apiKey(tenant, ['readLeads'], { creator: disabledCreator });
      await id.setUserActive(disabledCreator.user.id, false);

      const attempts = [
        { apiKey: good.key.key, apiSecret: `${good.secret}x` },
        { apiKey: good.key.key, apiSecret: inactive.secret },
        { apiKey: `lk_${randomBytes(12).toString('hex')}`, apiSecret: good.secret },
        { apiKey: inactive.key.key, apiSecret: inactive.secret },
        { apiKey: orphan.key.key, apiSecret: orphan.secret },
        { apiKey: disabledKey.key.key, apiSecret: disabledKey.secret },
      ];
      for (const body of attempts) {
        const res = await login(body).expect(401);
        expect(res.body).toEqual(INVALID);
      }
    });

    it('records the key login with the key id and the creator, the key and its secret masked', async () => {
      const tenant = await f.tenant();
      const k = await id.apiKey(tenant, ['readLeads']);
      await login({ apiKey: k.key.key, apiSecret: k.secret }).expect(200);
      const entry = (await id.auditInAccount(tenant.account.id)).find((e) => e.event === 'login');
      expect(entry).toMatchObject({
        user: tenant.admin.user.email,
        apiKey: String(k.key.id),
        statusCode: 200,
        data: { params: {}, query: {}, body: { apiKey: '[REDACTED]', apiSecret: '[REDACTED]' } },
      });
      expect(JSON.stringify(entry)).not.toContain(k.secret);
      expect(JSON.stringify(entry)).not.toContain(k.key.key);
    });
  });

  describe('bearer tokens', () => {
    const session = (token?: string) => {
      const req = t.http().get('/auth/session');
      return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
    };

    it('refuses a request without a token', async () => {
      const res = await session().expect(401);
      expect(res.body).toEqual({ error: 'Unauthorized', message: 'A bearer token is required (Authorization: Bearer <token>)' });
      const basic = await t.http().get('/auth/session').set('Authorization', 'Basic YTpi').expect(401);
      expect(basic.body).toEqual({ error: 'Unauthorized', message: 'A bearer token is required (Authorization: Bearer <token>)' });
    });

    it('refuses malformed, wrongly signed, alg none, and expired tokens', async () => {
      const u = await f.user();
      const payload = { sub: String(u.user.id), typ: 'user' };
      const good = await t.jwt.signAsync(payload);
      const [header, body] = good.split('.');
      const forged = `${header}.${body}.${randomBytes(32).toString('base64url')}`;
      const none = rawJwt({ alg: 'none', typ: 'JWT' }, { ...payload, exp: Math.floor(Date.now() / 1000) + 600 });
      const otherSecret = await t.jwt.signAsync(payload, { secret: 'another-secret-0123456789-0123456789' });
      const hs512 = await t.jwt.signAsync(payload, { algorithm: 'HS512' });
      for (const token of ['not-a-jwt', 'a.b.c', forged, none, `${none}x`, otherSecret, hs512]) {
        const res = await session(token).expect(401);
        expect(res.body).toEqual(TOKEN_INVALID);
      }
      const expired = await t.jwt.signAsync(payload, { expiresIn: -10 });
      const res = await session(expired).expect(401);
      expect(res.body).toEqual({ error: 'Unauthorized', message: 'The bearer token has expired' });
    });

    it('refuses a token signed with the right secret but without exp, or with an exp that is not a number', async () => {
      const u = await f.user();
      // Signed by hand: the service's own signer always adds exp (and refuses a non-numeric one).
      const hs256 = (payload: object) => {
        const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
        return `${unsigned}.${createHmac('sha256', process.env.JWT_SECRET!).update(unsigned).digest('base64url')}`;
      };
      const base = { sub: String(u.user.id), typ: 'user', iat: Math.floor(Date.now() / 1000) };
      // The same hand-made token with a numeric exp is accepted: only exp differs below.
      await session(hs256({ ...base, exp: base.iat + 600 })).expect(200);
      for (const token of [hs256(base), hs256({ ...base, exp: String(base.iat + 600) }), hs256({ ...base, exp: null })]) {
        // Twice: a refused token is never remembered as verified.
        for (let i = 0; i < 2; i++) {
          const res = await session(token).expect(401);
          expect(res.body).toEqual(TOKEN_INVALID);
        }
      }
    });

    it('refuses tokens of a deleted or deactivated user, and tokens with an unknown type', async () => {
      const deleted = await f.user();
      const deactivated = await f.user();
      await session(deleted.token).expect(200);
      await session(deactivated.token).expect(200);
      await id.deleteUser(deleted.user.id);
      await id.setUserActive(deactivated.user.id, false);
      for (const token of [
        deleted.token,
        deactivated.token,
        await t.jwt.signAsync({ sub: String(deactivated.user.id) }),
        await t.jwt.signAsync({ sub: 'abc', typ: 'user' }),
        await t.jwt.signAsync({ sub: String(deleted.user.id + 1_000_000), typ: 'user' }),
      ]) {
        const res = await session(token).expect(401);
        expect(res.body).toEqual(TOKEN_INVALID);
      }
    });

    it('stops a key session at once when the key is deactivated or deleted, or its creator deactivated', async () => {
      const tenant = await f.tenant();
      const a = await id.apiKey(tenant, ['readUsers']);
      const b = await id.apiKey(tenant, ['readUsers']);
      await t.http().get('/users').set(a.headers).expect(200);
      await t.http().get('/users').set(b.headers).expect(200);

      await t.http().patch(`/apikeys/${a.key.id}`).set(tenant.headers).send({ active: false }).expect(200);
      await t.http().delete(`/apikeys/${b.key.id}`).set(tenant.headers).expect(200);
      for (const k of [a, b]) {
        const res = await t.http().get('/users').set(k.headers).expect(401);
        expect(res.body).toEqual(TOKEN_INVALID);
      }

      const other = await f.tenant();
      const c = await id.apiKey(other, ['readUsers']);
      await t.http().get('/auth/session').set(c.headers).expect(200);
      await id.setUserActive(other.admin.user.id, false);
      await t.http().get('/auth/session').set(c.headers).expect(401);
    });
  });
});

describe('bootstrap admin', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  /** A fresh empty database for this test: a new SQLite file, or a new PostgreSQL database. */
  async function freshDatabase(): Promise<{ drop: () => Promise<void> }> {
    if (!process.env.DATABASE_URL) {
      process.env.DATABASE_PATH = join(tmpdir(), `leads-boot-${process.pid}-${randomBytes(6).toString('hex')}`, 'leads.sqlite');
      return { drop: async () => undefined };
    }
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    const name = `leads_boot_${Date.now()}_${randomBytes(3).toString('hex')}`;
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.pathname = `/${name}`;
    process.env.DATABASE_URL = url.toString();
    return {
      drop: async () => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.end();
      },
    };
  }

  /** Applies the migrations without starting the app, so apps started together do not race on them. */
  async function migrate(): Promise<void> {
    const ds = new DataSource(dataSourceOptions(loadConfig(process.env).database));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
  }

  async function state(t: TestApp) {
    const users = await t.ds.getRepository(User).find();
    const accounts = await t.ds.getRepository(Account).find();
    const memberships = await t.ds.getRepository(Membership).find();
    return { users, accounts, memberships };
  }

  it('creates a superAdmin who administers a new account, once, and they can log in', async () => {
    const db = await freshDatabase();
    process.env.BOOTSTRAP_ADMIN_EMAIL = 'Boot.Admin@Example.com';
    process.env.BOOTSTRAP_ADMIN_PASSWORD = 'bootstrap-password';
    process.env.BOOTSTRAP_ACCOUNT_NAME = 'Head office';
    const first = await createTestApp();
    // A second instance (a restart) on the same database finds users and creates nothing.
    const second = await createTestApp();
    try {
      const { users, accounts, memberships } = await state(second);
      expect(users).toEqual([expect.objectContaining({ email: 'boot.admin@example.com', isSuperAdmin: true, active: true, name: null })]);
      expect(users[0].passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(accounts).toEqual([expect.objectContaining({ name: 'Head office', createdBy: 'boot.admin@example.com' })]);
      expect(memberships).toEqual([
        expect.objectContaining({ accountId: accounts[0].id, userId: users[0].id, role: 'admin', active: true, isPrimary: true }),
      ]);

      const res = await first
        .http()
        .post('/auth/login')
        .send({ email: 'boot.admin@example.com', password: 'bootstrap-password' })
        .expect(200);
      expect(res.body).toMatchObject({
        primaryAccount: { accountId: String(accounts[0].id), accountName: 'Head office', usersPrimaryAccount: true, accountAdmin: true },
        roles: ['superAdmin', 'admin'],
        accounts: [{ accountId: String(accounts[0].id), accountName: 'Head office', usersPrimaryAccount: true, accountAdmin: true }],
      });
    } finally {
      await second.close();
      await first.close();
      await db.drop();
    }
  });

  it('does nothing when the database already has users', async () => {
    const db = await freshDatabase();
    const plain = await createTestApp();
    try {
      await new Fixtures(plain).user({ email: 'someone@example.com' });
      process.env.BOOTSTRAP_ADMIN_EMAIL = 'boot@example.com';
      process.env.BOOTSTRAP_ADMIN_PASSWORD = 'bootstrap-password';
      const booted = await createTestApp();
      try {
        const { users, accounts } = await state(booted);
        expect(users.map((u) => u.email)).toEqual(['someone@example.com']);
        expect(accounts).toEqual([]);
      } finally {
        await booted.close();
      }
    } finally {
      await plain.close();
      await db.drop();
    }
  });

  it('creates exactly one admin when several instances bootstrap at once on one PostgreSQL', async () => {
    if (!process.env.DATABASE_URL) return; // SQLite is one process's embedded database.
    const db = await freshDatabase();
    await migrate();
    const apps = await Promise.all([createTestApp(), createTestApp(), createTestApp(), createTestApp()]);
    try {
      // Every instance finds the database empty before any of them writes.
      const settings = { email: 'race@example.com', password: 'bootstrap-password', accountName: 'Race' };
      const created = await Promise.all(apps.map((a) => a.app.get(BootstrapService).run(settings)));
      expect(created.filter(Boolean)).toEqual([true]);
      const { users, accounts, memberships } = await state(apps[0]);
      expect(users.map((u) => u.email)).toEqual(['race@example.com']);
      expect(accounts.map((a) => a.name)).toEqual(['Race']);
      expect(memberships).toHaveLength(1);
    } finally {
      for (const a of apps) await a.close();
      await db.drop();
    }
  });
});
