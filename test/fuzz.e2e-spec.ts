import fc from 'fast-check';
import { Lead } from '../src/leads/entities/lead.entity';
import { Fixtures, Tenant } from './utils/fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/**
 * Property-based fuzzing of POST /leads and GET /leads: hostile bodies and query strings must only
 * ever produce the documented statuses (never a 500), and the database must hold exactly the leads
 * that were answered 201. CI runs with a fixed seed; locally the seed is random and printed.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.CI ? 20261126 : Date.now();
const BODY_RUNS = Number(process.env.FUZZ_BODY_RUNS ?? 10000);
const QUERY_RUNS = Number(process.env.FUZZ_QUERY_RUNS ?? 2000);

const FIELDS = [
  'teamId', 'leadSourceId', 'firstName', 'lastName', 'imgSrc', 'email', 'phone', 'company', 'jobTitle', 'branch',
  'source', 'position', 'location', 'productsServicesSold', 'numberOfEmployees', 'currentPaymentProcessor',
  'monthlyTransactionVolume', 'interestedInSwitching', 'processStage', 'buyingRole', 'assignedTo', 'notes',
  'lastContacted', 'archived', 'createdBy',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'id', 'accountId', 'createdAt', 'auditLog', 'toString', 'hasOwnProperty'];
const PAYLOADS = [
  "'; DROP TABLE leads; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '%00\u0000nul',
  '\u202e\u0301\ud83d\ude00 ✓ 中文 العربية',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  'a'.repeat(5000),
];

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(...PAYLOADS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2026-01-02T03:04:05Z', 'not-a-date', 'https://example.com/a.png', 'javascript:alert(1)', 'a@b.co', '12', 'true'),
);
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 5 }) },
);

/** Deeply nested JSON text, built as text so depth is not limited by the generator's recursion. */
const deepNesting = fc.integer({ min: 50, max: 5000 }).map((d) => `{"firstName":"a","lastName":"b","notes":${'['.repeat(d)}1${']'.repeat(d)}}`);

/** An object as JSON text; hostile keys are written literally so `__proto__` arrives as an own key. */
const objectText = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 20 })), value), { maxLength: 12 })
  .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);

/** Mostly-valid leads with one or two fields perturbed, so the rules behind validation are reached too. */
const nearlyValid = fc
  .record({
    firstName: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), scalar),
    lastName: fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), scalar),
    extra: fc.option(fc.tuple(fc.constantFrom(...FIELDS, ...HOSTILE_KEYS), value)),
  })
  .map(({ firstName, lastName, extra }) => {
    const base = `${JSON.stringify('firstName')}:${JSON.stringify(firstName)},${JSON.stringify('lastName')}:${JSON.stringify(lastName)}`;
    return `{${base}${extra ? `,${JSON.stringify(extra[0])}:${JSON.stringify(extra[1])}` : ''}}`;
  });

const bodyText = fc.oneof(
  { weight: 5, arbitrary: nearlyValid },
  { weight: 4, arbitrary: objectText },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 1, arbitrary: fc.integer({ min: 90_000, max: 130_000 }).map((n) => JSON.stringify({ firstName: 'a', lastName: 'b', notes: 'x'.repeat(n) })) },
);

const queryPart = fc.tuple(
  fc.oneof(fc.constantFrom('page', 'pageSize', 'search', 'sort', 'archived', 'teamId', 'assignedTo', 'createdAt', 'numberOfEmployees', 'email', '__proto__', 'constructor'), fc.string({ maxLength: 10 })),
  fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...PAYLOADS.slice(0, 6)), fc.integer().map(String), fc.constantFrom('-createdAt', 'firstName,-id', '0', '101', '2026-01-01,2026-12-31', 'true', 'x,y,z')),
);
const queryString = fc.array(queryPart, { maxLength: 6 }).map((parts) => parts.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

describe(`fuzzing POST /leads and GET /leads (seed ${SEED})`, () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await new Fixtures(t).tenant();
    // eslint-disable-next-line no-console
    if (!process.env.CI) console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces)`);
  });
  afterAll(async () => {
    await t.close();
  });

  it(`answers ${BODY_RUNS} generated bodies with 201, 400 or 413 only, and stores exactly the 201s`, async () => {
    const created: number[] = [];
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(bodyText, fc.boolean(), async (text, skip) => {
        const res = await t
          .http()
          .post(`/leads${skip ? '?skipTeamAndSourceRequirement=true' : ''}`)
          .set(tenant.headers)
          .set('content-type', 'application/json')
          .send(text);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status === 201) created.push(res.body.id);
        if (![201, 400, 413].includes(res.status)) throw new Error(`status ${res.status} for ${text.slice(0, 300)}: ${JSON.stringify(res.body)}`);
        if (res.status !== 201 && (typeof res.body.error !== 'string' || JSON.stringify(res.body).includes('    at '))) {
          throw new Error(`error body ${JSON.stringify(res.body)} for ${text.slice(0, 200)}`);
        }
      }),
      { numRuns: BODY_RUNS, seed: SEED, endOnFailure: true },
    );
    const rows = await t.ds.getRepository(Lead).find({ where: { accountId: tenant.account.id }, select: { id: true } });
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...created].sort((a, b) => a - b));
    expect(seen.get(201) ?? 0).toBeGreaterThan(0);
    expect(seen.get(400) ?? 0).toBeGreaterThan(0);
  }, 300_000);

  it(`answers ${QUERY_RUNS} generated GET /leads query strings with 200 or 400 only`, async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (qs) => {
        const res = await t.http().get(`/leads?${qs}`).set(tenant.headers);
        if (![200, 400].includes(res.status)) throw new Error(`status ${res.status} for ?${qs}: ${JSON.stringify(res.body)}`);
        if (res.status === 200 && !Array.isArray(res.body.data)) throw new Error(`no data array for ?${qs}`);
      }),
      { numRuns: QUERY_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);
});
