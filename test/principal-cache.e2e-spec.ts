import { Client } from 'pg';
import { PrincipalEvictions } from '../src/auth/principal-evictions.service';
import { LISTENER_APPLICATION_NAME } from '../src/database/notifications';
import { Membership } from '../src/users/entities/membership.entity';
import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const TOKEN_INVALID = { error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' };
const noAccess = (tenant: Tenant) => ({ error: 'Forbidden', message: `You have no access to account ${tenant.accountId}` });

/**
 * The principal cache (docs/PRINCIPAL-CACHE.md): principals are served from memory, and every
 * change that shapes one acts on the very next request. Each revocation is preceded by requests
 * that warm the cache, and the first test shows the cache is really used (a change made behind the
 * service's back, without an eviction, is not seen), so the others would fail without eviction.
 */
describe('principal cache', () => {
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

  const warm = async (headers: Record<string, string>, path = '/leads') => {
    for (let i = 0; i < 2; i++) await t.http().get(path).set(headers).expect(200);
  };
  /** A write to a membership that no writer of the service makes: nothing is evicted. */
  const demoteBehindTheBack = (tenant: Tenant, u: TestUser) =>
    t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: u.user.id }, { role: 'user' }));
  const health = async () => (await t.http().get('/health').expect(200)).body.details.principalCache;

  it('serves a warm principal from memory: a change no writer reported is not seen', async () => {
    const tenant = await f.tenant();
    const admin2 = await f.memberOf(tenant, 'admin');
    await warm(tenant.headersFor(admin2), '/apikeys');
    await demoteBehindTheBack(tenant, admin2);
    await t.http().get('/apikeys').set(tenant.headersFor(admin2)).expect(200);
    expect(await health()).toEqual({
      status: 'up',
      cache: 'on',
      eviction: t.isPostgres ? 'notify' : 'in-process',
      entries: expect.any(Number),
    });
  });

  it('refuses a key right after it is switched off, narrowed or deleted', async () => {
    const tenant = await f.tenant();
    const off = await id.apiKey(tenant, ['readLeads', 'writeLeads']);
    const narrowed = await id.apiKey(tenant, ['readLeads', 'writeLeads']);
    const deleted = await id.apiKey(tenant, ['readLeads']);
    for (const k of [off, narrowed, deleted]) await warm(k.headers);

    await t.http().patch(`/apikeys/${off.key.id}`).set(tenant.headers).send({ active: false }).expect(200);
    expect((await t.http().get('/leads').set(off.headers).expect(401)).body).toEqual(TOKEN_INVALID);

    await t
      .http()
      .patch(`/apikeys/${narrowed.key.id}`)
      .set(tenant.headers)
      .send({ permissions: ['writeLeads'] })
      .expect(200);
    expect((await t.http().get('/leads').set(narrowed.headers).expect(403)).body).toEqual({
      error: 'Forbidden',
      message: 'Missing permission: readLeads',
    });

    await t.http().delete(`/apikeys/${deleted.key.id}`).set(tenant.headers).expect(200);
    expect((await t.http().get('/leads').set(deleted.headers).expect(401)).body).toEqual(TOKEN_INVALID);
  });

  it('refuses a member right after their membership is deactivated, and their user right after it is', async () => {
    const tenant = await f.tenant();
    const paused = await f.memberOf(tenant);
    const disabled = await f.memberOf(tenant);
    await warm(tenant.headersFor(paused));
    await warm(tenant.headersFor(disabled));

    await t.http().patch(`/users/${paused.user.id}`).set(tenant.headers).send({ active: false }).expect(200);
    expect((await t.http().get('/leads').set(tenant.headersFor(paused)).expect(403)).body).toEqual(noAccess(tenant));

    // Users are deactivated platform-wide by an operator (no endpoint), who sends the change.
    await id.setUserActive(disabled.user.id, false);
    expect((await t.http().get('/leads').set(tenant.headersFor(disabled)).expect(401)).body).toEqual(TOKEN_INVALID);
  });

  it('refuses a removed member, and the keys they created, right after the removal', async () => {
    const tenant = await f.tenant();
    const leaver = await f.memberOf(tenant, 'admin');
    const key = await id.apiKey(tenant, ['readLeads'], { creator: leaver });
    await warm(tenant.headersFor(leaver));
    await warm(key.headers);

    await t.http().delete(`/users/${leaver.user.id}`).set(tenant.headers).expect(200);
    expect((await t.http().get('/leads').set(tenant.headersFor(leaver)).expect(403)).body).toEqual(noAccess(tenant));
    expect((await t.http().get('/leads').set(key.headers).expect(401)).body).toEqual(TOKEN_INVALID);
  });

  it('applies a demotion right away, to the user and to their keys', async () => {
    const tenant = await f.tenant();
    const admin2 = await f.memberOf(tenant, 'admin');
    const key = await id.apiKey(tenant, ['readLeads', 'readApiKeys'], { creator: admin2 });
    await warm(tenant.headersFor(admin2), '/apikeys');
    await warm(key.headers, '/apikeys');

    await t.http().patch(`/users/${admin2.user.id}`).set(tenant.headers).send({ role: 'user' }).expect(200);
    const missing = { error: 'Forbidden', message: 'Missing permission: readApiKeys' };
    expect((await t.http().get('/apikeys').set(tenant.headersFor(admin2)).expect(403)).body).toEqual(missing);
    expect((await t.http().get('/apikeys').set(key.headers).expect(403)).body).toEqual(missing);
    await t.http().get('/leads').set(tenant.headersFor(admin2)).expect(200);
  });

  it('lets a user in right after they are added to an account that refused them', async () => {
    const tenant = await f.tenant();
    const other = await f.tenant();
    await t.http().get('/leads').set(other.headersFor(tenant.admin)).expect(403);
    await t.http().get('/leads').set(other.headersFor(tenant.admin)).expect(403);

    await t.http().post('/users').set(other.headers).send({ email: tenant.admin.user.email, role: 'user' }).expect(201);
    await t.http().get('/leads').set(other.headersFor(tenant.admin)).expect(200);
  });

  it("applies an account's new duplicate policy to the very next create", async () => {
    const tenant = await f.tenant();
    const lead = { firstName: 'Dup', lastName: 'Licate', email: 'dup@example.com' };
    const first = await t.http().post('/leads').set(tenant.headers).send(lead).expect(201);
    await t.http().post('/leads').set(tenant.headers).send(lead).expect(201);

    await t.http().patch(`/accounts/${tenant.accountId}`).set(tenant.headers).send({ duplicateLeadPolicy: 'reject' }).expect(200);
    const refused = await t.http().post('/leads').set(tenant.headers).send(lead).expect(409);
    expect(refused.body.details[0]).toMatchObject({ field: 'email', leadId: first.body.id });
  });

  it('evicts nothing when the revoking transaction rolls back', async () => {
    const tenant = await f.tenant();
    const admin2 = await f.memberOf(tenant, 'admin');
    await warm(tenant.headersFor(admin2), '/apikeys');
    const evictions = t.app.get(PrincipalEvictions);
    const before = evictions.cache.generation;
    await expect(
      t.tx.run(async (em) => {
        await em.update(Membership, { accountId: tenant.account.id, userId: admin2.user.id }, { role: 'user' });
        await evictions.changed(em, { userId: admin2.user.id });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(evictions.cache.generation).toBe(before);
    await t.http().get('/apikeys').set(tenant.headersFor(admin2)).expect(200);
  });

  (process.env.DATABASE_URL ? describe : describe.skip)('on PostgreSQL, when the listening connection is lost', () => {
    const sql = async <T>(text: string, params: unknown[]): Promise<T[]> => {
      const c = new Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      try {
        return (await c.query(text, params)).rows as T[];
      } finally {
        await c.end();
      }
    };
    const terminateListener = async (): Promise<number> =>
      (
        await sql(
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        )
      ).length;
    const waitFor = async (cache: 'on' | 'bypassed') => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const h = await health();
        if (h.cache === cache) return h;
        if (Date.now() > deadline) throw new Error(`principal cache still ${JSON.stringify(h)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };

    it('bypasses the cache (saying so in /health) until it has resubscribed, then caches again', async () => {
      const tenant = await f.tenant();
      const admin2 = await f.memberOf(tenant, 'admin');
      const admin3 = await f.memberOf(tenant, 'admin');
      const key = await id.apiKey(tenant, ['readLeads']);
      await warm(tenant.headersFor(admin2), '/apikeys');
      await warm(key.headers);

      expect(await terminateListener()).toBe(1);
      const down = await waitFor('bypassed');
      expect(down).toEqual({ status: 'up', cache: 'bypassed', eviction: 'notify', entries: 0, reason: 'eviction listener down' });

      // Bypassed: a change behind the service's back is seen at once, and so is a revocation.
      await demoteBehindTheBack(tenant, admin2);
      await t.http().get('/apikeys').set(tenant.headersFor(admin2)).expect(403);
      await t.http().patch(`/apikeys/${key.key.id}`).set(tenant.headers).send({ active: false }).expect(200);
      await t.http().get('/leads').set(key.headers).expect(401);

      // Back (100 ms backoff): principals are cached again and a change no writer reported is not seen.
      await waitFor('on');
      await warm(tenant.headersFor(admin3), '/apikeys');
      expect((await health()).entries).toBeGreaterThan(0);
      await demoteBehindTheBack(tenant, admin3);
      await t.http().get('/apikeys').set(tenant.headersFor(admin3)).expect(200);
      // A change notified by another instance (here, another connection) is received on the new subscription.
      await sql("SELECT pg_notify('leads_principals', $1)", [`u:${admin3.user.id}`]);
      const deadline = Date.now() + 1000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) status = (await t.http().get('/apikeys').set(tenant.headersFor(admin3))).status;
      expect(status).toBe(403);
    });
  });
});
