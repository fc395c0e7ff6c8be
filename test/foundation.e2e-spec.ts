import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Account } from '../src/accounts/entities/account.entity';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { AllExceptionsFilter } from '../src/common/filters/all-exceptions.filter';
import { preparedQuery } from '../src/database/prepared';
import { TeamsService } from '../src/teams/teams.service';
import { Fixtures } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health answers 200 when the database answers', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('answers unknown routes with the error body', async () => {
    const res = await t.http().get('/no-such-route').expect(404);
    expect(res.body).toEqual({ error: 'Not Found', message: 'Cannot GET /no-such-route' });
  });

  it('answers malformed JSON with 400 and the error body', async () => {
    const res = await t.http().post('/auth/login').set('content-type', 'application/json').send('{"email": ').expect(400);
    expect(res.body).toEqual({ error: 'Malformed JSON', message: 'The request body is not valid JSON' });
  });

  it('answers every response with x-request-id: a well-formed one as sent, else a new UUID', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const echoed = await t.http().get('/health').set('x-request-id', 'trace-42.a_b').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-42.a_b');
    const unauthorized = await t.http().get('/leads').set('x-request-id', 'not well formed!').expect(401);
    expect(unauthorized.headers['x-request-id']).toMatch(uuid);
    const malformed = await t.http().post('/auth/login').set('content-type', 'application/json').send('{"email": ').expect(400);
    expect(malformed.headers['x-request-id']).toMatch(uuid);
    expect(malformed.headers['x-request-id']).not.toBe(unauthorized.headers['x-request-id']);
  });

  it('refuses bodies over 100 KB with 413', async () => {
    const big = JSON.stringify({ firstName: 'x'.repeat(101 * 1024) });
    const res = await t.http().post('/leads').set('content-type', 'application/json').send(big).expect(413);
    expect(res.body).toEqual({ error: 'Payload Too Large', message: 'The request body must not exceed 100 KB' });
  });

  it('answers an unexpected error with 500, an error id and nothing internal', async () => {
    const tenant = await new Fixtures(t).tenant();
    const spy = jest
      .spyOn(t.app.get(TeamsService), 'list')
      .mockRejectedValueOnce(new TypeError("Cannot read properties of undefined (reading 'x') at SELECT * FROM teams"));
    const filterLogger = (t.app.get(AllExceptionsFilter) as unknown as { logger: Logger }).logger;
    const logged = jest.spyOn(filterLogger, 'error').mockImplementation(() => undefined);
    const res = await t.http().get('/teams').set(tenant.headers).set('x-request-id', 'failing-request-1').expect(500);
    spy.mockRestore();
    const lines = logged.mock.calls.map((c) => String(c[0]));
    logged.mockRestore();
    expect(res.body).toEqual({
      error: 'Internal Server Error',
      message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
    });
    const errorId = /error id ([0-9a-f-]{36})/.exec(res.body.message)![1];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Unhandled error ${errorId} on GET /teams \\(request failing-request-1\\): TypeError`));
    expect(JSON.stringify(res.body)).not.toMatch(/SELECT|TypeError|at /);
    await t.flushAudit();
    const [entry] = await t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id }, order: { id: 'DESC' }, take: 1 });
    expect(entry).toMatchObject({ event: 'request_failed', statusCode: 500, requestPath: '/teams' });
  });

  it('answers 503 with the error body when the database is unreachable', async () => {
    const spy = jest
      .spyOn(t.app.get(TeamsService), 'list')
      .mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    const tenant = await new Fixtures(t).tenant();
    const res = await t.http().get('/teams').set(tenant.headers).expect(503);
    spy.mockRestore();
    expect(res.body).toEqual({ error: 'Service Unavailable', message: 'The database is unavailable; retry the request later' });
  });

  it('leaves the schema builder nothing to change after the migrations', async () => {
    const sql = await t.ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('runs 50 concurrent multi-statement transactions without conflicts', async () => {
    const prefix = `tx-${Date.now()}-`;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        t.tx.run(async (em) => {
          const a = await em.save(em.create(Account, { name: `${prefix}${i}`, createdBy: null }));
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          await em.update(Account, { id: a.id }, { name: `${prefix}${i}-renamed` });
          const count = await em.count(Account, { where: { id: a.id } });
          if (count !== 1) throw new Error('row not visible inside its own transaction');
          return a.id;
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const rows = await t.ds
      .getRepository(Account)
      .createQueryBuilder('a')
      .where('a.name LIKE :p', { p: `${prefix}%-renamed` })
      .getCount();
    expect(rows).toBe(50);
  });

  it('rolls a failed transaction back entirely', async () => {
    const name = `rollback-${Date.now()}`;
    await expect(
      t.tx.run(async (em) => {
        await em.save(em.create(Account, { name, createdBy: null }));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(t.ds.getRepository(Account).count({ where: { name } })).resolves.toBe(0);
  });

  (process.env.DATABASE_URL ? it : it.skip)('reads one snapshot in tx.snapshot: what commits between its reads is not seen', async () => {
    const accounts = t.ds.getRepository(Account);
    const account = await accounts.save(accounts.create({ name: `snapshot-${Date.now()}`, createdBy: null }));
    const nameIn = async (em: EntityManager) => (await em.getRepository(Account).findOneByOrFail({ id: account.id })).name;
    const seen = await t.tx.snapshot(async (em) => {
      const before = await nameIn(em);
      // Another connection of the pool: commits at once, between the two reads.
      await accounts.update(account.id, { name: `${account.name}-renamed` });
      return [before, await nameIn(em)];
    });
    expect(seen).toEqual([account.name, account.name]);
    await expect(nameIn(t.ds.manager)).resolves.toBe(`${account.name}-renamed`);
  });

  it('runs a prepared statement in the open transaction, and outside one committed at once, as often as asked', async () => {
    const p = (i: number) => (t.isPostgres ? `$${i}` : '?');
    const insert = `INSERT INTO accounts (name, created_by, created_at, updated_at) VALUES (${p(1)}, NULL, ${p(2)}, ${p(3)})`;
    const select = `SELECT name FROM accounts WHERE name = ${p(1)}`;
    const name = `prepared-${Date.now()}`;
    const now = t.isPostgres ? new Date() : new Date().toISOString().replace('T', ' ').slice(0, 23);
    await expect(
      t.tx.run(async (em) => {
        await preparedQuery(em, insert, [name, now, now]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(t.ds.getRepository(Account).count({ where: { name } })).resolves.toBe(0);

    await preparedQuery(t.ds.manager, insert, [name, now, now]);
    await expect(t.ds.getRepository(Account).count({ where: { name } })).resolves.toBe(1);
    // The same text again, side by side and inside a transaction: a connection that already prepared
    // it reuses it, one that has not prepares it.
    const outside = await Promise.all([1, 2, 3].map(() => preparedQuery<{ name: string }>(t.ds.manager, select, [name])));
    const inside = await t.tx.run((em) => preparedQuery<{ name: string }>(em, select, [name]));
    expect([...outside, inside]).toEqual(Array(4).fill([{ name }]));
  });

  it('serves the OpenAPI document with the bearer scheme and the x-account-id parameter', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: expect.stringContaining('POST /auth/login'),
    });
    expect(res.body.components.parameters.xAccountIdHeader).toEqual({
      in: 'header',
      name: 'x-account-id',
      schema: { type: 'string' },
      description: 'Account ID for the request',
      required: true,
      example: '2311',
    });
  });
});
