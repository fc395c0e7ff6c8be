import { DbThrottlerStorage } from '../src/common/rate-limit/db-throttler.storage';
import { RateLimitBucket } from '../src/common/rate-limit/entities/rate-limit-bucket.entity';
import { Fixtures } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

// The other suites run with the limits off; this one turns them on before the app reads its settings.
process.env.RATE_LIMIT_PER_MINUTE = '3';
process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '2';
// Client addresses come from X-Forwarded-For here, so one test process can act as several clients.
process.env.TRUST_PROXY = 'true';

describe('rate limits', () => {
  let t: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives each principal its per-minute budget with RateLimit headers, then 429 with Retry-After', async () => {
    const tenant = await f.tenant();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.http().get('/leads').set(tenant.headers).expect(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(res.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await t.http().get('/leads').set(tenant.headers).expect(429);
    expect(limited.body).toEqual({
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Rate limit of 3 requests per minute exceeded; retry in \d+ s$/),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    // Another principal of the same account has its own budget.
    const other = await f.memberOf(tenant, 'user');
    const res = await t.http().get('/leads').set(tenant.headersFor(other)).expect(200);
    expect(res.headers['ratelimit-remaining']).toBe('2');
  });

  it('counts the budget in the database, so every instance on it shares the same counter', async () => {
    const tenant = await f.tenant();
    await t.http().get('/leads').set(tenant.headers).expect(200);
    const rows = await t.ds.query(`SELECT hits FROM rate_limit_buckets WHERE key = 'default:user:${tenant.admin.user.id}'`);
    expect(rows.map((r: { hits: number | string }) => Number(r.hits))).toEqual([1]);
  });

  it('limits login attempts per email across client addresses (429 with Retry-After), whatever the password', async () => {
    const id = new IdentityFixtures(t, f);
    const u = await id.userWithPassword();
    const email = u.user.email;
    const from = (ip: string) => t.http().post('/auth/login').set('X-Forwarded-For', ip);
    await from('203.0.113.1').send({ email, password: 'wrong-password-1' }).expect(401);
    await from('203.0.113.2').send({ email, password: u.password }).expect(200);
    const res = await from('203.0.113.3').send({ email, password: u.password }).expect(429);
    expect(res.body).toEqual({ error: 'Too Many Requests', message: expect.stringMatching(/^Too many login attempts; retry in \d+ s$/) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts login attempts per API key exactly as sent (keys are case-sensitive), and per email in any case', async () => {
    const from = (ip: string) => t.http().post('/auth/login').set('X-Forwarded-For', ip);
    const key = `lk_CaseTest${Date.now()}`;
    await from('203.0.113.21').send({ apiKey: key, apiSecret: 'wrong-secret' }).expect(401);
    await from('203.0.113.22').send({ apiKey: key, apiSecret: 'wrong-secret' }).expect(401);
    // Another key, which differs only in case, has its own count.
    await from('203.0.113.23').send({ apiKey: key.toLowerCase(), apiSecret: 'wrong-secret' }).expect(401);
    await from('203.0.113.24').send({ apiKey: key, apiSecret: 'wrong-secret' }).expect(429);

    const email = `Case-${Date.now()}@Example.com`;
    await from('203.0.113.25').send({ email, password: 'wrong-password-1' }).expect(401);
    await from('203.0.113.26')
      .send({ email: ` ${email.toLowerCase()}`, password: 'wrong-password-2' })
      .expect(401);
    await from('203.0.113.27').send({ email: email.toUpperCase(), password: 'wrong-password-3' }).expect(429);
  });

  it('limits login attempts per client address across emails', async () => {
    const from = () => t.http().post('/auth/login').set('X-Forwarded-For', '203.0.113.50');
    await from().send({ email: 'nobody-1@example.com', password: 'whatever-1' }).expect(401);
    await from().send({ email: 'nobody-2@example.com', password: 'whatever-2' }).expect(401);
    await from().send({ email: 'nobody-3@example.com', password: 'whatever-3' }).expect(429);
    // The same emails from another address are not limited by that address's attempts.
    await t
      .http()
      .post('/auth/login')
      .set('X-Forwarded-For', '203.0.113.51')
      .send({ email: 'nobody-4@example.com', password: 'x-1234567' })
      .expect(401);
  });

  it('purges the counters whose window has ended and keeps the running ones', async () => {
    const buckets = t.ds.getRepository(RateLimitBucket);
    const suffix = Date.now();
    await t.tx.run((em) =>
      em.insert(RateLimitBucket, [
        { key: `ended:${suffix}`, hits: 5, resetAt: new Date(Date.now() - 1000) },
        { key: `running:${suffix}`, hits: 1, resetAt: new Date(Date.now() + 60_000) },
      ]),
    );
    await t.app.get(DbThrottlerStorage).purge();
    const left = (await buckets.find()).map((b) => b.key).filter((k) => k.endsWith(`:${suffix}`));
    expect(left).toEqual([`running:${suffix}`]);
  });
});

describe('rate limits counted in memory', () => {
  let t: TestApp;
  let f: Fixtures;
  const saved = process.env.RATE_LIMIT_PER_MINUTE;
  beforeAll(async () => {
    // High enough that hits far from it are counted in memory and sent later.
    process.env.RATE_LIMIT_PER_MINUTE = '1000';
    t = await createTestApp();
    f = new Fixtures(t);
  });
  afterAll(async () => {
    process.env.RATE_LIMIT_PER_MINUTE = saved;
    await t.close();
  });

  it('sends the hits not yet sent when the application shuts down', async () => {
    const tenant = await f.tenant();
    for (let i = 0; i < 5; i++) await t.http().get('/leads').set(tenant.headers).expect(200);
    const hits = async () =>
      (await t.ds.query(`SELECT hits FROM rate_limit_buckets WHERE key = 'default:user:${tenant.admin.user.id}'`)).map(
        (r: { hits: number | string }) => Number(r.hits),
      );
    // The first hit of the window went to the database before its answer; the next four wait in memory
    // (sent within 100 ms). The shutdown hook the application runs before closing the database sends them.
    await t.app.get(DbThrottlerStorage).beforeApplicationShutdown();
    expect(await hits()).toEqual([5]);
  });
});
