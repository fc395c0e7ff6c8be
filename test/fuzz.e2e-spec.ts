import { deflateSync, gzipSync } from 'node:zlib';
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
const CASE_RUNS = Number(process.env.FUZZ_CASE_RUNS ?? 300);

const FIELDS = [
  'teamId',
  'leadSourceId',
  'firstName',
  'lastName',
  'imgSrc',
  'email',
  'phone',
  'company',
  'jobTitle',
  'branch',
  'source',
  'position',
  'location',
  'productsServicesSold',
  'numberOfEmployees',
  'currentPaymentProcessor',
  'monthlyTransactionVolume',
  'interestedInSwitching',
  'processStage',
  'buyingRole',
  'assignedTo',
  'notes',
  'lastContacted',
  'archived',
  'createdBy',
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
const deepNesting = fc
  .integer({ min: 50, max: 5000 })
  .map((d) => `{"firstName":"a","lastName":"b","notes":${'['.repeat(d)}1${']'.repeat(d)}}`);

/** An object as JSON text; hostile keys are written literally so `__proto__` arrives as an own key. */
const objectText = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 20 })), value), {
    maxLength: 12,
  })
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
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 90_000, max: 130_000 })
      .map((n) => JSON.stringify({ firstName: 'a', lastName: 'b', notes: 'x'.repeat(n) })),
  },
);

const queryPart = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'page',
      'pageSize',
      'search',
      'sort',
      'archived',
      'teamId',
      'assignedTo',
      'createdAt',
      'numberOfEmployees',
      'email',
      '__proto__',
      'constructor',
    ),
    fc.string({ maxLength: 10 }),
  ),
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...PAYLOADS.slice(0, 6)),
    fc.integer().map(String),
    fc.constantFrom('-createdAt', 'firstName,-id', '0', '101', '2026-01-01,2026-12-31', 'true', 'x,y,z'),
  ),
);
const queryString = fc
  .array(queryPart, { maxLength: 6 })
  .map((parts) => parts.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

describe(`fuzzing POST /leads and GET /leads (seed ${SEED})`, () => {
  let t: TestApp;
  let tenant: Tenant;
  beforeAll(async () => {
    t = await createTestApp();
    tenant = await new Fixtures(t).tenant();
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
        if (![201, 400, 413].includes(res.status))
          throw new Error(`status ${res.status} for ${text.slice(0, 300)}: ${JSON.stringify(res.body)}`);
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

/**
 * Malformed requests the parser accepts or refuses before validation: text no database stores,
 * charsets, content codings, numbers and ids out of range, forged cursors. Each generated request
 * must get its exact 4xx body, and none may store anything.
 */
describe(`fuzzing malformed requests (seed ${SEED})`, () => {
  const MAX_ID = 2_147_483_647;
  const TEXT_FIELDS = [
    'firstName',
    'lastName',
    'imgSrc',
    'email',
    'phone',
    'company',
    'jobTitle',
    'branch',
    'source',
    'position',
    'location',
    'productsServicesSold',
    'currentPaymentProcessor',
    'processStage',
    'buyingRole',
    'assignedTo',
    'notes',
  ];
  const INT_FIELDS: Record<string, number> = { teamId: 1, leadSourceId: 1, numberOfEmployees: 0, monthlyTransactionVolume: 0 };
  const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const invalid = (details: { field: string; message: string }[]) => ({
    error: 'Validation failed',
    message: details.length === 1 ? details[0].message : `${details.length} problems were found in the request`,
    details,
  });
  const valid = { firstName: 'Ada', lastName: 'Lovelace' };

  let t: TestApp;
  let tenant: Tenant;
  const leadCount = () => t.ds.getRepository(Lead).countBy({ accountId: tenant.account.id });
  /** The body byte for byte (supertest would serialize a Buffer under a JSON content type). */
  const postLead = (body: string | Buffer, headers: Record<string, string> = {}) => {
    const req = t
      .http()
      .post('/leads')
      .set({ ...tenant.headers, 'Content-Type': 'application/json', ...headers });
    return (Buffer.isBuffer(body) ? req.serialize(() => body as unknown as string) : req).send(body);
  };
  /** Runs `property` and then checks that the tenant still has no lead. */
  const assertNothingStored = async <T extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<T>) => {
    await fc.assert(property, { numRuns: CASE_RUNS, seed: SEED, endOnFailure: true });
    expect(await leadCount()).toBe(0);
  };
  const expectResponse = (res: { status: number; body: unknown }, status: number, body: unknown, input: unknown) =>
    expect({ input, status: res.status, body: res.body }).toEqual({ input, status, body });

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await new Fixtures(t).tenant();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 400 naming the field to text with NUL or lone surrogates in any lead text field', async () => {
    const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
    const unstorable = fc
      .tuple(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.oneof(loneSurrogate, fc.constant('\u0000')),
        fc.string({ unit: 'binary', maxLength: 30 }),
      )
      .map(([a, bad, b]) => a + bad + b);
    await assertNothingStored(
      fc.asyncProperty(fc.constantFrom(...TEXT_FIELDS), unstorable, async (field, text) => {
        // JSON.stringify writes a lone surrogate as its \\u escape, as a client would send it.
        const body = JSON.stringify({ ...valid, [field]: text });
        const messages = [
          ...(text.includes('\u0000') ? [`${field} must not contain NUL characters`] : []),
          ...(LONE_SURROGATE.test(text) ? [`${field} must not contain unpaired UTF-16 surrogates`] : []),
        ];
        expectResponse(await postLead(body), 400, invalid(messages.map((message) => ({ field, message }))), body);
      }),
    );
  }, 120_000);

  it('answers 415 to any charset but UTF-8, and reads utf-8 and utf8 in any case', async () => {
    const charset = fc.oneof(
      fc.constantFrom(
        'latin1',
        'koi8-r',
        'us-ascii',
        'iso-8859-1',
        'utf-16',
        'utf-16le',
        'utf-16be',
        'utf-32',
        'utf-7',
        'windows-1252',
        'shift_jis',
        'ucs-2',
        'binary',
      ),
      fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/).filter((c) => c !== 'utf-8' && c !== 'utf8'),
    );
    await assertNothingStored(
      fc.asyncProperty(charset, fc.boolean(), fc.boolean(), async (name, upper, quoted) => {
        const sent = upper ? name.toUpperCase() : name;
        const contentType = `application/json; charset=${quoted ? `"${sent}"` : sent}`;
        const res = await postLead(JSON.stringify(valid), { 'Content-Type': contentType });
        expectResponse(
          res,
          415,
          { error: 'Unsupported Media Type', message: `The request body must be UTF-8 JSON; charset "${name}" is not supported` },
          contentType,
        );
      }),
    );
    for (const name of ['utf-8', 'UTF-8', 'utf8', 'Utf8']) {
      const res = await postLead(JSON.stringify({ ...valid, lastName: 'x'.repeat(300) }), {
        'Content-Type': `application/json; charset=${name}`,
      });
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
    }
  }, 120_000);

  it('answers 415 to content codings other than gzip and deflate, and 400 to corrupt gzip or deflate bodies', async () => {
    const coding = fc.oneof(
      fc.constantFrom('br', 'zstd', 'compress', 'x-gzip', 'x-compress', 'gzip, gzip', 'identity, gzip', '*', 'exi', 'pack200-gzip'),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((c) => !['identity', 'gzip', 'deflate'].includes(c)),
    );
    await assertNothingStored(
      fc.asyncProperty(coding, fc.boolean(), async (name, upper) => {
        const res = await postLead(JSON.stringify(valid), { 'Content-Encoding': upper ? name.toUpperCase() : name });
        expectResponse(
          res,
          415,
          {
            error: 'Unsupported Media Type',
            message: `Content-Encoding "${name}" is not supported; send the body as is, or with gzip or deflate`,
          },
          name,
        );
      }),
    );
    // Random bytes that cannot open a stream of that coding, or a real stream cut short.
    const plain = Buffer.from(JSON.stringify(valid));
    const corrupt = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ['gzip', Buffer.from([0x00, ...b])] as const),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ['deflate', Buffer.from([0x00, ...b])] as const),
      fc.integer({ min: 1, max: gzipSync(plain).length - 1 }).map((n) => ['gzip', gzipSync(plain).subarray(0, n)] as const),
      fc.integer({ min: 1, max: deflateSync(plain).length - 1 }).map((n) => ['deflate', deflateSync(plain).subarray(0, n)] as const),
    );
    await assertNothingStored(
      fc.asyncProperty(corrupt, async ([name, body]) => {
        const res = await postLead(body, { 'Content-Encoding': name });
        expectResponse(res, 400, { error: 'Malformed body', message: `The request body is not valid ${name} data` }, [
          name,
          body.toString('hex'),
        ]);
      }),
    );
  }, 120_000);

  it('answers 400 naming the field to integers out of range, huge or fractional numbers', async () => {
    const number = fc.oneof(
      fc.double({ min: 2_147_483_648, noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc.double({ max: -1, noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc
        .double({ min: 0, max: 1e6, noNaN: true })
        .filter((n) => !Number.isInteger(n))
        .map((n) => JSON.stringify(n)),
      fc.constantFrom(
        '2147483648',
        '1e308',
        '-1e308',
        '1e400',
        '-1e400',
        '9007199254740993',
        '1.7976931348623157e308',
        '123456789012345678901234567890',
        '2147483647.5',
      ),
    );
    await assertNothingStored(
      fc.asyncProperty(fc.constantFrom(...Object.keys(INT_FIELDS)), number, async (field, text) => {
        const v = JSON.parse(text) as number;
        const min = INT_FIELDS[field];
        const problem = !Number.isInteger(v)
          ? 'must be an integer'
          : v < min
            ? `must be at least ${min}`
            : v > MAX_ID
              ? `must be at most ${MAX_ID}`
              : null;
        const body = `{"firstName":"Ada","lastName":"Lovelace","${field}":${text}}`;
        if (problem === null) throw new Error(`generated an in-range value: ${body}`);
        expectResponse(await postLead(body), 400, invalid([{ field, message: `${field} ${problem}` }]), body);
      }),
    );
  }, 120_000);

  it('answers 403 to x-account-id values beyond the id range, and 400 to such ids in paths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt(2_147_483_648n, 999_999_999_999_999n), async (n) => {
        const res = await t
          .http()
          .get('/leads')
          .set({ ...tenant.admin.auth, 'x-account-id': String(n) });
        expectResponse(res, 403, { error: 'Forbidden', message: `You have no access to account ${n}` }, String(n));
      }),
      { numRuns: CASE_RUNS, seed: SEED, endOnFailure: true },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt(2_147_483_648n, 10n ** 40n),
        fc.constantFrom('/leads', '/teams', '/lead-sources', '/lead-rotations', '/apikeys'),
        async (n, path) => {
          const res = await t.http().get(`${path}/${n}`).set(tenant.headers);
          expectResponse(res, 400, invalid([{ field: 'id', message: 'id must be a positive integer' }]), `${path}/${n}`);
        },
      ),
      { numRuns: CASE_RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('answers 400 Invalid cursor to forged, tampered and random cursors', async () => {
    const paged = await new Fixtures(t).tenant();
    for (const name of ['a', 'b', 'c']) {
      await t.http().post('/leads').set(paged.headers).send({ firstName: name, lastName: 'x' }).expect(201);
    }
    const first = await t.http().get('/leads?pageSize=1').set(paged.headers).expect(200);
    const issued: string = first.body.nextCursor;
    const [issuedPayload, issuedMac] = issued.split('.');
    const real = JSON.parse(Buffer.from(issuedPayload, 'base64url').toString('utf8')) as { v: unknown[]; p: number; s: string };
    const value = fc.oneof(
      fc.jsonValue(),
      fc.double(),
      fc.constantFrom('+275760-09-13T00:00:00.000Z', '2026-13-45T00:00:00.000Z', 'x', 1e308, -1, 2_147_483_648, ...real.v),
    );
    const payload = fc.oneof(
      fc.record({
        v: fc.oneof(fc.array(value, { maxLength: 4 }), fc.constant(real.v), value),
        p: fc.oneof(fc.constant(real.p), fc.jsonValue(), fc.double()),
        s: fc.oneof(fc.constant(real.s), fc.string()),
      }),
      fc.jsonValue(),
    );
    const cursor = fc.oneof(
      fc
        .tuple(
          payload,
          fc.oneof(
            fc.constant(''),
            fc.constant(`.${issuedMac}`),
            fc.base64String().map((m) => `.${m}`),
          ),
        )
        .map(([p, mac]) => `${Buffer.from(JSON.stringify(p) ?? 'null').toString('base64url')}${mac}`),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .integer({ min: 0, max: issued.length - 1 })
        .map((i) => `${issued.slice(0, i)}${issued[i] === 'A' ? 'B' : 'A'}${issued.slice(i + 1)}`),
    );
    const expected = {
      error: 'Invalid cursor',
      message: 'cursor must be the nextCursor of a previous page with the same sort',
      details: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page with the same sort' }],
    };
    await fc.assert(
      fc.asyncProperty(
        cursor.filter((c) => c !== issued && c.length <= 2000),
        async (c) => {
          const res = await t
            .http()
            .get(`/leads?pageSize=1&cursor=${encodeURIComponent(c)}`)
            .set(paged.headers);
          // A cursor holding NUL is refused by the query's own validation, naming the parameter.
          if (c.includes('\u0000'))
            expectResponse(res, 400, invalid([{ field: 'cursor', message: 'cursor must not contain NUL characters' }]), c);
          else expectResponse(res, 400, expected, c);
        },
      ),
      { numRuns: CASE_RUNS, seed: SEED, endOnFailure: true },
    );
    await t.http().get(`/leads?pageSize=1&cursor=${issued}`).set(paged.headers).expect(200);
  }, 120_000);
});
