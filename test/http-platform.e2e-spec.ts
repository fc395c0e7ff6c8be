import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Team } from '../src/teams/entities/team.entity';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

// Two proxies in front (a hop count; 1 would read as true): the client is the address the outer one appended.
process.env.TRUST_PROXY = '2';

/** What the API promised under its first platform and keeps under Fastify (src/configure-app.ts). */
describe('HTTP platform', () => {
  let t: TestApp;
  let f: Fixtures;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    tenant = await f.tenant();
  });
  afterAll(async () => {
    await t.close();
  });

  const teamEntry = async (name: string) => {
    await t.flushAudit();
    const entries = await t.ds.getRepository(AuditLog).find({ where: { accountId: Number(tenant.accountId), requestPath: '/teams' } });
    return entries.filter((e) => (e.data as { body?: { name?: string } })?.body?.name === name);
  };

  it('routes a path with a trailing slash or in other letter cases as the path itself', async () => {
    const name = uniq('Slash ');
    const created = await t.http().post('/teams/').set(tenant.headers).send({ name }).expect(201);
    await t.http().get(`/Teams/${created.body.id}`).set(tenant.headers).expect(200, created.body);
    await t.http().get(`/teams/${created.body.id}/`).set(tenant.headers).expect(200, created.body);
  });

  it('treats /HEALTH/ and /Docs as /health and /docs: not audited, and the documentation page gets its own policy', async () => {
    await t.http().get('/HEALTH/').expect(200);
    const docs = await t.http().get('/Docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['cache-control'] ?? '').not.toMatch(/no-store/);
    await t.flushAudit();
    await expect(t.ds.getRepository(AuditLog).count({ where: { requestPath: '/HEALTH/' } })).resolves.toBe(0);
  });

  it('takes the client address from X-Forwarded-For as far as the trusted hop count reaches', async () => {
    const name = uniq('Proxied ');
    await t
      .http()
      .post('/teams')
      .set(tenant.headers)
      .set('x-forwarded-for', '203.0.113.9, 198.51.100.7, 192.0.2.5')
      .send({ name })
      .expect(201);
    expect((await teamEntry(name)).map((e) => e.requestIpAddress)).toEqual(['198.51.100.7']);
  });

  it('reads no body of another media type: the request fails validation and stores nothing', async () => {
    const name = uniq('Plain ');
    const res = await t
      .http()
      .post('/teams')
      .set(tenant.headers)
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ name }))
      .expect(400);
    expect(res.body.error).toBe('Validation failed');
    expect(await t.ds.getRepository(Team).count({ where: { name } })).toBe(0);
  });

  it('answers without an ETag (conditional requests are not part of the contract)', async () => {
    const res = await t.http().get('/teams').set(tenant.headers).expect(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });
});
