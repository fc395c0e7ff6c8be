import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { Fixtures, Tenant } from './utils/fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/** A violation as Prism reports it in its `sl-violations` response header. */
interface Violation {
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => done(port));
    });
  });

/**
 * Stoplight Prism, as a validating proxy in front of a real instance, with the seed's own
 * post-leads.openapi.yaml: every POST /leads answer (201 and every error) must be what the seed's
 * schemas describe. Prism reports what breaks them in the `sl-violations` header.
 */
describe('POST /leads through Prism with the seed contract', () => {
  let t: TestApp;
  let prism: ChildProcess;
  let base: string;
  let output = '';

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    const upstream = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const cli = require.resolve('@stoplight/prism-cli/dist/index.js');
    const spec = resolve(__dirname, 'fixtures/post-leads.openapi.yaml');
    prism = spawn(process.execPath, [cli, 'proxy', spec, upstream, '--host', '127.0.0.1', '--port', String(port), '--errors', 'false'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prism.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    prism.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 200 && !/Prism is listening/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
    if (!/Prism is listening/.test(output)) throw new Error(`Prism did not start:\n${output}`);
  }, 60_000);

  afterAll(async () => {
    prism?.kill();
    await t?.close();
  });

  async function post(headers: Record<string, string>, body: unknown, query = '') {
    const res = await fetch(`${base}/leads${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const raw = res.headers.get('sl-violations');
    const violations = (raw ? JSON.parse(raw) : []) as Violation[];
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, violations };
  }
  /** Prism's findings about the response (the request's own are expected for a request the seed refuses). */
  const inResponse = (vs: Violation[]) =>
    vs.filter((v) => v.location[0] === 'response').map((v) => `${v.location.join('.')}: ${v.message}`);
  const all = (vs: Violation[]) => vs.map((v) => `${v.location.join('.')}: ${v.message}`);

  let f: Fixtures;
  let tenant: Tenant;
  let setup: SetupFixtures;
  beforeAll(async () => {
    f = new Fixtures(t);
    setup = new SetupFixtures(t);
    tenant = await f.tenant();
  });

  it('finds nothing in a 201 with every field set, nor in one with only the names (unset fields are absent)', async () => {
    const lone = await f.tenant();
    const minimal = await post(lone.headers, { firstName: 'Ada', lastName: 'Lovelace' });
    expect({ status: minimal.status, violations: all(minimal.violations) }).toEqual({ status: 201, violations: [] });
    expect(Object.keys(minimal.body)).not.toContain('teamId');

    const rep = await f.memberOf(tenant, 'user');
    const team = await setup.team(tenant, { members: [rep] });
    const source = await setup.leadSource(tenant, { teamId: team.id });
    await setup.rotation(tenant, { teamId: team.id, emails: [rep.user.email] });
    const full = await post(tenant.headers, {
      teamId: team.id,
      leadSourceId: source.id,
      firstName: 'Grace',
      lastName: 'Hopper',
      imgSrc: 'https://img.example.com/g.png',
      email: 'grace@example.com',
      phone: '+1 555 0100',
      company: 'Navy',
      jobTitle: 'Rear Admiral',
      branch: 'East',
      source: 'Referral',
      position: 'Head',
      location: 'Arlington',
      productsServicesSold: 'Compilers',
      numberOfEmployees: 40,
      currentPaymentProcessor: 'None',
      monthlyTransactionVolume: 1000,
      interestedInSwitching: true,
      processStage: 'new',
      buyingRole: 'champion',
      notes: 'met at the fair',
      lastContacted: '2026-11-30T10:00:00Z',
    });
    expect({ status: full.status, body: full.status === 201 ? null : full.body, violations: all(full.violations) }).toEqual({
      status: 201,
      body: null,
      violations: [],
    });
    expect(full.body.assignedTo).toBe(rep.user.email);
  });

  it('finds nothing in the errors: rules, refused bodies, no token, no permission', async () => {
    await setup.team(tenant);
    const rule = await post(tenant.headers, { firstName: 'A', lastName: 'B' });
    expect({ status: rule.status, violations: all(rule.violations) }).toEqual({ status: 400, violations: [] });
    expect(rule.body).toEqual({ error: 'team ID is required when teams exist in the account' });

    // The seed refuses these requests too (Prism says so about the request); the answers still fit it.
    for (const body of [{ lastName: 'B' }, { firstName: 'A', lastName: 'B', numberOfEmployees: 'many', email: 'nope' }]) {
      const res = await post(tenant.headers, body, '?skipTeamAndSourceRequirement=true');
      expect({ body, status: res.status, violations: inResponse(res.violations) }).toEqual({ body, status: 400, violations: [] });
      expect(res.violations.some((v) => v.location[0] === 'request')).toBe(true);
    }

    const anonymous = await post({ 'x-account-id': tenant.accountId }, { firstName: 'A', lastName: 'B' });
    expect({ status: anonymous.status, violations: inResponse(anonymous.violations) }).toEqual({ status: 401, violations: [] });

    const key = await t
      .http()
      .post('/apikeys')
      .set(tenant.headers)
      .send({ name: 'reader', permissions: ['readLeads'] })
      .expect(201);
    const session = await t.http().post('/auth/login').send({ apiKey: key.body.apiKey, apiSecret: key.body.apiSecret }).expect(200);
    const forbidden = await post(
      { authorization: `Bearer ${session.body.token}`, 'x-account-id': tenant.accountId },
      { firstName: 'A', lastName: 'B' },
      '?skipTeamAndSourceRequirement=true',
    );
    expect({ status: forbidden.status, violations: inResponse(forbidden.violations) }).toEqual({ status: 403, violations: [] });
  });
});
