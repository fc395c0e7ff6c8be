import { Client } from 'pg';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { IdempotencyService } from '../src/idempotency/idempotency.service';
import { Lead } from '../src/leads/entities/lead.entity';
import { LeadsService } from '../src/leads/leads.service';
import { LeadRotation } from '../src/rotations/entities/lead-rotation.entity';
import { Fixtures, Tenant } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A tenant with a default rotation over two reps, so creates advance a pointer. */
  async function tenantWithRotation(): Promise<{ tenant: Tenant; rotationId: number; reps: string[] }> {
    const tenant = await f.tenant();
    const reps = [await f.memberOf(tenant), await f.memberOf(tenant)].map((u) => u.user.email);
    const rotation = await t.tx.run((em) =>
      em.save(
        em.create(LeadRotation, {
          accountId: tenant.account.id,
          name: 'default',
          isDefault: true,
          status: 'active',
          teamId: null,
          userRotationArray: reps,
          currentPosition: 0,
          createdBy: null,
          updatedBy: null,
        }),
      ),
    );
    return { tenant, rotationId: rotation.id, reps };
  }

  const leadCount = (accountId: number) => t.ds.getRepository(Lead).count({ where: { accountId } });
  const pointer = async (id: number) => (await t.ds.getRepository(LeadRotation).findOneByOrFail({ id })).currentPosition;

  it('replays the first response for the same key and body, creating nothing more', async () => {
    const { tenant, rotationId } = await tenantWithRotation();
    const body = { firstName: 'Ada', lastName: 'Lovelace' };
    const first = await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-1').send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-1').send(body).expect(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    await expect(leadCount(tenant.account.id)).resolves.toBe(1);
    await expect(pointer(rotationId)).resolves.toBe(1);
    await t.flushAudit();
    const created = await t.ds.getRepository(AuditLog).count({ where: { accountId: tenant.account.id, event: 'lead_created' } });
    expect(created).toBe(1);
    const replays = await t.ds.getRepository(AuditLog).count({ where: { accountId: tenant.account.id, event: 'idempotent_replay' } });
    expect(replays).toBe(1);
  });

  it('answers 422 when the key is reused with a different body, and changes nothing', async () => {
    const { tenant, rotationId } = await tenantWithRotation();
    await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-2').send({ firstName: 'A', lastName: 'B' }).expect(201);
    const res = await t
      .http()
      .post('/leads')
      .set(tenant.headers)
      .set('Idempotency-Key', 'k-2')
      .send({ firstName: 'A', lastName: 'C' })
      .expect(422);
    expect(res.body).toEqual({ error: 'Unprocessable Entity', message: 'This Idempotency-Key was already used with a different request' });
    await expect(leadCount(tenant.account.id)).resolves.toBe(1);
    await expect(pointer(rotationId)).resolves.toBe(1);
  });

  it('scopes keys to the caller: another user with the same key creates their own lead', async () => {
    const { tenant } = await tenantWithRotation();
    const other = await f.memberOf(tenant, 'user');
    const body = { firstName: 'Same', lastName: 'Key' };
    const a = await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'shared').send(body).expect(201);
    const b = await t.http().post('/leads').set(tenant.headersFor(other)).set('Idempotency-Key', 'shared').send(body).expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
    await expect(leadCount(tenant.account.id)).resolves.toBe(2);
  });

  it('stores nothing for a failed request, so the key can be used again', async () => {
    const { tenant } = await tenantWithRotation();
    await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-3').send({ firstName: 'A' }).expect(400);
    await expect(t.ds.getRepository(IdempotencyKey).count({ where: { accountId: tenant.account.id } })).resolves.toBe(0);
    await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-3').send({ firstName: 'A', lastName: 'B' }).expect(201);
    await expect(leadCount(tenant.account.id)).resolves.toBe(1);
  });

  it.each([
    ['POST /leads', '/leads', { firstName: 'Ada', lastName: 'Lovelace' }, 'lead_created'],
    ['POST /teams', '/teams', { name: 'Rolled back' }, 'team_created'],
  ])(
    'records %s as failed when its key cannot be stored: the entry written with the change rolled back with it',
    async (_, path, body, event) => {
      const { tenant, rotationId } = await tenantWithRotation();
      const store = jest.spyOn(t.app.get(IdempotencyService), 'execute').mockImplementationOnce(async (req, res, key, status, handler) =>
        // The handler runs inside the key's transaction, then storing the key fails: all of it rolls back.
        t.tx.run(async () => {
          await handler();
          throw new Error('idempotency key insert failed');
        }),
      );
      const res = await t.http().post(path).set(tenant.headers).set('Idempotency-Key', 'k-rollback').send(body).expect(500);
      expect(res.body).toEqual({
        error: 'Internal Server Error',
        message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
      });
      store.mockRestore();
      await expect(leadCount(tenant.account.id)).resolves.toBe(0);
      await expect(pointer(rotationId)).resolves.toBe(0);
      await t.flushAudit();
      const entries = await t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id, requestPath: path } });
      expect(entries.map((e) => [e.event, e.statusCode])).toEqual([['request_failed', 500]]);
      expect(entries.some((e) => e.event === event)).toBe(false);
    },
  );

  it.each([
    ['too long', 'k'.repeat(256)],
    ['with spaces', 'a key'],
  ])('rejects a key %s with 400', async (_, key) => {
    const { tenant } = await tenantWithRotation();
    const res = await t
      .http()
      .post('/leads')
      .set(tenant.headers)
      .set('Idempotency-Key', key)
      .send({ firstName: 'A', lastName: 'B' })
      .expect(400);
    expect(res.body).toEqual({
      error: 'Invalid Idempotency-Key',
      message: 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
    });
    await expect(leadCount(tenant.account.id)).resolves.toBe(0);
  });

  it('accepts a key of 255 characters', async () => {
    const { tenant } = await tenantWithRotation();
    await t
      .http()
      .post('/leads')
      .set(tenant.headers)
      .set('Idempotency-Key', 'k'.repeat(255))
      .send({ firstName: 'A', lastName: 'B' })
      .expect(201);
  });

  it('creates one lead for concurrent requests with the same key (the others replay it or get 409)', async () => {
    const { tenant } = await tenantWithRotation();
    const body = { firstName: 'Racing', lastName: 'Retries' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'race').send(body)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    await expect(leadCount(tenant.account.id)).resolves.toBe(1);
  });

  // On SQLite a running transaction holds the only connection, so a second request waits (and then
  // replays) instead of overlapping: the in-progress 409 is observable on PostgreSQL.
  (process.env.DATABASE_URL ? it : it.skip)('answers 409 to the same key while the first request is still running', async () => {
    const { tenant } = await tenantWithRotation();
    const leads = t.app.get(LeadsService);
    const original = leads.create.bind(leads);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const spy = jest.spyOn(leads, 'create').mockImplementationOnce(async (...args: Parameters<LeadsService['create']>) => {
      await gate;
      return original(...args);
    });
    const body = { firstName: 'Slow', lastName: 'Request' };
    const first = t
      .http()
      .post('/leads')
      .set(tenant.headers)
      .set('Idempotency-Key', 'k-4')
      .send(body)
      .then((r) => r);
    await new Promise((r) => setTimeout(r, 100));
    const second = await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-4').send(body);
    release();
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ error: 'Conflict', message: 'A request with this Idempotency-Key is still being processed' });
    expect((await first).status).toBe(201);
    spy.mockRestore();
    await expect(leadCount(tenant.account.id)).resolves.toBe(1);
  });

  (process.env.DATABASE_URL ? it : it.skip)('answers 409 while another instance holds the key (PostgreSQL advisory lock)', async () => {
    const { tenant } = await tenantWithRotation();
    const other = new Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      const scope = `${tenant.account.id}:user:${tenant.admin.user.id}:k-5`;
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [0x1ead, scope]);
      const res = await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-5').send({ firstName: 'A', lastName: 'B' });
      expect(res.status).toBe(409);
      await other.query('ROLLBACK');
    } finally {
      await other.end();
    }
    await expect(leadCount(tenant.account.id)).resolves.toBe(0);
    await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-5').send({ firstName: 'A', lastName: 'B' }).expect(201);
  });

  it('purges expired records, after which the key starts afresh', async () => {
    const { tenant } = await tenantWithRotation();
    await t.http().post('/leads').set(tenant.headers).set('Idempotency-Key', 'k-6').send({ firstName: 'A', lastName: 'B' }).expect(201);
    const service = t.app.get(IdempotencyService);
    await expect(service.purgeExpired(new Date(Date.now() + 25 * 3600 * 1000))).resolves.toBeGreaterThanOrEqual(1);
    await expect(t.ds.getRepository(IdempotencyKey).count({ where: { accountId: tenant.account.id } })).resolves.toBe(0);
    const again = await t
      .http()
      .post('/leads')
      .set(tenant.headers)
      .set('Idempotency-Key', 'k-6')
      .send({ firstName: 'A', lastName: 'B' })
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    await expect(leadCount(tenant.account.id)).resolves.toBe(2);
  });
});

describe('Idempotency-Key on other creates', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('replays POST /apikeys without ever storing the secret', async () => {
    const tenant = await f.tenant();
    const body = { name: 'Zapier', permissions: ['readLeads', 'writeLeads'] };
    const first = await t.http().post('/apikeys').set(tenant.headers).set('Idempotency-Key', 'key-1').send(body).expect(201);
    expect(typeof first.body.apiSecret).toBe('string');
    const replay = await t.http().post('/apikeys').set(tenant.headers).set('Idempotency-Key', 'key-1').send(body).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual({ ...first.body, apiSecret: null });
    const stored = await t.ds.getRepository(IdempotencyKey).find({ where: { accountId: tenant.account.id } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored[0].responseBody)).not.toContain(first.body.apiSecret);
    const keys = await t.ds.query(`SELECT count(*) AS n FROM api_keys WHERE account_id = ${tenant.account.id}`);
    expect(Number(keys[0].n)).toBe(1);
  });

  it('fingerprints requests with a keyed hash, so a stored body hash reveals nothing of a password', async () => {
    const tenant = await f.tenant();
    const body = { email: `idem-${Date.now()}@example.com`, role: 'user', password: 'correct horse battery' };
    await t.http().post('/users').set(tenant.headers).set('Idempotency-Key', 'user-1').send(body).expect(201);
    const [stored] = await t.ds.getRepository(IdempotencyKey).find({ where: { accountId: tenant.account.id } });
    const { createHash } = await import('node:crypto');
    const plain = createHash('sha256')
      .update(JSON.stringify(['POST', '/users', body]))
      .digest('hex');
    expect(stored.requestHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.requestHash).not.toBe(plain);
    expect(JSON.stringify(stored)).not.toContain('correct horse battery');
  });
});
