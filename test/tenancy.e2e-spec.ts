import { ApiKey } from '../src/api-keys/entities/api-key.entity';
import { Membership } from '../src/users/entities/membership.entity';
import { User } from '../src/users/entities/user.entity';
import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { IdentityFixtures, TestApiKey } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('tenancy', () => {
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

  describe('account resolution', () => {
    const noAccess = (accountId: string | number) => ({ error: 'Forbidden', message: `You have no access to account ${accountId}` });

    it('answers 400 without x-account-id, and for one that is not an account id', async () => {
      const tenant = await f.tenant();
      const missing = await t.http().get('/users').set(tenant.admin.auth).expect(400);
      expect(missing.body).toEqual({ error: 'x-account-id header is required' });
      const empty = await t
        .http()
        .get('/users')
        .set({ ...tenant.admin.auth, 'x-account-id': '' })
        .expect(400);
      expect(empty.body).toEqual({ error: 'x-account-id header is required' });
      for (const bad of ['abc', '-1', '0', '1.5']) {
        const res = await t
          .http()
          .get('/apikeys')
          .set({ ...tenant.admin.auth, 'x-account-id': bad })
          .expect(400);
        expect(res.body).toEqual({ error: 'x-account-id header must be an account id (a string of digits)' });
      }
    });

    it('accepts the header name in any case', async () => {
      const tenant = await f.tenant();
      await t
        .http()
        .get('/users')
        .set({ ...tenant.admin.auth, 'X-Account-ID': tenant.accountId })
        .expect(200);
    });

    it('answers 403 for an account that does not exist, or that the caller is not a member of', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const ghost = await t
        .http()
        .get('/users')
        .set({ ...tenant.admin.auth, 'x-account-id': '2147483000' })
        .expect(403);
      expect(ghost.body).toEqual(noAccess('2147483000'));
      const foreign = await t
        .http()
        .get('/users')
        .set({ ...tenant.admin.auth, 'x-account-id': other.accountId })
        .expect(403);
      expect(foreign.body).toEqual(noAccess(other.accountId));
    });

    it('answers 403 once the membership is deactivated or removed, even with an unexpired token', async () => {
      const tenant = await f.tenant();
      const paused = await f.memberOf(tenant, 'admin');
      const removed = await f.memberOf(tenant, 'admin');
      await t.http().get('/users').set(tenant.headersFor(paused)).expect(200);
      await t.http().get('/users').set(tenant.headersFor(removed)).expect(200);
      await id.setMembershipActive(tenant.account.id, paused.user.id, false);
      await t.http().delete(`/users/${removed.user.id}`).set(tenant.headers).expect(200);
      for (const u of [paused, removed]) {
        const res = await t.http().get('/users').set(tenant.headersFor(u)).expect(403);
        expect(res.body).toEqual(noAccess(tenant.accountId));
      }
    });

    it('answers 401 once the user is deactivated, even with an unexpired token', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'admin');
      await t.http().get('/users').set(tenant.headersFor(rep)).expect(200);
      await id.setUserActive(rep.user.id, false);
      const res = await t.http().get('/users').set(tenant.headersFor(rep)).expect(401);
      expect(res.body).toEqual({ error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' });
    });

    it("answers 403 naming the missing permission for a 'user' member and for a narrower key", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const write = await t.http().post('/users').set(tenant.headersFor(rep)).send({ email: 'x@example.com', role: 'user' }).expect(403);
      expect(write.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeUsers' });
      const keys = await t.http().get('/apikeys').set(tenant.headersFor(rep)).expect(403);
      expect(keys.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readApiKeys' });

      const k = await id.apiKey(tenant, ['readUsers']);
      await t.http().get('/users').set(k.headers).expect(200);
      const denied = await t.http().delete(`/users/${rep.user.id}`).set(k.headers).expect(403);
      expect(denied.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeUsers' });
      expect(await id.membership(tenant.account.id, rep.user.id)).not.toBeNull();

      // A key never exceeds its creator's current role.
      const repKey = await id.apiKey(tenant, ['readUsers', 'readLeads'], { creator: rep });
      const capped = await t.http().get('/users').set(repKey.headers).expect(403);
      expect(capped.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readUsers' });
    });

    it('answers 403 to a key used in another account, even one its creator administers', async () => {
      const tenant = await f.tenant();
      const other = await f.account();
      await f.member(other.id, tenant.admin.user, 'admin');
      const k = await id.apiKey(tenant, ['readUsers']);
      const res = await t
        .http()
        .get('/users')
        .set({ ...k.headers, 'x-account-id': String(other.id) })
        .expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: 'This API key belongs to another account' });
    });

    it('answers 403 to a key whose creator lost their membership, and 401 once it is deleted', async () => {
      const tenant = await f.tenant();
      const creator = await f.memberOf(tenant, 'admin');
      const k = await id.apiKey(tenant, ['readUsers'], { creator });
      await id.setMembershipActive(tenant.account.id, creator.user.id, false);
      const res = await t.http().get('/users').set(k.headers).expect(403);
      expect(res.body).toEqual(noAccess(tenant.accountId));
      await t.http().delete(`/apikeys/${k.key.id}`).set(tenant.headers).expect(200);
      await t.http().get('/users').set(k.headers).expect(401);
    });
  });

  describe("another account's records", () => {
    let mine: Tenant;
    let theirs: Tenant;
    let theirUser: TestUser;
    let theirKey: TestApiKey;
    /** Their users, memberships and keys, as stored. */
    let snapshot: () => Promise<unknown>;

    beforeAll(async () => {
      mine = await f.tenant();
      theirs = await f.tenant();
      theirUser = await f.memberOf(theirs, 'admin');
      theirKey = await id.apiKey(theirs, ['readLeads']);
      await f.memberOf(mine, 'user');
      await id.apiKey(mine, ['readLeads']);
      snapshot = async () => ({
        users: await t.ds
          .getRepository(User)
          .find({ where: [{ id: theirUser.user.id }, { id: theirs.admin.user.id }], order: { id: 'ASC' } }),
        memberships: await t.ds.getRepository(Membership).find({ where: { accountId: theirs.account.id }, order: { id: 'ASC' } }),
        keys: await t.ds.getRepository(ApiKey).find({ where: { accountId: theirs.account.id }, order: { id: 'ASC' } }),
      });
    });

    it('answers 404 on every endpoint with their ids, and changes nothing', async () => {
      const before = await snapshot();
      const uid = theirUser.user.id;
      const kid = theirKey.key.id;
      const calls = [
        { req: () => t.http().get(`/users/${uid}`), what: 'User' },
        { req: () => t.http().patch(`/users/${uid}`).send({ name: 'hijacked', role: 'user', active: false }), what: 'User' },
        { req: () => t.http().delete(`/users/${uid}`), what: 'User' },
        { req: () => t.http().get(`/apikeys/${kid}`), what: 'API key' },
        {
          req: () =>
            t
              .http()
              .patch(`/apikeys/${kid}`)
              .send({ name: 'hijacked', permissions: ['readLeads'], active: false }),
          what: 'API key',
        },
        { req: () => t.http().delete(`/apikeys/${kid}`), what: 'API key' },
      ];
      for (const { req, what } of calls) {
        const res = await req().set(mine.headers).expect(404);
        expect(res.body).toEqual({ error: 'Not Found', message: `${what} not found` });
      }
      await expect(snapshot()).resolves.toEqual(before);
      // Their key and user still work in their own account.
      await t.http().get('/auth/session').set(theirKey.headers).expect(200);
      await t.http().get('/users').set(theirs.headersFor(theirUser)).expect(200);
    });

    it('lists only my own records', async () => {
      const users = await t.http().get('/users?pageSize=100').set(mine.headers).expect(200);
      expect(users.body.totalCount).toBe(2);
      expect(users.body.data.every((u: { accountId: string }) => u.accountId === mine.accountId)).toBe(true);
      expect(users.body.data.map((u: { id: number }) => u.id)).not.toContain(theirUser.user.id);
      const searched = await t
        .http()
        .get(`/users?search=${encodeURIComponent(theirUser.user.email)}`)
        .set(mine.headers)
        .expect(200);
      expect(searched.body).toEqual({ data: [], totalCount: 0, totalPages: 0, currentPage: 1 });

      const keys = await t.http().get('/apikeys?pageSize=100').set(mine.headers).expect(200);
      expect(keys.body.totalCount).toBe(1);
      expect(keys.body.data.map((k: { id: number }) => k.id)).not.toContain(theirKey.key.id);
      const byKey = await t.http().get(`/apikeys?search=${theirKey.key.key}`).set(mine.headers).expect(200);
      expect(byKey.body.totalCount).toBe(0);
    });
  });
});
