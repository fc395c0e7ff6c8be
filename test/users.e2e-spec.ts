import { PERMISSIONS, ROLE_PERMISSIONS } from '../src/auth/permissions/permissions';
import { TeamMember } from '../src/teams/entities/team-member.entity';
import { User } from '../src/users/entities/user.entity';
import { Fixtures, Tenant, uniq } from './utils/fixtures';
import { IdentityFixtures, ISO } from './utils/identity-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const LAST_ADMIN = { error: 'Conflict', message: 'The account must keep at least one active admin: make another member admin first' };

describe('users', () => {
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

  const userBody = (tenant: Tenant, u: User, extra: Record<string, unknown> = {}) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: 'user',
    active: true,
    primary: true,
    away: false,
    awayUntil: null,
    accountId: tenant.accountId,
    createdAt: expect.stringMatching(ISO),
    updatedAt: expect.stringMatching(ISO),
    createdBy: null,
    updatedBy: null,
    ...extra,
  });

  describe('POST /users', () => {
    it('creates a new user who can then log in and act in the account', async () => {
      const tenant = await f.tenant();
      const email = `${uniq('New.')}@Example.com`;

      const res = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: `  ${email} `, name: ' Nia New ', password: 'a-good-password', role: 'admin' })
        .expect(201);

      const stored = await t.ds.getRepository(User).findOneOrFail({ where: { email: email.toLowerCase() } });
      expect(res.body).toEqual({
        id: stored.id,
        email: email.toLowerCase(),
        name: 'Nia New',
        role: 'admin',
        active: true,
        primary: true,
        away: false,
        awayUntil: null,
        accountId: tenant.accountId,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
      });
      expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
      expect(stored.passwordHash).not.toContain('a-good-password');
      expect(stored).toMatchObject({ active: true, isSuperAdmin: false, name: 'Nia New' });

      const login = await t.http().post('/auth/login').send({ email, password: 'a-good-password' }).expect(200);
      expect(login.body).toMatchObject({ id: stored.id, primaryAccount: { accountId: tenant.accountId }, roles: ['admin'] });
      const headers = { Authorization: `Bearer ${login.body.token}`, 'x-account-id': tenant.accountId };
      const list = await t.http().get('/users?sort=id').set(headers).expect(200);
      expect(list.body.data.map((u: { email: string }) => u.email)).toEqual([tenant.admin.user.email, email.toLowerCase()]);
      const elsewhere = await f.account();
      await t
        .http()
        .get('/users')
        .set({ ...headers, 'x-account-id': String(elsewhere.id) })
        .expect(403);
    });

    it('adds a user without a password, who cannot log in with one; a user role member lacks readUsers', async () => {
      const tenant = await f.tenant();
      const email = `${uniq('nopw')}@example.com`;
      const res = await t.http().post('/users').set(tenant.headers).send({ email, role: 'user' }).expect(201);
      expect(res.body).toMatchObject({ email, name: null, role: 'user', primary: true });
      expect((await id.user(res.body.id))!.passwordHash).toBeNull();
      const login = await t.http().post('/auth/login').send({ email, password: 'anything-at-all' }).expect(401);
      expect(login.body).toEqual({ error: 'Unauthorized', message: 'Invalid credentials' });

      const token = await t.jwt.signAsync({ sub: String(res.body.id), typ: 'user' });
      const denied = await t
        .http()
        .get('/users')
        .set({ Authorization: `Bearer ${token}`, 'x-account-id': tenant.accountId })
        .expect(403);
      expect(denied.body).toEqual({ error: 'Forbidden', message: 'Missing permission: readUsers' });
    });

    it('adds an existing user of another account, who keeps their password, name and primary account', async () => {
      const home = await f.tenant();
      const tenant = await f.tenant();
      const existing = await id.userWithPassword({ name: 'Old Name' });
      await f.member(home.account.id, existing.user, 'user', { primary: true });

      const res = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: existing.user.email.toUpperCase(), name: 'New Name', role: 'user' })
        .expect(201);

      // The answer is a new user's (the name sent, primary): nothing from the other account.
      expect(res.body).toEqual(
        userBody(tenant, existing.user, {
          name: 'New Name',
          primary: true,
          createdBy: tenant.admin.user.email,
          updatedBy: tenant.admin.user.email,
        }),
      );
      expect(await id.user(existing.user.id)).toMatchObject({ name: 'Old Name', passwordHash: existing.user.passwordHash });
      expect(await id.membership(tenant.account.id, existing.user.id)).toMatchObject({ role: 'user', active: true, isPrimary: false });
      const login = await t.http().post('/auth/login').send({ email: existing.user.email, password: existing.password }).expect(200);
      expect(login.body.primaryAccount.accountId).toBe(home.accountId);
      expect(login.body.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([home.accountId, tenant.accountId]);
    });

    it('answers a known email exactly as an unknown one, ignoring the password for an existing user', async () => {
      const tenant = await f.tenant();
      const elsewhere = await f.tenant();
      const existing = await id.userWithPassword({ name: 'Foreign Name' });
      await f.member(elsewhere.account.id, existing.user, 'admin', { primary: true });
      const unknownEmail = `${uniq('fresh')}@example.com`;
      const body = (email: string) => ({ email, name: 'Sent Name', password: 'a-new-password', role: 'user' });

      const known = await t.http().post('/users').set(tenant.headers).send(body(existing.user.email)).expect(201);
      const unknown = await t.http().post('/users').set(tenant.headers).send(body(unknownEmail)).expect(201);

      const fresh = await t.ds.getRepository(User).findOneOrFail({ where: { email: unknownEmail } });
      const added = {
        role: 'user',
        name: 'Sent Name',
        primary: true,
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
      };
      expect(known.body).toEqual(userBody(tenant, existing.user, added));
      expect(unknown.body).toEqual(userBody(tenant, fresh, added));
      expect(Object.keys(known.body)).toEqual(Object.keys(unknown.body));
      expect(JSON.stringify(known.body)).not.toContain('Foreign Name');
      expect(known.headers['content-type']).toBe(unknown.headers['content-type']);

      // The existing user is untouched: their name, their password, their primary account.
      expect(await id.user(existing.user.id)).toMatchObject({ name: 'Foreign Name', passwordHash: existing.user.passwordHash });
      await t.http().post('/auth/login').send({ email: existing.user.email, password: 'a-new-password' }).expect(401);
      const old = await t.http().post('/auth/login').send({ email: existing.user.email, password: existing.password }).expect(200);
      expect(old.body.primaryAccount.accountId).toBe(elsewhere.accountId);
      // The new user got the password sent.
      await t.http().post('/auth/login').send({ email: unknownEmail, password: 'a-new-password' }).expect(200);

      // Without a name, both answer null.
      const other = await id.userWithPassword({ name: 'Another Foreign Name' });
      await f.member(elsewhere.account.id, other.user, 'user', { primary: true });
      const knownNoName = await t.http().post('/users').set(tenant.headers).send({ email: other.user.email, role: 'user' }).expect(201);
      const unknownNoName = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: `${uniq('fresh')}@example.com`, role: 'user' })
        .expect(201);
      expect(knownNoName.body).toMatchObject({ name: null, primary: true });
      expect(unknownNoName.body).toMatchObject({ name: null, primary: true });
    });

    it('answers 409 when the user is already a member, whatever the case of the email', async () => {
      const tenant = await f.tenant();
      const member = await f.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: member.user.email.toUpperCase(), role: 'admin' })
        .expect(409);
      expect(res.body).toEqual({ error: 'Conflict', message: 'This user is already a member of the account' });
      expect(await id.membership(tenant.account.id, member.user.id)).toMatchObject({ role: 'user' });
      expect(await id.memberships(tenant.account.id)).toHaveLength(2);
    });

    it('answers 400 listing every problem', async () => {
      const tenant = await f.tenant();
      const res = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: 'nope', password: 'short', role: 'owner', id: 3 })
        .expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '4 problems were found in the request',
        details: [
          { field: 'id', message: 'id is not an allowed property' },
          { field: 'email', message: 'email must be an email address' },
          { field: 'password', message: 'password must be longer than or equal to 8 characters' },
          { field: 'role', message: 'role must be one of admin, user' },
        ],
      });
      const nulls = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: 'a@example.com', password: null, role: 'user' })
        .expect(400);
      expect(nulls.body.details).toContainEqual({ field: 'password', message: 'password must be a string' });
      expect(await id.memberships(tenant.account.id)).toHaveLength(1);
    });

    it('needs writeUsers', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/users')
        .set(tenant.headersFor(rep))
        .send({ email: `${uniq()}@example.com`, role: 'user' })
        .expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeUsers' });
      expect(await id.memberships(tenant.account.id)).toHaveLength(2);
    });

    it('records user_added with the password masked', async () => {
      const tenant = await f.tenant();
      const email = `${uniq()}@example.com`;
      await t.http().post('/users').set(tenant.headers).send({ email, password: 'audit-password', role: 'user' }).expect(201);
      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'user_added');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        user: tenant.admin.user.email,
        statusCode: 201,
        data: { params: {}, query: {}, body: { email, password: '[REDACTED]', role: 'user' } },
      });
      expect(JSON.stringify(entries[0])).not.toContain('audit-password');
    });
  });

  describe('GET /users', () => {
    let tenant: Tenant;
    beforeAll(async () => {
      tenant = await f.tenant();
      await f.memberOf(tenant, 'user', { email: `${uniq('zed')}@example.com`, name: 'Zed Zebra' });
      await f.memberOf(tenant, 'admin', { email: `${uniq('amy')}@example.com`, name: 'Amy Apple' });
      const off = await f.memberOf(tenant, 'user', { email: `${uniq('bob')}@example.com`, name: 'Bob Off' });
      await id.setMembershipActive(tenant.account.id, off.user.id, false);
    });

    it('pages, sorts, searches and filters', async () => {
      const all = await t.http().get('/users').set(tenant.headers).expect(200);
      expect(all.body).toMatchObject({ totalCount: 4, totalPages: 1, currentPage: 1 });
      expect(all.body.data.map((u: { name: string }) => u.name)).toEqual(['Admin', 'Zed Zebra', 'Amy Apple', 'Bob Off']);
      expect(all.body.data[1]).toEqual({
        id: expect.any(Number),
        email: expect.stringMatching(/^zed/),
        name: 'Zed Zebra',
        role: 'user',
        active: true,
        primary: true,
        away: false,
        awayUntil: null,
        accountId: tenant.accountId,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        createdBy: null,
        updatedBy: null,
      });

      const page = await t.http().get('/users?sort=-name&pageSize=2&page=2').set(tenant.headers).expect(200);
      expect(page.body).toMatchObject({ totalCount: 4, totalPages: 2, currentPage: 2 });
      expect(page.body.data.map((u: { name: string }) => u.name)).toEqual(['Amy Apple', 'Admin']);

      const nameless = await t
        .http()
        .post('/users')
        .set(tenant.headers)
        .send({ email: `${uniq('nameless')}@example.com`, role: 'user' })
        .expect(201);
      const byName = await t.http().get('/users?sort=name&active=true').set(tenant.headers).expect(200);
      expect(byName.body.data.map((u: { name: string | null }) => u.name)).toEqual(['Admin', 'Amy Apple', 'Zed Zebra', null]);
      await t.http().delete(`/users/${nameless.body.id}`).set(tenant.headers).expect(200);

      const search = await t.http().get('/users?search=ZEBRA').set(tenant.headers).expect(200);
      expect(search.body.data.map((u: { name: string }) => u.name)).toEqual(['Zed Zebra']);
      const byEmail = await t.http().get('/users?search=amy').set(tenant.headers).expect(200);
      expect(byEmail.body.data.map((u: { name: string }) => u.name)).toEqual(['Amy Apple']);

      const admins = await t.http().get('/users?role=admin&sort=email').set(tenant.headers).expect(200);
      expect(admins.body.data.map((u: { name: string }) => u.name).sort()).toEqual(['Admin', 'Amy Apple']);
      const inactive = await t.http().get('/users?active=false').set(tenant.headers).expect(200);
      expect(inactive.body.data.map((u: { name: string; active: boolean }) => [u.name, u.active])).toEqual([['Bob Off', false]]);
      const active = await t.http().get('/users?active=1&sort=role,-createdAt').set(tenant.headers).expect(200);
      expect(active.body.totalCount).toBe(3);
      expect(active.body.data.map((u: { role: string }) => u.role)).toEqual(['admin', 'admin', 'user']);
    });

    it('answers 400 for unknown sort fields and bad filters', async () => {
      const sort = await t.http().get('/users?sort=password').set(tenant.headers).expect(400);
      expect(sort.body).toEqual({
        error: 'Invalid sort',
        message: 'Unknown sort field: password. Allowed: id, email, name, role, active, createdAt',
        details: [{ field: 'sort', message: 'unknown sort field "password"' }],
      });
      const bad = await t.http().get('/users?role=owner&active=maybe').set(tenant.headers).expect(400);
      expect(bad.body.details).toEqual([
        { field: 'role', message: 'role must be one of admin, user' },
        { field: 'active', message: 'active must be a boolean value' },
      ]);
    });
  });

  describe('GET /users/:id', () => {
    it('answers the member, 404 for a user who is not a member, 400 for a bad id', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await t.http().get(`/users/${rep.user.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual(userBody(tenant, rep.user));

      const stranger = await f.user();
      const missing = await t.http().get(`/users/${stranger.user.id}`).set(tenant.headers).expect(404);
      expect(missing.body).toEqual({ error: 'Not Found', message: 'User not found' });
      const bad = await t.http().get('/users/abc').set(tenant.headers).expect(400);
      expect(bad.body).toEqual({
        error: 'Validation failed',
        message: 'id must be a positive integer',
        details: [{ field: 'id', message: 'id must be a positive integer' }],
      });
      await t.http().get('/users/99999999999').set(tenant.headers).expect(400);
    });
  });

  describe('PATCH /users/:id', () => {
    it('refuses to rename a user who also belongs to another account, unless they rename themselves', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const shared = await f.memberOf(tenant, 'admin', { name: 'Shared' });
      await f.member(other.account.id, shared.user, 'user');
      const res = await t.http().patch(`/users/${shared.user.id}`).set(tenant.headers).send({ name: 'Renamed', role: 'user' }).expect(409);
      expect(res.body).toEqual({ error: 'Conflict', message: 'This user also belongs to other accounts: only they can change their name' });
      // Nothing changed, the role included (one transaction).
      expect(await id.user(shared.user.id)).toMatchObject({ name: 'Shared' });
      expect(await id.membership(tenant.account.id, shared.user.id)).toMatchObject({ role: 'admin' });
      // Sending the name unchanged is not a rename; the user may rename themselves.
      await t.http().patch(`/users/${shared.user.id}`).set(tenant.headers).send({ name: 'Shared', active: true }).expect(200);
      await t.http().patch(`/users/${shared.user.id}`).set(tenant.headersFor(shared)).send({ name: 'Renamed' }).expect(200);
      expect(await id.user(shared.user.id)).toMatchObject({ name: 'Renamed' });
    });

    it("changes the user's name and the membership's role and active flag", async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await t
        .http()
        .patch(`/users/${rep.user.id}`)
        .set(tenant.headers)
        .send({ name: ' Renamed ', role: 'admin', active: false })
        .expect(200);
      expect(res.body).toEqual(
        userBody(tenant, rep.user, { name: 'Renamed', role: 'admin', active: false, updatedBy: tenant.admin.user.email }),
      );
      expect(await id.user(rep.user.id)).toMatchObject({ name: 'Renamed', active: true });
      expect(await id.membership(tenant.account.id, rep.user.id)).toMatchObject({
        role: 'admin',
        active: false,
        updatedBy: tenant.admin.user.email,
      });

      const cleared = await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({ name: null }).expect(200);
      expect(cleared.body).toMatchObject({ name: null, role: 'admin', active: false });
      const unchanged = await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({}).expect(200);
      expect(unchanged.body).toMatchObject({ name: null, role: 'admin', active: false });
    });

    it('cuts off a deactivated member at once, and lets them back in when reactivated', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'admin');
      await t.http().get('/users').set(tenant.headersFor(rep)).expect(200);
      await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({ active: false }).expect(200);
      const res = await t.http().get('/users').set(tenant.headersFor(rep)).expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: `You have no access to account ${tenant.accountId}` });
      await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({ active: true }).expect(200);
      await t.http().get('/users').set(tenant.headersFor(rep)).expect(200);
    });

    it('answers 400 for null or mistyped values and read-only fields', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const res = await t
        .http()
        .patch(`/users/${rep.user.id}`)
        .set(tenant.headers)
        .send({ role: null, active: 'false', email: 'x@example.com' })
        .expect(400);
      expect(res.body.details).toEqual([
        { field: 'email', message: 'email is not an allowed property' },
        { field: 'role', message: 'role must be one of admin, user' },
        { field: 'active', message: 'active must be a boolean value' },
      ]);
      expect(await id.membership(tenant.account.id, rep.user.id)).toMatchObject({ role: 'user', active: true });
    });

    it('refuses (409) to demote or deactivate the last active admin, and allows it when another admin remains', async () => {
      const tenant = await f.tenant();
      const me = tenant.admin.user.id;
      for (const body of [{ role: 'user' }, { active: false }]) {
        const res = await t.http().patch(`/users/${me}`).set(tenant.headers).send(body).expect(409);
        expect(res.body).toEqual(LAST_ADMIN);
      }
      // An inactive admin or an admin whose user is disabled does not count.
      const dormant = await f.memberOf(tenant, 'admin');
      await id.setMembershipActive(tenant.account.id, dormant.user.id, false);
      const disabled = await f.memberOf(tenant, 'admin');
      await id.setUserActive(disabled.user.id, false);
      await t.http().patch(`/users/${me}`).set(tenant.headers).send({ role: 'user' }).expect(409);
      expect(await id.membership(tenant.account.id, me)).toMatchObject({ role: 'admin', active: true });

      const other = await f.memberOf(tenant, 'admin');
      const res = await t.http().patch(`/users/${me}`).set(tenant.headers).send({ role: 'user' }).expect(200);
      expect(res.body).toMatchObject({ id: me, role: 'user' });
      const back = await t.http().patch(`/users/${other.user.id}`).set(tenant.headersFor(other)).send({ active: false }).expect(409);
      expect(back.body).toEqual(LAST_ADMIN);
    });

    it('needs writeUsers, and records user_updated', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      const denied = await t.http().patch(`/users/${rep.user.id}`).set(tenant.headersFor(rep)).send({ role: 'admin' }).expect(403);
      expect(denied.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeUsers' });
      // The rejection's entry is batched, the change's written with it: flush so ids follow request order.
      await t.flushAudit();
      await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({ name: 'Audited' }).expect(200);
      const events = (await id.auditInAccount(tenant.account.id)).map((e) => [e.event, e.statusCode]);
      expect(events).toEqual([
        ['request_rejected', 403],
        ['user_updated', 200],
      ]);
    });
  });

  describe('roles the caller does not hold', () => {
    const lacking = (...held: string[]) => PERMISSIONS.filter((p) => !held.includes(p)).join(', ');
    const ADMIN_REFUSED = {
      error: 'Forbidden',
      message: `You cannot grant the admin role: you lack ${lacking('readUsers', 'writeUsers')}`,
    };

    it('a key with only readUsers and writeUsers cannot add an admin (403), and nothing is stored', async () => {
      const tenant = await f.tenant();
      const key = await id.apiKey(tenant, ['readUsers', 'writeUsers']);
      const email = `${uniq('escalate')}@example.com`;

      const res = await t.http().post('/users').set(key.headers).send({ email, password: 'a-good-password', role: 'admin' }).expect(403);
      expect(res.body).toEqual(ADMIN_REFUSED);
      // Not even the user role: the key lacks its lead permissions.
      const asUser = await t.http().post('/users').set(key.headers).send({ email, password: 'a-good-password', role: 'user' }).expect(403);
      expect(asUser.body).toEqual({
        error: 'Forbidden',
        message: 'You cannot grant the user role: you lack readLeads, writeLeads, readTeams, readLeadSources, readLeadRotations',
      });

      expect(await t.ds.getRepository(User).findOne({ where: { email } })).toBeNull();
      expect(await id.memberships(tenant.account.id)).toEqual([expect.objectContaining({ userId: tenant.admin.user.id })]);
      const list = await t.http().get('/users').set(key.headers).expect(200);
      expect(list.body.data.map((u: { email: string }) => u.email)).toEqual([tenant.admin.user.email]);
      await t.http().post('/auth/login').send({ email, password: 'a-good-password' }).expect(401);
    });

    it('a key holding the user role but not admin cannot promote a member to admin (403), and the role stays', async () => {
      const tenant = await f.tenant();
      const key = await id.apiKey(tenant, ['readUsers', 'writeUsers', ...ROLE_PERMISSIONS.user]);
      const rep = await f.memberOf(tenant, 'user');

      const res = await t.http().patch(`/users/${rep.user.id}`).set(key.headers).send({ role: 'admin' }).expect(403);
      expect(res.body).toEqual({
        error: 'Forbidden',
        message: `You cannot grant the admin role: you lack ${lacking('readUsers', 'writeUsers', ...ROLE_PERMISSIONS.user)}`,
      });
      expect(await id.membership(tenant.account.id, rep.user.id)).toMatchObject({ role: 'user', active: true, updatedBy: null });
      const read = await t.http().get(`/users/${rep.user.id}`).set(key.headers).expect(200);
      expect(read.body).toMatchObject({ role: 'user' });

      // What it holds it may grant: the user role, to a new member.
      const added = await t
        .http()
        .post('/users')
        .set(key.headers)
        .send({ email: `${uniq('rep')}@example.com`, role: 'user' })
        .expect(201);
      expect(added.body).toMatchObject({ role: 'user', createdBy: tenant.admin.user.email });
      // A key with only readUsers and writeUsers cannot change the member at all.
      const narrow = await id.apiKey(tenant, ['readUsers', 'writeUsers']);
      const denied = await t.http().patch(`/users/${rep.user.id}`).set(narrow.headers).send({ role: 'admin' }).expect(403);
      expect(denied.body).toEqual({
        error: 'Forbidden',
        message:
          'You cannot change or remove a member with the user role: you lack readLeads, writeLeads, readTeams, readLeadSources, readLeadRotations',
      });
      expect(await id.membership(tenant.account.id, rep.user.id)).toMatchObject({ role: 'user' });
    });

    it('a key without every admin permission cannot demote, deactivate, rename or remove an admin (403), and nothing changes', async () => {
      const tenant = await f.tenant();
      const key = await id.apiKey(tenant, ['readUsers', 'writeUsers', ...ROLE_PERMISSIONS.user]);
      const other = await f.memberOf(tenant, 'admin', { name: 'Other Admin' });
      const refused = {
        error: 'Forbidden',
        message: `You cannot change or remove a member with the admin role: you lack ${lacking('readUsers', 'writeUsers', ...ROLE_PERMISSIONS.user)}`,
      };
      for (const body of [{ role: 'user' }, { active: false }, { name: 'Renamed' }]) {
        const res = await t.http().patch(`/users/${other.user.id}`).set(key.headers).send(body).expect(403);
        expect(res.body).toEqual(refused);
      }
      const removed = await t.http().delete(`/users/${other.user.id}`).set(key.headers).expect(403);
      expect(removed.body).toEqual(refused);
      expect(await id.membership(tenant.account.id, other.user.id)).toMatchObject({ role: 'admin', active: true, updatedBy: null });
      expect(await id.user(other.user.id)).toMatchObject({ name: 'Other Admin' });
      await t.http().get('/users').set(tenant.headersFor(other)).expect(200);
    });

    it('an admin user, and a key holding every permission, can add an admin and promote a member', async () => {
      const tenant = await f.tenant();
      const full = await id.apiKey(tenant, [...PERMISSIONS]);
      const rep = await f.memberOf(tenant, 'user');
      const rep2 = await f.memberOf(tenant, 'user');

      for (const headers of [tenant.headers, full.headers]) {
        const email = `${uniq('boss')}@example.com`;
        const res = await t.http().post('/users').set(headers).send({ email, password: 'a-good-password', role: 'admin' }).expect(201);
        expect(res.body).toMatchObject({ email, role: 'admin', createdBy: tenant.admin.user.email });
        const login = await t.http().post('/auth/login').send({ email, password: 'a-good-password' }).expect(200);
        expect(login.body).toMatchObject({ roles: ['admin'], permissions: [...PERMISSIONS] });
      }
      await t.http().patch(`/users/${rep.user.id}`).set(tenant.headers).send({ role: 'admin' }).expect(200);
      await t.http().patch(`/users/${rep2.user.id}`).set(full.headers).send({ role: 'admin' }).expect(200);
      expect(await id.membership(tenant.account.id, rep.user.id)).toMatchObject({ role: 'admin' });
      expect(await id.membership(tenant.account.id, rep2.user.id)).toMatchObject({ role: 'admin' });
      // And demote, deactivate and remove one again.
      await t.http().patch(`/users/${rep2.user.id}`).set(full.headers).send({ role: 'user', active: false }).expect(200);
      await t.http().delete(`/users/${rep2.user.id}`).set(full.headers).expect(200);
      expect(await id.membership(tenant.account.id, rep2.user.id)).toBeNull();
    });
  });

  describe('DELETE /users/:id', () => {
    it('removes the membership only, answers the removed member, and switches off their keys here', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const rep = await f.memberOf(tenant, 'admin');
      await f.member(other.account.id, rep.user, 'user');
      const hereKey = await id.apiKey(tenant, ['readUsers'], { creator: rep });
      const thereKey = await id.apiKey(other, ['readLeads'], { creator: rep });

      const res = await t.http().delete(`/users/${rep.user.id}`).set(tenant.headers).expect(200);

      expect(res.body).toEqual(userBody(tenant, rep.user, { role: 'admin' }));
      expect(await id.membership(tenant.account.id, rep.user.id)).toBeNull();
      expect(await id.membership(other.account.id, rep.user.id)).not.toBeNull();
      expect(await id.user(rep.user.id)).not.toBeNull();
      expect(await id.apiKeyRow(hereKey.key.id)).toMatchObject({ active: false, updatedBy: tenant.admin.user.email });
      expect(await id.apiKeyRow(thereKey.key.id)).toMatchObject({ active: true });

      const denied = await t.http().get('/users').set(tenant.headersFor(rep)).expect(403);
      expect(denied.body).toEqual({ error: 'Forbidden', message: `You have no access to account ${tenant.accountId}` });
      await t.http().get(`/users/${rep.user.id}`).set(tenant.headers).expect(404);
      await t.http().delete(`/users/${rep.user.id}`).set(tenant.headers).expect(404);

      // Added again, their old key stays off.
      await t.http().post('/users').set(tenant.headers).send({ email: rep.user.email, role: 'admin' }).expect(201);
      await t.http().get('/users').set(hereKey.headers).expect(401);
    });

    it("takes the removed member off this account's teams only", async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      await f.member(other.account.id, rep.user, 'user');
      const setup = new SetupFixtures(t);
      const here = await setup.team(tenant, { members: [rep.user.id] });
      const there = await setup.team(other, { members: [rep.user.id] });

      await t.http().delete(`/users/${rep.user.id}`).set(tenant.headers).expect(200);

      const rows = await t.ds.getRepository(TeamMember).find({ where: { userId: rep.user.id } });
      expect(rows.map((r) => r.teamId)).toEqual([there.id]);
      const team = await t.http().get(`/teams/${here.id}`).set(tenant.headers).expect(200);
      expect(team.body.members).toEqual([]);
    });

    it('refuses (409) to remove the last active admin', async () => {
      const tenant = await f.tenant();
      const res = await t.http().delete(`/users/${tenant.admin.user.id}`).set(tenant.headers).expect(409);
      expect(res.body).toEqual(LAST_ADMIN);
      expect(await id.membership(tenant.account.id, tenant.admin.user.id)).not.toBeNull();
    });

    it('records user_removed', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant, 'user');
      await t.http().delete(`/users/${rep.user.id}`).set(tenant.headers).expect(200);
      const entries = (await id.auditInAccount(tenant.account.id)).filter((e) => e.event === 'user_removed');
      expect(entries).toEqual([
        expect.objectContaining({ statusCode: 200, data: { params: { id: String(rep.user.id) }, query: {}, body: null } }),
      ]);
    });
  });

  it('gives a member role permissions through the account guard (admin has all)', async () => {
    const tenant = await f.tenant();
    const res = await t.http().get('/accounts').set(tenant.admin.auth).expect(200);
    expect(res.body[0].permissions).toEqual([...ROLE_PERMISSIONS.admin]);
  });
});
