import { deflateSync, gzipSync } from 'node:zlib';
import { Account } from '../src/accounts/entities/account.entity';
import { ApiKey } from '../src/api-keys/entities/api-key.entity';
import { LeadSource } from '../src/lead-sources/entities/lead-source.entity';
import { Lead } from '../src/leads/entities/lead.entity';
import { LeadRotation } from '../src/rotations/entities/lead-rotation.entity';
import { Team } from '../src/teams/entities/team.entity';
import { Membership } from '../src/users/entities/membership.entity';
import { User } from '../src/users/entities/user.entity';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

// The login throttlers write a bucket keyed by the submitted email before validation runs: on here,
// with a budget no test reaches, so that write is part of what is tested.
process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '1000';

const JSON_TYPE = 'application/json';
const NUL_MESSAGE = (field: string) => `${field} must not contain NUL characters`;
const SURROGATE_MESSAGE = (field: string) => `${field} must not contain unpaired UTF-16 surrogates`;
const invalid = (details: { field: string; message: string }[]) => ({
  error: 'Validation failed',
  message: details.length === 1 ? details[0].message : `${details.length} problems were found in the request`,
  details,
});
const INVALID_CURSOR = {
  error: 'Invalid cursor',
  message: 'cursor must be the nextCursor of a previous page with the same sort',
  details: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page with the same sort' }],
};

/**
 * Malformed requests are 4xx, never 5xx, on both databases, and change nothing: charsets, content
 * codings, text a database cannot store, out-of-range ids and numbers, forged list cursors.
 * Bodies are sent as raw text so lone surrogates arrive escaped, as an attacker would send them.
 */
describe('hardening: malformed requests', () => {
  let t: TestApp;
  let f: Fixtures;
  let id: IdentityFixtures;
  let tenant: Tenant;

  /** Sends the body byte for byte (supertest would serialize a Buffer under a JSON content type). */
  const raw = (method: 'post' | 'patch', path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const agent = t.http();
    const req = agent[method](path).set({ 'Content-Type': JSON_TYPE, ...headers });
    return (Buffer.isBuffer(body) ? req.serialize(() => body as unknown as string) : req).send(body);
  };

  /** Rows of the tenant's account in every table a request of these tests could write. */
  const snapshot = async (accountId: number) => ({
    leads: await t.ds.getRepository(Lead).countBy({ accountId }),
    teams: await t.ds.getRepository(Team).countBy({ accountId }),
    sources: await t.ds.getRepository(LeadSource).countBy({ accountId }),
    rotations: await t.ds.getRepository(LeadRotation).countBy({ accountId }),
    keys: await t.ds.getRepository(ApiKey).countBy({ accountId }),
    members: await t.ds.getRepository(Membership).countBy({ accountId }),
    users: await t.ds.getRepository(User).count(),
    accounts: await t.ds.getRepository(Account).count(),
  });

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    id = new IdentityFixtures(t, f);
    tenant = await f.tenant();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('charsets', () => {
    it.each(['latin1', 'koi8-r', 'us-ascii', 'ISO-8859-1', 'utf-16', 'UTF-16LE', 'utf-32', 'utf-7', 'utf-9', 'x-unknown'])(
      'answers 415 to a JSON body in charset %s',
      async (charset) => {
        const res = await raw('post', '/auth/login', '{"email":"root@example.com","password":"x"}', {
          'Content-Type': `application/json; charset=${charset}`,
        }).expect(415);
        expect(res.body).toEqual({
          error: 'Unsupported Media Type',
          message: `The request body must be UTF-8 JSON; charset "${charset.toLowerCase()}" is not supported`,
        });
      },
    );

    it('answers 415 to a quoted charset, and reads the first charset parameter as body-parser does', async () => {
      const quoted = await raw('post', '/auth/login', '{}', { 'Content-Type': 'application/json; charset="latin1"' }).expect(415);
      expect(quoted.body.message).toBe('The request body must be UTF-8 JSON; charset "latin1" is not supported');
      const twice = await raw('post', '/auth/login', '{}', { 'Content-Type': 'application/json; charset=latin1; charset=utf-8' }).expect(
        415,
      );
      expect(twice.body.message).toBe('The request body must be UTF-8 JSON; charset "latin1" is not supported');
    });

    it.each(['utf-8', 'UTF-8', 'utf8', 'UTF8', '"utf-8"', ' utf-8 '])('reads a body in charset %s', async (charset) => {
      const user = await id.userWithPassword();
      const res = await raw('post', '/auth/login', JSON.stringify({ email: user.user.email, password: user.password }), {
        'Content-Type': `application/json; charset=${charset}`,
      }).expect(200);
      expect(res.body.email).toBe(user.user.email);
    });

    it('refuses a charset on POST /leads and stores nothing', async () => {
      const before = await snapshot(tenant.account.id);
      const body = Buffer.from('{"firstName":"Zoë","lastName":"B"}', 'latin1');
      await raw('post', '/leads', body, { ...tenant.headers, 'Content-Type': 'application/json; charset=latin1' }).expect(415);
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });
  });

  describe('content codings', () => {
    const lead = JSON.stringify({ firstName: 'Zip', lastName: 'Ped' });

    it('reads gzip and deflate bodies', async () => {
      for (const [encoding, body] of [
        ['gzip', gzipSync(lead)],
        ['deflate', deflateSync(lead)],
        ['GZIP', gzipSync(lead)],
        ['identity', Buffer.from(lead)],
      ] as const) {
        const res = await raw('post', '/leads', body, { ...tenant.headers, 'Content-Encoding': encoding }).expect(201);
        expect(res.body).toMatchObject({ firstName: 'Zip', lastName: 'Ped' });
      }
    });

    it.each([
      ['gzip', 'a plain body', Buffer.from(lead)],
      ['gzip', 'a truncated body', gzipSync(lead).subarray(0, 12)],
      ['deflate', 'a plain body', Buffer.from(lead)],
      ['deflate', 'a truncated body', deflateSync(lead).subarray(0, 6)],
    ])('answers 400 to Content-Encoding %s with %s and stores nothing', async (encoding, _what, body) => {
      const before = await snapshot(tenant.account.id);
      const res = await raw('post', '/leads', body, { ...tenant.headers, 'Content-Encoding': encoding }).expect(400);
      expect(res.body).toEqual({ error: 'Malformed body', message: `The request body is not valid ${encoding} data` });
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });

    it.each(['br', 'zstd', 'x-unknown', 'compress', 'gzip, gzip', 'x-gzip'])(
      'answers 415 to Content-Encoding %s and stores nothing',
      async (encoding) => {
        const before = await snapshot(tenant.account.id);
        const res = await raw('post', '/leads', lead, { ...tenant.headers, 'Content-Encoding': encoding }).expect(415);
        expect(res.body).toEqual({
          error: 'Unsupported Media Type',
          message: `Content-Encoding "${encoding}" is not supported; send the body as is, or with gzip or deflate`,
        });
        expect(await snapshot(tenant.account.id)).toEqual(before);
      },
    );

    it('answers 415 on login too', async () => {
      await raw('post', '/auth/login', '{"email":"a@b.test","password":"x"}', { 'Content-Encoding': 'br' }).expect(415);
    });
  });

  describe('text the databases cannot store', () => {
    it.each([
      ['a lone high surrogate', '"a\\ud800@b.test"', SURROGATE_MESSAGE('email')],
      ['a lone low surrogate', '"a\\udc00@b.test"', SURROGATE_MESSAGE('email')],
      ['a NUL character', '"root@example.com\\u0000"', NUL_MESSAGE('email')],
    ])('answers 400 naming email to a login email with %s', async (_what, email, message) => {
      const res = await raw('post', '/auth/login', `{"email":${email},"password":"x"}`).expect(400);
      expect(res.body).toEqual(invalid([{ field: 'email', message }]));
    });

    it('answers 400 naming the password to a login password with a lone surrogate', async () => {
      const res = await raw('post', '/auth/login', '{"email":"a@b.test","password":"x\\udfff"}').expect(400);
      expect(res.body).toEqual(invalid([{ field: 'password', message: SURROGATE_MESSAGE('password') }]));
    });

    it('answers 400 naming the field to POST /users and stores nothing', async () => {
      const before = await snapshot(tenant.account.id);
      const email = await raw('post', '/users', '{"email":"a\\ud800@b.test","role":"user"}', tenant.headers).expect(400);
      expect(email.body).toEqual(invalid([{ field: 'email', message: SURROGATE_MESSAGE('email') }]));
      const name = await raw('post', '/users', `{"email":"${uniq('u')}@b.test","name":"Ann\\ud800","role":"user"}`, tenant.headers).expect(
        400,
      );
      expect(name.body).toEqual(invalid([{ field: 'name', message: SURROGATE_MESSAGE('name') }]));
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });

    it('reports every offending lead field at once, with the other problems, and stores nothing', async () => {
      const before = await snapshot(tenant.account.id);
      const res = await raw(
        'post',
        '/leads',
        '{"firstName":"a\\u0000","lastName":"b\\ud800","email":"c\\udbff@d.test","assignedTo":"\\udc00x@d.test","phone":12}',
        tenant.headers,
      ).expect(400);
      expect(res.body.error).toBe('Validation failed');
      expect(res.body.message).toBe('5 problems were found in the request');
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { field: 'firstName', message: NUL_MESSAGE('firstName') },
          { field: 'lastName', message: SURROGATE_MESSAGE('lastName') },
          { field: 'email', message: SURROGATE_MESSAGE('email') },
          { field: 'assignedTo', message: SURROGATE_MESSAGE('assignedTo') },
          { field: 'phone', message: 'phone must be a string' },
        ]),
      );
      expect(res.body.details).toHaveLength(5);
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });

    it('refuses a lone surrogate in a lead update and changes nothing', async () => {
      const lead = await new LeadFixtures(t).lead(tenant, { firstName: 'Keep' });
      const res = await raw('patch', `/leads/${lead.id}`, '{"firstName":"Keep\\ud800"}', tenant.headers).expect(400);
      expect(res.body).toEqual(invalid([{ field: 'firstName', message: SURROGATE_MESSAGE('firstName') }]));
      expect((await t.ds.getRepository(Lead).findOneByOrFail({ id: lead.id })).firstName).toBe('Keep');
    });

    it.each([
      ['post', '/teams', '{"name":"TeamA\\ud800"}', 'name', 'surrogate'],
      ['post', '/teams', '{"name":"TeamA\\u0000"}', 'name', 'nul'],
      ['post', '/lead-sources', '{"name":"Web\\udfff"}', 'name', 'surrogate'],
      ['post', '/lead-rotations', '{"name":"R\\ud83d"}', 'name', 'surrogate'],
      ['post', '/lead-rotations', '{"name":"R","userRotationArray":["ok@b.test","x\\ud800@b.test"]}', 'userRotationArray.1', 'surrogate'],
      ['post', '/lead-rotations', '{"name":"R","userRotationArray":["x\\u0000@b.test"]}', 'userRotationArray.0', 'nul'],
      ['post', '/apikeys', '{"name":"Key\\ud800","permissions":["readLeads"]}', 'name', 'surrogate'],
    ] as const)('%s %s %s → 400 naming %s, nothing stored', async (method, path, body, field, kind) => {
      const before = await snapshot(tenant.account.id);
      const res = await raw(method, path, body, tenant.headers).expect(400);
      expect(res.body).toEqual(invalid([{ field, message: kind === 'nul' ? NUL_MESSAGE(field) : SURROGATE_MESSAGE(field) }]));
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });

    it('refuses lone surrogates in updates of teams, lead sources, rotations and API keys', async () => {
      const setup = new SetupFixtures(t);
      const team = await setup.team(tenant, { name: 'Unchanged team' });
      const source = await setup.leadSource(tenant, { name: 'Unchanged source' });
      const rotation = await setup.rotation(tenant, { name: 'Unchanged rotation' });
      const key = await id.apiKey(tenant, ['readLeads'], { name: 'Unchanged key' });
      for (const path of [`/teams/${team.id}`, `/lead-sources/${source.id}`, `/lead-rotations/${rotation.id}`, `/apikeys/${key.key.id}`]) {
        const res = await raw('patch', path, '{"name":"x\\udc00"}', tenant.headers).expect(400);
        expect(res.body).toEqual(invalid([{ field: 'name', message: SURROGATE_MESSAGE('name') }]));
      }
      expect((await t.ds.getRepository(Team).findOneByOrFail({ id: team.id })).name).toBe('Unchanged team');
      expect((await t.ds.getRepository(LeadSource).findOneByOrFail({ id: source.id })).name).toBe('Unchanged source');
      expect((await t.ds.getRepository(LeadRotation).findOneByOrFail({ id: rotation.id })).name).toBe('Unchanged rotation');
      expect((await t.ds.getRepository(ApiKey).findOneByOrFail({ id: key.key.id })).name).toBe('Unchanged key');
    });

    it('refuses a lone surrogate in a new account name', async () => {
      const admin = await f.user({ superAdmin: true });
      const before = await snapshot(tenant.account.id);
      const res = await raw('post', '/accounts', '{"name":"Acme\\ud800"}', admin.auth).expect(400);
      expect(res.body).toEqual(invalid([{ field: 'name', message: SURROGATE_MESSAGE('name') }]));
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });

    it('stores surrogate pairs (emoji) and other valid text exactly', async () => {
      const res = await raw('post', '/teams', '{"name":"Team \\ud83d\\ude00 ✓ 中文"}', tenant.headers).expect(201);
      expect(res.body.name).toBe('Team \u{1F600} ✓ 中文');
      expect((await t.ds.getRepository(Team).findOneByOrFail({ id: res.body.id })).name).toBe('Team \u{1F600} ✓ 中文');
    });

    it.each([
      ['/leads', 'search'],
      ['/leads', 'firstName'],
      ['/leads', 'email'],
      ['/teams', 'search'],
      ['/lead-sources', 'search'],
      ['/lead-rotations', 'search'],
      ['/users', 'search'],
      ['/apikeys', 'search'],
    ])('answers 400 to GET %s?%s= with a NUL character', async (path, param) => {
      const res = await t
        .http()
        .get(`${path}?${param}=${encodeURIComponent('a\u0000b')}`)
        .set(tenant.headers)
        .expect(400);
      expect(res.body).toEqual(invalid([{ field: param, message: NUL_MESSAGE(param) }]));
    });
  });

  describe('numbers and ids out of range', () => {
    it.each(['2147483648', '99999999999', '999999999999999'])('answers 403 to x-account-id %s', async (accountId) => {
      const res = await t
        .http()
        .get('/leads')
        .set({ ...tenant.admin.auth, 'x-account-id': accountId })
        .expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: `You have no access to account ${accountId}` });
    });

    it.each([
      '/leads/2147483648',
      '/leads/99999999999',
      '/teams/99999999999',
      '/lead-sources/2147483648',
      '/lead-rotations/2147483648',
      '/users/2147483648',
      '/apikeys/99999999999',
    ])('answers 400 to GET %s', async (path) => {
      const res = await t.http().get(path).set(tenant.headers).expect(400);
      expect(res.body).toEqual(invalid([{ field: 'id', message: 'id must be a positive integer' }]));
    });

    it.each([
      ['/leads', '{"firstName":"a","lastName":"b","teamId":2147483648}', 'teamId', 'teamId must be at most 2147483647'],
      ['/leads', '{"firstName":"a","lastName":"b","leadSourceId":1e308}', 'leadSourceId', 'leadSourceId must be at most 2147483647'],
      [
        '/leads',
        '{"firstName":"a","lastName":"b","numberOfEmployees":1e308}',
        'numberOfEmployees',
        'numberOfEmployees must be at most 2147483647',
      ],
      ['/teams', '{"name":"T","members":[{"userId":1e308}]}', 'members.0.userId', 'userId must not be greater than 2147483647'],
      ['/lead-sources', '{"name":"S","teamId":2147483648}', 'teamId', 'teamId must not be greater than 2147483647'],
      ['/lead-rotations', '{"name":"R","teamId":1e308}', 'teamId', 'teamId must not be greater than 2147483647'],
      ['/lead-rotations', '{"name":"R","currentPosition":1e308}', 'currentPosition', 'currentPosition must not be greater than 2147483647'],
    ])('POST %s %s → 400 naming %s, nothing stored', async (path, body, field, message) => {
      const before = await snapshot(tenant.account.id);
      const res = await raw('post', path, body, tenant.headers).expect(400);
      expect(res.body).toEqual(invalid([{ field, message }]));
      expect(await snapshot(tenant.account.id)).toEqual(before);
    });
  });

  describe('list cursors', () => {
    let paged: Tenant;
    const list = (query: string) => t.http().get(`/leads?${query}`).set(paged.headers);
    /** The payload of a cursor the service issued, as JSON. */
    const payloadOf = (cursor: string) => JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8'));
    const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

    beforeAll(async () => {
      paged = await f.tenant();
      const leads = new LeadFixtures(t);
      for (let i = 0; i < 5; i++) {
        const at = new Date(Date.UTC(2026, 0, 1 + i));
        await leads.lead(paged, { firstName: `L${i}`, createdAt: at, updatedAt: at });
      }
    });

    it('follows the cursors it issued', async () => {
      const first = await list('pageSize=2').expect(200);
      const second = await list(`pageSize=2&cursor=${first.body.nextCursor}`).expect(200);
      const third = await list(`pageSize=2&cursor=${second.body.nextCursor}`).expect(200);
      expect([...first.body.data, ...second.body.data, ...third.body.data].map((l: { firstName: string }) => l.firstName)).toEqual([
        'L4',
        'L3',
        'L2',
        'L1',
        'L0',
      ]);
      expect(third.body).toMatchObject({ currentPage: 3, nextCursor: null });
    });

    it('answers 400 Invalid cursor to forged, tampered and corrupt cursors', async () => {
      const first = await list('pageSize=2').expect(200);
      const issued: string = first.body.nextCursor;
      const p = payloadOf(issued);
      const [time, id] = p.v;
      const forged = [
        // Unsigned copies: the issued payload itself, and with values no issued cursor holds.
        forge(p),
        forge({ ...p, v: ['+275760-09-13T00:00:00.000Z', id] }),
        forge({ ...p, v: ['2026-01-01T00:00:00.000Z', 'x'] }),
        forge({ ...p, v: [time, 1e308] }),
        forge({ ...p, v: [1e308, id] }),
        forge({ ...p, v: ['2026-13-45T99:00:00.000Z', id] }),
        forge({ ...p, v: [time, id, 1] }),
        forge({ ...p, p: 1e308 }),
        forge({ ...p, v: [time, -1] }),
        forge({ ...p, v: [time, 2147483648] }),
        forge({ ...p, v: [{}, id] }),
        forge([]),
        forge(null),
        // Tampered: another payload under the issued signature, or a signature cut or changed.
        `${forge({ ...p, p: 99 })}.${issued.split('.')[1] ?? ''}`,
        issued.slice(0, -2),
        `${issued.slice(0, -1)}${issued.endsWith('A') ? 'B' : 'A'}`,
        // Corrupt.
        'not-a-cursor',
        '%%%',
        '.',
        `${issued}.${issued}`,
      ];
      for (const cursor of forged) {
        const res = await list(`pageSize=2&cursor=${encodeURIComponent(cursor)}`);
        expect({ cursor, status: res.status, body: res.body }).toEqual({ cursor, status: 400, body: INVALID_CURSOR });
      }
    });
  });
});
