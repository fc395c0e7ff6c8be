import { createHash } from 'node:crypto';
import { Permission, PERMISSIONS } from '../src/auth/permissions/permissions';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { IdentityFixtures, ISO } from './utils/identity-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('api keys', () => {
  let t: TestApp;
  let f: Fixtures;
  let id: IdentityFixtures;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    id = new IdentityFixtures(t, f);
  });
  afterAll(async () => {
    await t.close();
  });

  const keyBody = (tenant: Tenant, extra: Record<string, unknown>) => ({
    id: expect.any(Number),
    name: expect.any(String),
    apiKey: expect.stringMatching(/^lk_[0-9a-f]{24}$/),
    permissions: expect.any(Array),
    active: true,
    accountId: tenant.accountId,
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
    createdBy: tenant.admin.user.email,
    updatedBy: tenant.admin.user.email,
    ...extra,
  });

  describe('POST /apikeys', () => {
    it('answers the key with its secret once, stores only the SHA-256 of the secret, and the key logs in', async () => {
      const tenant = await f.tenant();
      const res = await t
        .http()
        .post('/apikeys')
        .set(tenant.headers)
        .send({ name: ' Website form ', permissions: ['writeLeads', 'readLeads', 'writeLeads'] })
        .expect(201);

      expect(res.body).toEqual(
        keyBody(tenant, {
          name: 'Website form',
          permissions: ['readLeads', 'writeLeads'],
          apiSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        }),
      );
      const row = await id.apiKeyRow(res.body.id);
      expect(row).toMatchObject({
        accountId: tenant.account.id,
        key: res.body.apiKey,
        secretHash: createHash('sha256').update(res.body.apiSecret).digest('hex'),
        createdByUserId: tenant.admin.user.id,
        permissions: ['readLeads', 'writeLeads'],
      });

      const read = await t.http().get(`/apikeys/${res.body.id}`).set(tenant.headers).expect(200);
      const { apiSecret, ...withoutSecret } = res.body;
      expect(read.body).toEqual(withoutSecret);
      expect(JSON.stringify(read.body)).not.toContain(apiSecret);
      expect(JSON.stringify(read.body)).not.toContain(row!.secretHash);

      const login = await t.http().post('/auth/login').send({ apiKey: res.body.apiKey, apiSecret }).expect(200);
      expect(login.body).toMatchObject({ roles: ['apiKey'], permissions: ['readLeads', 'writeLeads'], apiKeyId: res.body.id });
    });

    it('never writes the secret to the audit log', async () => {
      const tenant = await f.tenant();
      const res = await t
        .http()
        .post('/apikeys')
        .set(tenant.headers)
        .send({ name: 'Audited', permissions: ['readLeads'] })
        .expect(201);
      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'api_key_created');
      expect(entries).toHaveLength(1);
      expect(entries[0].data).toEqual({ params: {}, query: {}, body: { name: 'Audited', permissions: ['readLeads'] } });
      const everything = JSON.stringify(await id.auditInAccount(tenant.account.id));
      expect(everything).not.toContain(res.body.apiSecret);
      expect(everything).not.toContain(createHash('sha256').update(res.body.apiSecret).digest('hex'));
    });

    it('answers 400 naming unknown permissions, and for empty or mistyped lists', async () => {
      const tenant = await f.tenant();
      const unknown = await t
        .http()
        .post('/apikeys')
        .set(tenant.headers)
        .send({ name: 'x', permissions: ['readLeads', 'fly', 'deleteAll'] })
        .expect(400);
      expect(unknown.body).toEqual({
        error: 'Validation failed',
        message: 'permissions contains unknown permissions: fly, deleteAll',
        details: [{ field: 'permissions', message: 'permissions contains unknown permissions: fly, deleteAll' }],
      });
      const empty = await t.http().post('/apikeys').set(tenant.headers).send({ name: '', permissions: [] }).expect(400);
      expect(empty.body.details).toEqual([
        { field: 'name', message: 'name should not be empty' },
        { field: 'permissions', message: 'permissions must contain at least one permission' },
      ]);
      const typed = await t
        .http()
        .post('/apikeys')
        .set(tenant.headers)
        .send({ name: 'x', permissions: 'readLeads', apiSecret: 's' })
        .expect(400);
      expect(typed.body.details).toEqual([
        { field: 'apiSecret', message: 'apiSecret is not an allowed property' },
        { field: 'permissions', message: 'permissions must be an array of permission names' },
      ]);
      expect(await id.apiKeys(tenant.account.id)).toEqual([]);
    });

    it('answers 400 naming the permissions the caller does not hold', async () => {
      const tenant = await f.tenant();
      const manager = await id.apiKey(tenant, ['writeApiKeys', 'readLeads', 'writeLeads']);
      const res = await t
        .http()
        .post('/apikeys')
        .set(manager.headers)
        .send({ name: 'escalation', permissions: ['readLeads', 'writeUsers', 'readAuditLog'] })
        .expect(400);
      const message = 'permissions you do not hold cannot be granted: writeUsers, readAuditLog';
      expect(res.body).toEqual({ error: 'Validation failed', message, details: [{ field: 'permissions', message }] });

      const ok = await t
        .http()
        .post('/apikeys')
        .set(manager.headers)
        .send({ name: 'narrower', permissions: ['readLeads'] })
        .expect(201);
      expect(ok.body).toMatchObject({ permissions: ['readLeads'], createdBy: tenant.admin.user.email });
      expect(await id.apiKeys(tenant.account.id)).toHaveLength(2);
    });

    it('a key that manages users and keys cannot widen itself through an admin it adds (403), nor through a key (400)', async () => {
      const tenant = await f.tenant();
      const held: Permission[] = ['readUsers', 'writeUsers', 'readApiKeys', 'writeApiKeys'];
      const lacking = PERMISSIONS.filter((p) => !held.includes(p)).join(', ');
      const manager = await id.apiKey(tenant, held);
      const email = `${uniq('sock')}@example.com`;

      // Today's escalation path: add an admin with a password, log in as it, mint a full key.
      const user = await t
        .http()
        .post('/users')
        .set(manager.headers)
        .send({ email, password: 'a-good-password', role: 'admin' })
        .expect(403);
      expect(user.body).toEqual({
        error: 'Forbidden',
        message: `You cannot grant the admin role: you lack ${lacking}`,
      });
      expect(await id.memberships(tenant.account.id)).toHaveLength(1);
      await t.http().post('/auth/login').send({ email, password: 'a-good-password' }).expect(401);

      const key = await t
        .http()
        .post('/apikeys')
        .set(manager.headers)
        .send({ name: 'wider', permissions: [...PERMISSIONS] })
        .expect(400);
      const message = `permissions you do not hold cannot be granted: ${lacking}`;
      expect(key.body).toEqual({ error: 'Validation failed', message, details: [{ field: 'permissions', message }] });
      expect(await id.apiKeys(tenant.account.id)).toEqual([expect.objectContaining({ id: manager.key.id })]);
    });

    it('needs writeApiKeys', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/apikeys')
        .set(tenant.headersFor(rep))
        .send({ name: 'x', permissions: ['readLeads'] })
        .expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeApiKeys' });
      const reader = await id.apiKey(tenant, ['readApiKeys']);
      const byKey = await t
        .http()
        .post('/apikeys')
        .set(reader.headers)
        .send({ name: 'x', permissions: ['readLeads'] })
        .expect(403);
      expect(byKey.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeApiKeys' });
      await t.http().get('/apikeys').set(reader.headers).expect(200);
    });
  });

  describe('GET /apikeys', () => {
    it('pages, sorts, searches and filters without ever showing a secret', async () => {
      const tenant = await f.tenant();
      const a = await id.apiKey(tenant, ['readLeads'], { name: 'Alpha form' });
      const b = await id.apiKey(tenant, ['readLeads'], { name: 'Bravo import', active: false });
      const c = await id.apiKey(tenant, ['readLeads'], { name: 'Charlie form' });

      const all = await t.http().get('/apikeys').set(tenant.headers).expect(200);
      expect(all.body).toMatchObject({ totalCount: 3, totalPages: 1, currentPage: 1 });
      expect(all.body.data.map((k: { id: number }) => k.id)).toEqual([c.key.id, b.key.id, a.key.id]);
      expect(all.body.data[2]).toEqual(
        keyBody(tenant, { id: a.key.id, name: 'Alpha form', apiKey: a.key.key, permissions: ['readLeads'] }),
      );
      const text = JSON.stringify(all.body);
      for (const k of [a, b, c]) {
        expect(text).not.toContain(k.secret);
        expect(text).not.toContain(k.key.secretHash);
      }

      const search = await t.http().get('/apikeys?search=FORM&sort=name').set(tenant.headers).expect(200);
      expect(search.body.data.map((k: { name: string }) => k.name)).toEqual(['Alpha form', 'Charlie form']);
      const byKey = await t
        .http()
        .get(`/apikeys?search=${b.key.key.slice(3, 15)}`)
        .set(tenant.headers)
        .expect(200);
      expect(byKey.body.data.map((k: { id: number }) => k.id)).toEqual([b.key.id]);
      const inactive = await t.http().get('/apikeys?active=false').set(tenant.headers).expect(200);
      expect(inactive.body.data.map((k: { id: number }) => k.id)).toEqual([b.key.id]);
      const paged = await t.http().get('/apikeys?sort=-name&pageSize=1&page=3').set(tenant.headers).expect(200);
      expect(paged.body).toMatchObject({ totalCount: 3, totalPages: 3, currentPage: 3, data: [expect.objectContaining({ id: a.key.id })] });
      const bad = await t.http().get('/apikeys?sort=secretHash').set(tenant.headers).expect(400);
      expect(bad.body.error).toBe('Invalid sort');
    });

    it('answers 404 for an unknown id', async () => {
      const tenant = await f.tenant();
      const res = await t.http().get('/apikeys/2147483647').set(tenant.headers).expect(404);
      expect(res.body).toEqual({ error: 'Not Found', message: 'API key not found' });
    });
  });

  describe('PATCH /apikeys/:id', () => {
    it('renames, changes permissions and deactivates; a deactivated key stops at once', async () => {
      const tenant = await f.tenant();
      const k = await id.apiKey(tenant, ['readUsers', 'readLeads']);
      await t.http().get('/users').set(k.headers).expect(200);

      const res = await t
        .http()
        .patch(`/apikeys/${k.key.id}`)
        .set(tenant.headers)
        .send({ name: 'Renamed', permissions: ['readLeads'] })
        .expect(200);
      expect(res.body).toEqual(keyBody(tenant, { id: k.key.id, name: 'Renamed', apiKey: k.key.key, permissions: ['readLeads'] }));
      const fewer = await t.http().get('/users').set(k.headers).expect(403);
      expect(fewer.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readUsers' });

      await t.http().patch(`/apikeys/${k.key.id}`).set(tenant.headers).send({ active: false }).expect(200);
      expect(await id.apiKeyRow(k.key.id)).toMatchObject({ active: false, name: 'Renamed', permissions: ['readLeads'] });
      await t.http().get('/auth/session').set(k.headers).expect(401);
      const login = await t.http().post('/auth/login').send({ apiKey: k.key.key, apiSecret: k.secret }).expect(401);
      expect(login.body).toEqual({ error: 'Unauthorized', message: 'Invalid credentials' });

      await t.http().patch(`/apikeys/${k.key.id}`).set(tenant.headers).send({ active: true }).expect(200);
      await t.http().post('/auth/login').send({ apiKey: k.key.key, apiSecret: k.secret }).expect(200);
    });

    it('refuses unknown, ungranted or null values, and records api_key_updated', async () => {
      const tenant = await f.tenant();
      const k = await id.apiKey(tenant, ['readLeads']);
      const manager = await id.apiKey(tenant, ['writeApiKeys', 'readLeads']);
      const escalate = await t
        .http()
        .patch(`/apikeys/${k.key.id}`)
        .set(manager.headers)
        .send({ permissions: ['writeUsers'] })
        .expect(400);
      expect(escalate.body.details).toEqual([
        { field: 'permissions', message: 'permissions you do not hold cannot be granted: writeUsers' },
      ]);
      const nulls = await t
        .http()
        .patch(`/apikeys/${k.key.id}`)
        .set(tenant.headers)
        .send({ name: null, active: null, apiKey: 'lk_x' })
        .expect(400);
      expect(nulls.body.details).toEqual([
        { field: 'apiKey', message: 'apiKey is not an allowed property' },
        { field: 'name', message: 'name must be shorter than or equal to 200 characters' },
        { field: 'name', message: 'name should not be empty' },
        { field: 'name', message: 'name must be a string' },
        { field: 'active', message: 'active must be a boolean value' },
      ]);
      expect(await id.apiKeyRow(k.key.id)).toMatchObject({ permissions: ['readLeads'], name: k.key.name, active: true });

      // Rejections' entries are batched, a change's written with it: flush so ids follow request order.
      await t.flushAudit();
      await t.http().patch(`/apikeys/${k.key.id}`).set(tenant.headers).send({ name: 'ok' }).expect(200);
      const entries = (await id.auditInAccount(tenant.account.id)).map((e) => e.event);
      expect(entries).toEqual(['request_rejected', 'request_rejected', 'api_key_updated']);
    });
  });

  describe('DELETE /apikeys/:id', () => {
    it('deletes the key, answers it without secret, and its sessions stop at once', async () => {
      const tenant = await f.tenant();
      const k = await id.apiKey(tenant, ['readUsers']);
      await t.http().get('/users').set(k.headers).expect(200);

      const res = await t.http().delete(`/apikeys/${k.key.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual(keyBody(tenant, { id: k.key.id, name: k.key.name, apiKey: k.key.key, permissions: ['readUsers'] }));
      expect(await id.apiKeyRow(k.key.id)).toBeNull();
      const after = await t.http().get('/users').set(k.headers).expect(401);
      expect(after.body).toEqual({ error: 'Unauthorized', message: 'The bearer token is invalid or no longer valid' });
      await t.http().delete(`/apikeys/${k.key.id}`).set(tenant.headers).expect(404);

      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'api_key_deleted');
      expect(entries).toEqual([expect.objectContaining({ statusCode: 200, user: tenant.admin.user.email })]);
    });

    it('lets a key delete itself, recording the key in the audit log', async () => {
      const tenant = await f.tenant();
      const k = await id.apiKey(tenant, ['writeApiKeys']);
      await t.http().delete(`/apikeys/${k.key.id}`).set(k.headers).expect(200);
      const entry = (await id.auditInAccount(tenant.account.id)).find((e) => e.event === 'api_key_deleted');
      expect(entry).toMatchObject({ user: tenant.admin.user.email, apiKey: String(k.key.id) });
      await t.http().get('/auth/session').set(k.headers).expect(401);
    });
  });
});
