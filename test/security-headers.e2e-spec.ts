import type { Response } from 'supertest';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/** The directives of a Content-Security-Policy header, by name. */
function csp(res: Response): Record<string, string> {
  const header = res.headers['content-security-policy'];
  expect(typeof header).toBe('string');
  return Object.fromEntries(
    (header as string).split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')];
    }),
  );
}

describe('security headers and masking (contract §10)', () => {
  let t: TestApp;
  let f: Fixtures;
  let id: IdentityFixtures;
  let tenant: Tenant;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    id = new IdentityFixtures(t, f);
    tenant = await f.tenant();
  });
  afterAll(async () => {
    await t.close();
  });

  /** The audit entry of the request sent with this x-request-id. */
  async function entryOf(requestId: string): Promise<AuditLog> {
    const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.requestHeaders?.['x-request-id'] === requestId);
    expect(entries).toHaveLength(1);
    return entries[0];
  }

  describe('API responses', () => {
    it('carry nosniff and no-store on the session, account and lead responses, successful or not', async () => {
      const u = await id.userWithPassword();
      await f.member(tenant.account.id, u.user, 'admin');
      const login = await t.http().post('/auth/login').send({ email: u.user.email, password: u.password }).expect(200);
      const bearer = { Authorization: `Bearer ${login.body.token}` };
      const responses = [
        login,
        await t.http().post('/auth/login').send({ email: u.user.email, password: 'wrong' }).expect(401),
        await t.http().get('/auth/session').set(bearer).expect(200),
        await t.http().get('/accounts').set(bearer).expect(200),
        await t.http().get('/leads').set(tenant.headers).expect(200),
        await t.http().get('/leads').set(bearer).expect(400),
        await t.http().get('/no-such-route').expect(404),
        // Rejected by the body parser, before Nest's pipeline.
        await t.http().post('/leads').set(tenant.headers).set('content-type', 'application/json').send('{"firstName":').expect(400),
      ];
      for (const res of responses) {
        expect([res.status, res.headers['x-content-type-options'], res.headers['cache-control']]).toEqual([
          res.status,
          'nosniff',
          'no-store',
        ]);
      }
    });

    it('carry a policy under which nothing loads and nobody frames them', async () => {
      const res = await t.http().get('/leads').set(tenant.headers).expect(200);
      expect(csp(res)).toEqual({ 'default-src': "'none'", 'frame-ancestors': "'none'" });
    });
  });

  describe('/docs', () => {
    it('carries nosniff and the policy Swagger UI works under (own scripts only, inline styles, data: images), and stays cacheable', async () => {
      const res = await t.http().get('/docs').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // Public and the same for everyone.
      expect(res.headers['cache-control'] ?? '').not.toMatch(/no-store/);
      const policy = csp(res);
      expect(policy).toMatchObject({
        'default-src': "'self'",
        'script-src': "'self'",
        'script-src-attr': "'none'",
        'style-src': "'self' 'unsafe-inline'",
        'img-src': "'self' data:",
        'connect-src': "'self'",
        'object-src': "'none'",
        'frame-ancestors': "'none'",
      });
      // Swagger UI's assets come from this origin: upgrading them to HTTPS would blank the page on a plain-HTTP host.
      expect(policy).not.toHaveProperty('upgrade-insecure-requests');
      // Its scripts are files, never inline: what the page loads must pass script-src 'self'.
      expect(res.text).not.toMatch(/<script>/);
      const scripts = res.text.match(/(?<=<script src=")[^"]+/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const src of scripts) {
        const asset = await t.http().get(new URL(src, 'http://host/docs').pathname).expect(200);
        expect(asset.headers['content-type']).toMatch(/^(application|text)\/javascript/);
      }
    });
  });

  describe('the audit log masks every secret-looking name', () => {
    it('headers named with auth or token, and no other header', async () => {
      const requestId = uniq('hdr');
      await t
        .http()
        .get('/leads')
        .set(tenant.headers)
        .set({
          'x-request-id': requestId,
          'x-auth-token': 'auth-token-value',
          'x-access-token': 'access-token-value',
          'x-csrf-token': 'csrf-token-value',
          'x-author': 'Jane',
        })
        .expect(200);
      const entry = await entryOf(requestId);
      expect(entry.requestHeaders).toMatchObject({
        authorization: '[REDACTED]',
        'x-auth-token': '[REDACTED]',
        'x-access-token': '[REDACTED]',
        'x-csrf-token': '[REDACTED]',
        'x-author': 'Jane',
        'x-account-id': tenant.accountId,
        'x-request-id': requestId,
      });
      expect(JSON.stringify(entry)).not.toMatch(/token-value/);
    });

    it('body keys pwd, jwt, otp, pin, apiKey and cookie, and never a lead field', async () => {
      const requestId = uniq('body');
      const lead = {
        firstName: 'Ann',
        lastName: 'Lee',
        email: 'ann@example.com',
        company: 'Pinnacle',
        assignedTo: tenant.admin.user.email,
      };
      const secrets = { pwd: 's1', jwt: 's2', otp: 's3', pin: 's4', apiKey: 's5', cookie: 's6', userPin: 's7', 'x-auth-token': 's8' };
      await t
        .http()
        .post('/leads')
        .set(tenant.headers)
        .set('x-request-id', requestId)
        .send({ ...lead, ...secrets, shipping: 'ground', opinion: 'good' })
        .expect(400);
      const entry = await entryOf(requestId);
      expect(entry.event).toBe('request_rejected');
      expect(entry.data?.body).toEqual({
        ...lead,
        ...Object.fromEntries(Object.keys(secrets).map((k) => [k, '[REDACTED]'])),
        shipping: 'ground',
        opinion: 'good',
      });
    });

    // GET /leads refuses unknown query parameters: these requests are recorded as rejected.
    it('query values in data.query', async () => {
      const requestId = uniq('query');
      await t.http().get('/leads?token=abc&password=def&pin=1234&page=1').set(tenant.headers).set('x-request-id', requestId).expect(400);
      const entry = await entryOf(requestId);
      expect(entry.data?.query).toEqual({ token: '[REDACTED]', password: '[REDACTED]', pin: '[REDACTED]', page: '1' });
    });

    it('query values inside requestPath, names and other parameters kept as sent', async () => {
      const requestId = uniq('path');
      await t
        .http()
        .get('/leads?token=abc&password=def&page=1&pass%77ord=ghi')
        .set(tenant.headers)
        .set('x-request-id', requestId)
        .expect(400);
      const entry = await entryOf(requestId);
      expect(entry.requestPath).toBe('/leads?token=[REDACTED]&password=[REDACTED]&page=1&pass%77ord=[REDACTED]');
    });
  });
});
