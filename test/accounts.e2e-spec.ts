import { Account } from '../src/accounts/entities/account.entity';
import { ROLE_PERMISSIONS } from '../src/auth/permissions/permissions';
import { Fixtures, uniq } from './utils/fixtures';
import { IdentityFixtures, ISO } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('accounts', () => {
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

  describe('GET /accounts', () => {
    it("answers a plain array of the caller's active memberships with roles and permissions", async () => {
      const a = await f.account();
      const b = await f.account();
      const off = await f.account();
      const u = await f.user();
      await f.member(a.id, u.user, 'user', { primary: true });
      await f.member(b.id, u.user, 'admin');
      await f.member(off.id, u.user, 'admin', { active: false });

      const res = await t.http().get('/accounts').set(u.auth).expect(200);

      expect(res.body).toEqual([
        {
          accountId: String(a.id),
          accountName: a.name,
          timeZone: 'UTC',
          duplicateLeadPolicy: 'allow',
          usersPrimaryAccount: true,
          accountAdmin: false,
          roles: ['user'],
          permissions: [...ROLE_PERMISSIONS.user],
          createdAt: a.createdAt.toISOString(),
        },
        {
          accountId: String(b.id),
          accountName: b.name,
          timeZone: 'UTC',
          duplicateLeadPolicy: 'allow',
          usersPrimaryAccount: false,
          accountAdmin: true,
          roles: ['admin'],
          permissions: [...ROLE_PERMISSIONS.admin],
          createdAt: b.createdAt.toISOString(),
        },
      ]);
    });

    it("answers only the key's account for a key session, with its effective permissions", async () => {
      const tenant = await f.tenant();
      await f.member((await f.account()).id, tenant.admin.user, 'admin');
      const k = await id.apiKey(tenant, ['readLeads', 'readUsers']);
      const res = await t.http().get('/accounts').set({ Authorization: k.headers.Authorization }).expect(200);
      expect(res.body).toEqual([
        {
          accountId: tenant.accountId,
          accountName: tenant.account.name,
          timeZone: 'UTC',
          duplicateLeadPolicy: 'allow',
          usersPrimaryAccount: true,
          accountAdmin: true,
          roles: ['apiKey'],
          permissions: ['readLeads', 'readUsers'],
          createdAt: expect.stringMatching(ISO),
        },
      ]);
    });

    it('answers an empty array for a user without accounts, and 401 without a token', async () => {
      const u = await f.user();
      await t.http().get('/accounts').set(u.auth).expect(200, []);
      const res = await t.http().get('/accounts').expect(401);
      expect(res.body.error).toBe('Unauthorized');
    });
  });

  describe('POST /accounts', () => {
    it('lets a superAdmin create an account they administer (primary when they had none)', async () => {
      const admin = await f.user({ superAdmin: true });
      const name = uniq('New account ');

      const res = await t
        .http()
        .post('/accounts')
        .set(admin.auth)
        .send({ name: `  ${name} ` })
        .expect(201);

      const account = await t.ds.getRepository(Account).findOneByOrFail({ name });
      expect(res.body).toEqual({
        accountId: String(account.id),
        accountName: name,
        timeZone: 'UTC',
        duplicateLeadPolicy: 'allow',
        usersPrimaryAccount: true,
        accountAdmin: true,
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        createdAt: account.createdAt.toISOString(),
      });
      expect(account.createdBy).toBe(admin.user.email);
      expect(await id.memberships(account.id)).toEqual([
        expect.objectContaining({ userId: admin.user.id, role: 'admin', active: true, isPrimary: true, createdBy: admin.user.email }),
      ]);
      await t
        .http()
        .get('/users')
        .set({ ...admin.auth, 'x-account-id': String(account.id) })
        .expect(200);

      const second = await t
        .http()
        .post('/accounts')
        .set(admin.auth)
        .send({ name: uniq('Second ') })
        .expect(201);
      expect(second.body.usersPrimaryAccount).toBe(false);
      expect(await id.membership(Number(second.body.accountId), admin.user.id)).toMatchObject({ isPrimary: false, role: 'admin' });
      const list = await t.http().get('/accounts').set(admin.auth).expect(200);
      expect(list.body.map((a: { accountId: string }) => a.accountId)).toEqual([String(account.id), second.body.accountId]);
    });

    it('records account_created in the new account', async () => {
      const admin = await f.user({ superAdmin: true });
      const res = await t.http().post('/accounts').set(admin.auth).send({ name: 'Audited account' }).expect(201);
      const entries = await id.auditInAccount(Number(res.body.accountId));
      expect(entries).toEqual([
        expect.objectContaining({
          event: 'account_created',
          statusCode: 201,
          user: admin.user.email,
          data: { params: {}, query: {}, body: { name: 'Audited account' } },
        }),
      ]);
    });

    it('answers 403 to anyone but a superAdmin user session, and creates nothing', async () => {
      const tenant = await f.tenant();
      const superKeyOwner = await f.user({ superAdmin: true });
      await f.member(tenant.account.id, superKeyOwner.user, 'admin');
      const key = await id.apiKey(tenant, ['writeUsers'], { creator: superKeyOwner });
      const name = uniq('Forbidden ');
      for (const headers of [tenant.admin.auth, { Authorization: key.headers.Authorization }]) {
        const res = await t.http().post('/accounts').set(headers).send({ name }).expect(403);
        expect(res.body).toEqual({ error: 'Forbidden', message: 'Only a platform administrator (superAdmin) can create accounts' });
      }
      await expect(t.ds.getRepository(Account).countBy({ name })).resolves.toBe(0);
    });

    it('answers 400 for a missing, blank or over-long name and unknown properties', async () => {
      const admin = await f.user({ superAdmin: true });
      const res = await t.http().post('/accounts').set(admin.auth).send({ name: '   ', id: 5 }).expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'id', message: 'id is not an allowed property' },
          { field: 'name', message: 'name should not be empty' },
        ],
      });
      const long = await t
        .http()
        .post('/accounts')
        .set(admin.auth)
        .send({ name: 'x'.repeat(201) })
        .expect(400);
      expect(long.body.details).toEqual([{ field: 'name', message: 'name must be shorter than or equal to 200 characters' }]);
      const missing = await t.http().post('/accounts').set(admin.auth).send({}).expect(400);
      expect(missing.body.details.map((d: { field: string }) => d.field)).toEqual(['name', 'name', 'name']);
      await t.http().get('/accounts').set(admin.auth).expect(200, []);
    });
  });
});
