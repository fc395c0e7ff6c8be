import { Account } from '../src/accounts/entities/account.entity';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../src/auth/permissions/permissions';
import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { IdentityFixtures, ISO } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const TZ_INVALID = {
  error: 'timeZone must be an IANA time zone name',
  details: [{ field: 'timeZone', message: 'must be an IANA time zone name' }],
};
const MISSING_WRITE_USERS = { error: 'Forbidden', message: 'Missing permission: writeUsers' };
const DATE_TIME_PROBLEM = 'awayUntil must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T14:30:00Z';

describe('routing data: account time zone and member availability', () => {
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

  const accountRow = (accountId: number) => t.ds.getRepository(Account).findOneByOrFail({ id: accountId });

  describe('PATCH /accounts/:id', () => {
    it('lets an admin set the time zone and name, answered as GET /accounts answers it, and records account_updated', async () => {
      const tenant = await f.tenant();
      const before = await t.http().get('/accounts').set(tenant.admin.auth).expect(200);
      expect(before.body).toEqual([expect.objectContaining({ accountId: tenant.accountId, timeZone: 'UTC' })]);

      const body = { name: ' Berlin office ', timeZone: 'Europe/Berlin' };
      const res = await t.http().patch(`/accounts/${tenant.accountId}`).set(tenant.admin.auth).send(body).expect(200);

      expect(res.body).toEqual({
        accountId: tenant.accountId,
        accountName: 'Berlin office',
        timeZone: 'Europe/Berlin',
        duplicateLeadPolicy: 'allow',
        usersPrimaryAccount: true,
        accountAdmin: true,
        roles: ['admin'],
        permissions: [...ROLE_PERMISSIONS.admin],
        createdAt: tenant.account.createdAt.toISOString(),
      });
      expect(await accountRow(tenant.account.id)).toMatchObject({ name: 'Berlin office', timeZone: 'Europe/Berlin' });
      const list = await t.http().get('/accounts').set(tenant.admin.auth).expect(200);
      expect(list.body).toEqual([res.body]);

      // One field alone leaves the other as it is; a name in any case is stored as sent, trimmed.
      const tz = await t
        .http()
        .patch(`/accounts/${tenant.accountId}`)
        .set(tenant.admin.auth)
        .send({ timeZone: ' america/new_york ' })
        .expect(200);
      expect(tz.body).toMatchObject({ accountName: 'Berlin office', timeZone: 'america/new_york' });
      expect(await accountRow(tenant.account.id)).toMatchObject({ name: 'Berlin office', timeZone: 'america/new_york' });

      // Entries hold the body as received, untrimmed.
      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'account_updated');
      expect(entries.map((e) => [e.statusCode, e.user, e.data])).toEqual([
        [200, tenant.admin.user.email, { params: { id: tenant.accountId }, query: {}, body }],
        [200, tenant.admin.user.email, { params: { id: tenant.accountId }, query: {}, body: { timeZone: ' america/new_york ' } }],
      ]);
    });

    it('answers 400 for a time zone Intl does not know, or a UTC offset, and changes nothing', async () => {
      const tenant = await f.tenant();
      for (const timeZone of ['Mars/Olympus_Mons', '+02:00', 'CEST', '']) {
        const res = await t
          .http()
          .patch(`/accounts/${tenant.accountId}`)
          .set(tenant.admin.auth)
          .send({ name: 'Not applied', timeZone })
          .expect(400);
        expect({ timeZone, body: res.body }).toEqual({ timeZone, body: TZ_INVALID });
      }
      const typed = await t
        .http()
        .patch(`/accounts/${tenant.accountId}`)
        .set(tenant.admin.auth)
        .send({ timeZone: null, accountId: 1 })
        .expect(400);
      expect(typed.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'accountId', message: 'accountId is not an allowed property' },
          { field: 'timeZone', message: 'timeZone must be a string' },
        ],
      });
      expect(await accountRow(tenant.account.id)).toMatchObject({ name: tenant.account.name, timeZone: 'UTC' });
      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'account_updated');
      expect(entries).toEqual([]);
    });

    it('answers 403 to a member who is not an admin and to API keys, 404 for an account that is not theirs, and changes nothing', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const key = await id.apiKey(tenant, [...PERMISSIONS]);
      const send = (headers: Record<string, string>, accountId: string | number) =>
        t.http().patch(`/accounts/${accountId}`).set(headers).send({ timeZone: 'Asia/Tokyo' });

      expect((await send(rep.auth, tenant.accountId).expect(403)).body).toEqual({
        error: 'Forbidden',
        message: 'Only an admin of this account can change it',
      });
      for (const headers of [key.headers, { Authorization: key.headers.Authorization }]) {
        expect((await send(headers, tenant.accountId).expect(403)).body).toEqual({
          error: 'Forbidden',
          message: 'API keys cannot change accounts',
        });
      }
      const notFound = { error: 'Not Found', message: 'Account not found' };
      // Another account (even with its x-account-id header sent), an inactive membership, and no account at all.
      expect((await send({ ...tenant.admin.auth, 'x-account-id': other.accountId }, other.accountId).expect(404)).body).toEqual(notFound);
      await f.member(other.account.id, rep.user, 'admin', { active: false });
      expect((await send(rep.auth, other.accountId).expect(404)).body).toEqual(notFound);
      expect((await send(tenant.admin.auth, 2147483647).expect(404)).body).toEqual(notFound);
      expect((await send(tenant.admin.auth, 'abc').expect(400)).body.details).toEqual([
        { field: 'id', message: 'id must be a positive integer' },
      ]);

      expect(await accountRow(tenant.account.id)).toMatchObject({ timeZone: 'UTC' });
      expect(await accountRow(other.account.id)).toMatchObject({ timeZone: 'UTC' });
    });

    it('lets a superAdmin change an account they are not a member of, answered without a role there', async () => {
      const tenant = await f.tenant();
      const platform = await f.user({ superAdmin: true });
      const res = await t.http().patch(`/accounts/${tenant.accountId}`).set(platform.auth).send({ timeZone: 'Asia/Kolkata' }).expect(200);
      expect(res.body).toEqual({
        accountId: tenant.accountId,
        accountName: tenant.account.name,
        timeZone: 'Asia/Kolkata',
        duplicateLeadPolicy: 'allow',
        usersPrimaryAccount: false,
        accountAdmin: false,
        roles: [],
        permissions: [],
        createdAt: tenant.account.createdAt.toISOString(),
      });
      expect(await accountRow(tenant.account.id)).toMatchObject({ timeZone: 'Asia/Kolkata' });
      await t.http().patch('/accounts/2147483647').set(platform.auth).send({ timeZone: 'UTC' }).expect(404);
    });
  });

  describe('away and awayUntil on PATCH /users/:id', () => {
    const patch = (headers: Record<string, string>, userId: number, body: object) =>
      t.http().patch(`/users/${userId}`).set(headers).send(body);
    const stored = async (tenant: Tenant, u: TestUser) => {
      const m = await id.membership(tenant.account.id, u.user.id);
      return { away: m!.away, awayUntil: m!.awayUntil?.toISOString() ?? null, updatedBy: m!.updatedBy };
    };

    it('lets a member without writeUsers set their own availability, returned by GET /users/:id and the list', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      expect(await stored(tenant, rep)).toEqual({ away: false, awayUntil: null, updatedBy: null });

      const res = await patch(tenant.headersFor(rep), rep.user.id, { away: true, awayUntil: '2030-01-01T10:00:00.5+02:00' }).expect(200);

      expect(res.body).toEqual({
        id: rep.user.id,
        email: rep.user.email,
        name: rep.user.name,
        role: 'user',
        active: true,
        primary: true,
        away: true,
        awayUntil: '2030-01-01T08:00:00.500Z',
        accountId: tenant.accountId,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        createdBy: null,
        updatedBy: rep.user.email,
      });
      expect(await stored(tenant, rep)).toEqual({ away: true, awayUntil: '2030-01-01T08:00:00.500Z', updatedBy: rep.user.email });
      const read = await t.http().get(`/users/${rep.user.id}`).set(tenant.headers).expect(200);
      expect(read.body).toEqual(res.body);
      const list = await t.http().get('/users?sort=id').set(tenant.headers).expect(200);
      expect(list.body.data.map((u: { id: number; away: boolean; awayUntil: string | null }) => [u.id, u.away, u.awayUntil])).toEqual([
        [tenant.admin.user.id, false, null],
        [rep.user.id, true, '2030-01-01T08:00:00.500Z'],
      ]);

      // awayUntil alone, null clears it; away alone leaves awayUntil as it is.
      const cleared = await patch(tenant.headersFor(rep), rep.user.id, { awayUntil: null }).expect(200);
      expect(cleared.body).toMatchObject({ away: true, awayUntil: null });
      await patch(tenant.headersFor(rep), rep.user.id, { awayUntil: '2031-06-01T00:00:00Z' }).expect(200);
      const back = await patch(tenant.headersFor(rep), rep.user.id, { away: false }).expect(200);
      expect(back.body).toMatchObject({ away: false, awayUntil: '2031-06-01T00:00:00.000Z' });
      expect(await stored(tenant, rep)).toEqual({ away: false, awayUntil: '2031-06-01T00:00:00.000Z', updatedBy: rep.user.email });

      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'user_updated');
      expect(entries.map((e) => [e.statusCode, e.user, e.data?.body])).toEqual([
        [200, rep.user.email, { away: true, awayUntil: '2030-01-01T10:00:00.5+02:00' }],
        [200, rep.user.email, { awayUntil: null }],
        [200, rep.user.email, { awayUntil: '2031-06-01T00:00:00Z' }],
        [200, rep.user.email, { away: false }],
      ]);
    });

    it('keeps availability per account', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      await f.member(other.account.id, rep.user, 'user');
      await patch(tenant.headersFor(rep), rep.user.id, { away: true }).expect(200);
      expect(await stored(tenant, rep)).toMatchObject({ away: true });
      const elsewhere = await id.membership(other.account.id, rep.user.id);
      expect(elsewhere).toMatchObject({ away: false, awayUntil: null, updatedBy: null });
    });

    it("refuses (403) without writeUsers another user's availability, or another field with one's own, and changes nothing", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const colleague = await f.memberOf(tenant, 'user');
      const cases: [number, object][] = [
        [colleague.user.id, { away: true }],
        [tenant.admin.user.id, { awayUntil: null }],
        [rep.user.id, { away: true, name: 'Me' }],
        [rep.user.id, { away: true, active: true }],
        [rep.user.id, {}],
        // No look-up happens first: an unknown id is the same 403, not a 404.
        [2147483647, { away: true }],
      ];
      for (const [userId, body] of cases) {
        const res = await patch(tenant.headersFor(rep), userId, body).expect(403);
        expect({ userId, body, res: res.body }).toEqual({ userId, body, res: MISSING_WRITE_USERS });
      }
      for (const u of [rep, colleague, tenant.admin]) {
        expect(await stored(tenant, u)).toEqual({ away: false, awayUntil: null, updatedBy: null });
      }
      expect(await id.user(rep.user.id)).toMatchObject({ name: rep.user.name });
      const rejected = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'request_rejected');
      expect(rejected.map((e) => e.statusCode)).toEqual(cases.map(() => 403));
    });

    it("refuses an API key without writeUsers, even on its creator's own availability; a key with writeUsers may", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const repKey = await id.apiKey(tenant, [...ROLE_PERMISSIONS.user], { creator: rep });
      const adminKey = await id.apiKey(tenant, ['readUsers']);
      for (const [key, userId] of [
        [repKey, rep.user.id],
        [adminKey, tenant.admin.user.id],
        [adminKey, rep.user.id],
      ] as const) {
        const res = await patch(key.headers, userId, { away: true }).expect(403);
        expect(res.body).toEqual(MISSING_WRITE_USERS);
      }
      expect(await stored(tenant, rep)).toEqual({ away: false, awayUntil: null, updatedBy: null });
      expect(await stored(tenant, tenant.admin)).toEqual({ away: false, awayUntil: null, updatedBy: null });

      const writer = await id.apiKey(tenant, [...PERMISSIONS]);
      const res = await patch(writer.headers, rep.user.id, { away: true, awayUntil: '2030-02-01T00:00:00Z' }).expect(200);
      expect(res.body).toMatchObject({
        id: rep.user.id,
        away: true,
        awayUntil: '2030-02-01T00:00:00.000Z',
        updatedBy: tenant.admin.user.email,
      });
      expect(await stored(tenant, rep)).toEqual({ away: true, awayUntil: '2030-02-01T00:00:00.000Z', updatedBy: tenant.admin.user.email });
    });

    it("lets an admin set another member's availability along with other fields", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await patch(tenant.headers, rep.user.id, { away: true, awayUntil: '2030-03-01T09:30:00Z', role: 'user' }).expect(200);
      expect(res.body).toMatchObject({
        away: true,
        awayUntil: '2030-03-01T09:30:00.000Z',
        role: 'user',
        updatedBy: tenant.admin.user.email,
      });
      expect(await stored(tenant, rep)).toEqual({ away: true, awayUntil: '2030-03-01T09:30:00.000Z', updatedBy: tenant.admin.user.email });
    });

    it('answers 400 with every problem for a bad away or awayUntil, and changes nothing', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await patch(tenant.headersFor(rep), rep.user.id, { away: 'yes', awayUntil: 'tomorrow' }).expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'away', message: 'away must be a boolean value' },
          { field: 'awayUntil', message: DATE_TIME_PROBLEM },
        ],
      });
      for (const awayUntil of ['2030-01-01T10:00:00', '2030-01-01', '2030-02-30T10:00:00Z', 1893456000000, true]) {
        const bad = await patch(tenant.headersFor(rep), rep.user.id, { awayUntil }).expect(400);
        expect({ awayUntil, body: bad.body }).toEqual({
          awayUntil,
          body: { error: 'Validation failed', message: DATE_TIME_PROBLEM, details: [{ field: 'awayUntil', message: DATE_TIME_PROBLEM }] },
        });
      }
      const nullAway = await patch(tenant.headersFor(rep), rep.user.id, { away: null }).expect(400);
      expect(nullAway.body.details).toEqual([{ field: 'away', message: 'away must be a boolean value' }]);
      expect(await stored(tenant, rep)).toEqual({ away: false, awayUntil: null, updatedBy: null });
    });
  });
});
