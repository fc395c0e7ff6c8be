import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

type Entry = Record<string, unknown> & { id: number; event: string; created: string };

describe('GET /audit-logs', () => {
  let t: TestApp;
  let f: Fixtures;
  let tenant: Tenant;
  let member: TestUser;
  let leadId: number;
  let startedAt: string;
  let leadAsRead: { auditLog: Entry[] };

  const list = (query = '', h: Record<string, string> = tenant.headers) =>
    t
      .http()
      .get(`/audit-logs${query ? `?${query}` : ''}`)
      .set(h);
  /** Events of the listed entries, leaving out the entries of this suite's own GET /audit-logs calls. */
  const events = async (query: string) =>
    (await list(query).expect(200)).body.data
      .filter((e: Entry) => !String(e.requestPath).startsWith('/audit-logs'))
      .map((e: Entry) => e.event);

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    tenant = await f.tenant();
    member = await f.memberOf(tenant, 'user');
    startedAt = new Date().toISOString();
    // Sequential requests, so the entries' timestamps follow this order.
    leadId = (await t.http().post('/leads').set(tenant.headers).send({ firstName: 'A', lastName: 'B' }).expect(201)).body.id;
    await t.http().patch(`/leads/${leadId}`).set(tenant.headersFor(member)).send({ company: 'C' }).expect(200);
    leadAsRead = (await t.http().get(`/leads/${leadId}`).set(tenant.headers).expect(200)).body;
    await t.http().post('/leads').set(tenant.headers).send({ firstName: '' }).expect(400);
    // Another account's activity never shows.
    const other = await f.tenant();
    await t.http().post('/leads').set(other.headers).send({ firstName: 'X', lastName: 'Y' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it("lists the account's entries, newest first, with status code and lead id", async () => {
    const res = await list('search=%2Fleads').expect(200);
    expect(res.body).toMatchObject({ totalCount: 4, totalPages: 1, currentPage: 1 });
    expect(res.body.data.map((e: Entry) => [e.event, e.requestMethod, e.statusCode, e.leadId])).toEqual([
      ['request_rejected', 'POST', 400, null],
      ['api_request', 'GET', 200, leadId],
      ['lead_updated', 'PATCH', 200, leadId],
      ['lead_created', 'POST', 201, leadId],
    ]);
    const created = res.body.data[3];
    expect(Object.keys(created).sort()).toEqual(
      [
        'id',
        'event',
        'user',
        'apiKey',
        'data',
        'created',
        'requestMethod',
        'requestPath',
        'requestHeaders',
        'requestIpAddress',
        'account_id',
        'statusCode',
        'leadId',
      ].sort(),
    );
    expect(created).toMatchObject({
      user: tenant.admin.user.email,
      apiKey: null,
      requestPath: '/leads',
      account_id: tenant.accountId,
      requestHeaders: expect.objectContaining({ authorization: '[REDACTED]' }),
    });
    const { statusCode: _s, leadId: _l, ...asInLead } = created;
    expect(leadAsRead.auditLog[0]).toEqual(asInLead);
  });

  it('shows the entry of a request made just before (the queue is flushed first)', async () => {
    const own = await f.tenant();
    await t.http().get('/leads?company=zzz').set(own.headers).expect(200);
    const res = await list('requestMethod=get', own.headers).expect(200);
    expect(res.body.totalCount).toBe(1);
    expect(res.body.data[0]).toMatchObject({
      event: 'api_request',
      requestPath: '/leads?company=zzz',
      data: { query: { company: 'zzz' } },
    });
  });

  it('filters by event, user, leadId, requestMethod, statusCode and created', async () => {
    await expect(events('event=lead_updated')).resolves.toEqual(['lead_updated']);
    await expect(events(`user=${encodeURIComponent(member.user.email.toUpperCase())}`)).resolves.toEqual(['lead_updated']);
    await expect(events(`leadId=${leadId}&sort=created`)).resolves.toEqual(['lead_created', 'lead_updated', 'api_request']);
    await expect(events('requestMethod=patch')).resolves.toEqual(['lead_updated']);
    await expect(events('statusCode=400')).resolves.toEqual(['request_rejected']);
    await expect(events('statusCode=201')).resolves.toEqual(['lead_created']);
    await expect(events(`created=,${encodeURIComponent(startedAt)}`)).resolves.toEqual([]);
    const all = await events(`created=${encodeURIComponent(startedAt)},&requestMethod=POST`);
    expect(all).toEqual(['request_rejected', 'lead_created']);
    await expect(events(`search=${encodeURIComponent(`/LEADS/${leadId}`)}`)).resolves.toEqual(['api_request', 'lead_updated']);
    await expect(events('event=lead_created&user=nobody@example.com')).resolves.toEqual([]);
  });

  it('pages and sorts', async () => {
    const first = await list('sort=id&pageSize=2&requestMethod=POST&statusCode=201').expect(200);
    expect(first.body).toMatchObject({ totalCount: 1, totalPages: 1, currentPage: 1 });
    const byId = await list('sort=-id&pageSize=3').expect(200);
    const ids = byId.body.data.map((e: Entry) => e.id);
    expect(ids).toEqual([...ids].sort((a: number, b: number) => b - a));
    expect(byId.body.totalPages).toBe(Math.ceil(byId.body.totalCount / 3));
    const past = await list('page=5&pageSize=2&requestMethod=POST').expect(200);
    expect(past.body.data).toEqual([]);
    const bad = await list('sort=password').expect(400);
    expect(bad.body.error).toBe('Invalid sort');
  });

  it('refuses malformed filters', async () => {
    for (const [query, field] of [
      ['statusCode=abc', 'statusCode'],
      ['leadId=0', 'leadId'],
      ['created=yesterday', 'created'],
      ['colour=red', 'colour'],
      [`event=${encodeURIComponent('a\u0000')}`, 'event'],
    ]) {
      const res = await list(query).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it("needs readAuditLog: a 'user' member is refused", async () => {
    const res = await list('', tenant.headersFor(member)).expect(403);
    expect(res.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readAuditLog' });
  });
});
