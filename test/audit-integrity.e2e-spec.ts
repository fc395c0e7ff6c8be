import { AuditRetentionService } from '../src/audit/audit-retention.service';
import { AuditService } from '../src/audit/audit.service';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Team } from '../src/teams/entities/team.entity';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/** Contract §10: the audit log loses nothing because of what a request contains, and a change never commits without its entry. */
describe('audit log integrity', () => {
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

  const entriesFor = (path: string, method: string) =>
    t.ds
      .getRepository(AuditLog)
      .find({ where: { accountId: Number(tenant.accountId), requestPath: path, requestMethod: method }, order: { id: 'ASC' } });

  it("writes a change's entry in the change's transaction: it is there as soon as the response is", async () => {
    const name = uniq('Team ');
    // As if the process died right after answering: queued entries are never flushed.
    const hold = jest.spyOn(t.app.get(AuditService), 'flush').mockResolvedValue();
    let entries: AuditLog[];
    let res;
    try {
      res = await t.http().post('/teams').set(tenant.headers).send({ name }).expect(201);
      await new Promise((r) => setTimeout(r, 50));
      entries = await entriesFor('/teams', 'POST');
    } finally {
      hold.mockRestore();
    }
    const mine = entries.filter((e) => (e.data as { body?: { name?: string } })?.body?.name === name);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ event: 'team_created', statusCode: 201, user: tenant.admin.user.email });
    expect(res.body.name).toBe(name);
  });

  it('rolls the change back when its entry cannot be written, and records the failure', async () => {
    const audit = t.app.get(AuditService);
    const spy = jest.spyOn(audit, 'writeInTransaction').mockRejectedValueOnce(new Error('audit insert failed'));
    const name = uniq('Unaudited ');
    try {
      const res = await t.http().post('/teams').set(tenant.headers).send({ name }).expect(500);
      expect(res.body).toEqual({
        error: 'Internal Server Error',
        message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
      });
    } finally {
      spy.mockRestore();
    }
    expect(await t.ds.getRepository(Team).count({ where: { name } })).toBe(0);
    await t.flushAudit();
    const failed = (await entriesFor('/teams', 'POST')).filter((e) => (e.data as { body?: { name?: string } })?.body?.name === name);
    expect(failed.map((e) => [e.event, e.statusCode])).toEqual([['request_failed', 500]]);
  });

  // Bodies of POST, PATCH and DELETE only: a GET's body has no meaning in HTTP and is not read.
  it('stores the entry of every request whatever its JSON holds (lone surrogates, NUL), made storable', async () => {
    const raw = (method: 'post' | 'patch' | 'delete' | 'get', path: string, body: string) =>
      t.http()[method](path).set(tenant.headers).set('Content-Type', 'application/json').send(body);
    const marker = uniq('m');
    // JSON escapes, exactly as a client sends them: JSON.parse yields a lone surrogate / U+0000.
    const requests: [string, 'post' | 'patch' | 'delete' | 'get', string, string][] = [
      ['/apikeys', 'post', '/apikeys', `{"name":"stealth\\ud800${marker}","permissions":["readLeads"]}`],
      ['/teams', 'post', '/teams', `{"name":"nul\\u0000${marker}"}`],
      ['/users/999999', 'delete', '/users/999999', `{"x":"\\udc00${marker}"}`],
      ['/leads', 'post', '/leads', `{"firstName":"\\ud83d${marker}","lastName":"B"}`],
    ];
    const statuses: number[] = [];
    for (const [, method, path, body] of requests) statuses.push((await raw(method, path, body)).status);
    expect(statuses.every((s) => s < 500)).toBe(true);
    await t.flushAudit();
    for (const [path, method] of requests) {
      const entries = (await entriesFor(path, method.toUpperCase())).filter((e) => JSON.stringify(e.data).includes(marker));
      expect({ path, count: entries.length }).toEqual({ path, count: 1 });
      const text = JSON.stringify(entries[0].data);
      expect(text).toContain(`\uFFFD${marker}`);
      expect(text.isWellFormed()).toBe(true);
      expect(text).not.toContain('\\u0000');
    }
  });

  it('keeps audit ids beyond 32 bits', async () => {
    const big = 2 ** 31 + 7;
    if (t.isPostgres) await t.ds.query(`SELECT setval('audit_logs_id_seq', $1)`, [big]);
    else await t.ds.query(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_logs'`, [big]);
    const name = uniq('Big ');
    await t.http().post('/teams').set(tenant.headers).send({ name }).expect(201);
    const res = await t.http().get('/audit-logs?event=team_created&pageSize=100').set(tenant.headers).expect(200);
    const entry = res.body.data.find((e: { data: { body?: { name?: string } } }) => e.data.body?.name === name);
    expect(entry.id).toBe(big + 1);
  });

  describe('retention', () => {
    const DAY = 86_400_000;
    /** Entries whose ids are as old as their dates: moved below every id handed out so far (ids grow with time). */
    const insertAged = async (count: number, ageDays: number, event: string, idShift: number) => {
      const created = new Date(Date.now() - ageDays * DAY);
      const rows = Array.from({ length: count }, () => ({
        accountId: Number(tenant.accountId),
        event,
        user: null,
        apiKey: null,
        data: {},
        created,
        requestMethod: 'GET',
        requestPath: '/retention-test',
        requestHeaders: {},
        requestIpAddress: null,
        statusCode: 200,
        leadId: null,
      }));
      for (let i = 0; i < rows.length; i += 500) await t.ds.getRepository(AuditLog).insert(rows.slice(i, i + 500));
      await t.ds
        .createQueryBuilder()
        .update(AuditLog)
        .set({ id: () => `id - ${idShift}` })
        .where('event = :event', { event })
        .execute();
    };
    const count = (event: string) => t.ds.getRepository(AuditLog).count({ where: { event } });

    it('deletes entries older than AUDIT_RETENTION_DAYS (365 by default) in batches, and keeps younger ones', async () => {
      // Oldest first, as the ids of a live log run: more than one batch of expired entries, then kept ones.
      await insertAged(2300, 400, 'retention_old', 1e13);
      await insertAged(30, 364, 'retention_young', 1e12);
      const purged = await t.app.get(AuditRetentionService).purge();
      expect(await count('retention_old')).toBe(0);
      expect(await count('retention_young')).toBe(30);
      expect(purged).toBeGreaterThanOrEqual(2300);
    });
  });
});
