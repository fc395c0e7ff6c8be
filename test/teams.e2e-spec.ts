import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Lead } from '../src/leads/entities/lead.entity';
import { TeamMember } from '../src/teams/entities/team-member.entity';
import { Team } from '../src/teams/entities/team.entity';
import { Membership } from '../src/users/entities/membership.entity';
import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/** The distinct fields named in an error's details, sorted. */
const fieldsOf = (body: { details?: { field: string }[] }) => [...new Set((body.details ?? []).map((d) => d.field))].sort();

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

describe('teams', () => {
  let t: TestApp;
  let fx: Fixtures;
  let setup: SetupFixtures;

  beforeAll(async () => {
    t = await createTestApp();
    fx = new Fixtures(t);
    setup = new SetupFixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const member = (u: TestUser) => ({ userId: u.user.id, email: u.user.email, name: u.user.name });
  const teamRow = (id: number) => t.ds.getRepository(Team).findOneBy({ id });
  const memberRows = (teamId: number) => t.ds.getRepository(TeamMember).find({ where: { teamId }, order: { position: 'ASC' } });
  const addLeads = (tenant: Tenant, n: number, values: Partial<Lead>) =>
    t.tx.run((em) =>
      em.insert(
        Lead,
        Array.from({ length: n }, (_, i) => ({ accountId: tenant.account.id, firstName: `F${i}`, lastName: 'L', ...values })),
      ),
    );

  describe('POST /teams', () => {
    it('creates a team with its members in the given order', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const b = await fx.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: '  West Coast ', members: [{ userId: b.user.id }, { userId: a.user.id }] })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        accountId: tenant.accountId,
        account_id: tenant.accountId,
        name: 'West Coast',
        active: true,
        members: [member(b), member(a)],
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
        createdAt: ISO,
        updatedAt: ISO,
      });
      const row = await teamRow(res.body.id);
      expect(row).toMatchObject({ accountId: tenant.account.id, name: 'West Coast', active: true });
      expect((await memberRows(res.body.id)).map((m) => [m.userId, m.position])).toEqual([
        [b.user.id, 0],
        [a.user.id, 1],
      ]);
    });

    it('defaults to active with no members, and accepts active=false and inactive users of the account', async () => {
      const tenant = await fx.tenant();
      const res = await t.http().post('/teams').set(tenant.headers).send({ name: 'Plain' }).expect(201);
      expect(res.body).toMatchObject({ name: 'Plain', active: true, members: [] });

      const inactive = await fx.memberOf(tenant, 'user');
      await t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: inactive.user.id }, { active: false }));
      const res2 = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: 'Dormant', active: false, members: [{ userId: inactive.user.id }] })
        .expect(201);
      expect(res2.body).toMatchObject({ name: 'Dormant', active: false, members: [member(inactive)] });
    });

    it('reports every body problem at once', async () => {
      const tenant = await fx.tenant();
      const res = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: '   ', active: 'true', members: [{ userId: '5' }, { foo: 1 }], id: 3 })
        .expect(400);
      expect(res.body.error).toBe('Validation failed');
      expect(fieldsOf(res.body)).toEqual(['active', 'id', 'members.0.userId', 'members.1.foo', 'members.1.userId', 'name'].sort());
      await expect(t.ds.getRepository(Team).countBy({ accountId: tenant.account.id })).resolves.toBe(0);
    });

    it('refuses NUL characters in text (PostgreSQL cannot store them) in bodies and query strings', async () => {
      const tenant = await fx.tenant();
      const res = await t.http().post('/teams').set(tenant.headers).send({ name: 'Sales\u0000' }).expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: 'name must not contain NUL characters',
        details: [{ field: 'name', message: 'name must not contain NUL characters' }],
      });
      const list = await t
        .http()
        .get(`/teams?search=${encodeURIComponent('a\u0000')}`)
        .set(tenant.headers)
        .expect(400);
      expect(list.body.details).toEqual([{ field: 'search', message: 'search must not contain NUL characters' }]);
      await expect(t.ds.getRepository(Team).count({ where: { accountId: tenant.account.id } })).resolves.toBe(0);
    });

    it('refuses a missing name, null values and a members value that is not a list', async () => {
      const tenant = await fx.tenant();
      const missing = await t.http().post('/teams').set(tenant.headers).send({}).expect(400);
      expect(fieldsOf(missing.body)).toEqual(['name']);
      const nulls = await t.http().post('/teams').set(tenant.headers).send({ name: 'X', active: null, members: null }).expect(400);
      expect(fieldsOf(nulls.body)).toEqual(['active', 'members']);
      const notList = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: 'X', members: { userId: 1 } })
        .expect(400);
      expect(notList.body.details).toContainEqual({ field: 'members', message: 'members must be an array' });
    });

    it('refuses members who are not users of the account, naming each offender', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const mine = await fx.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: 'Mixed', members: [{ userId: mine.user.id }, { userId: other.admin.user.id }, { userId: 2147483000 }] })
        .expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'members.1.userId', message: `user ${other.admin.user.id} is not a user of this account` },
          { field: 'members.2.userId', message: 'user 2147483000 is not a user of this account' },
        ],
      });
      await expect(t.ds.getRepository(Team).countBy({ accountId: tenant.account.id })).resolves.toBe(0);
    });

    it('refuses a userId listed twice', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const res = await t
        .http()
        .post('/teams')
        .set(tenant.headers)
        .send({ name: 'Twice', members: [{ userId: a.user.id }, { userId: tenant.admin.user.id }, { userId: a.user.id }] })
        .expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: `members lists userId ${a.user.id} more than once`,
        details: [{ field: 'members', message: `members lists userId ${a.user.id} more than once` }],
      });
    });
  });

  describe('GET /teams', () => {
    it('lists active teams by default with their members, and filters by active and name', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const b = await fx.memberOf(tenant, 'user');
      const alpha = await setup.team(tenant, { name: 'Alpha', members: [b, a] });
      const beta = await setup.team(tenant, { name: 'Beta', members: [a] });
      const gone = await setup.team(tenant, { name: 'Gamma', active: false });
      await setup.team(await fx.tenant(), { name: 'Alpha' });

      const res = await t.http().get('/teams').set(tenant.headers).expect(200);
      expect(res.body).toEqual({
        data: [
          expect.objectContaining({ id: alpha.id, name: 'Alpha', active: true, members: [member(b), member(a)] }),
          expect.objectContaining({ id: beta.id, name: 'Beta', members: [member(a)] }),
        ],
        totalCount: 2,
        totalPages: 1,
        currentPage: 1,
      });
      const inactive = await t.http().get('/teams?active=false').set(tenant.headers).expect(200);
      expect(inactive.body.data.map((x: { id: number }) => x.id)).toEqual([gone.id]);
      const byName = await t.http().get('/teams?name=alpha').set(tenant.headers).expect(200);
      expect(byName.body.data.map((x: { id: number }) => x.id)).toEqual([alpha.id]);
      // Any case of every letter, not only ASCII.
      const equipe = await setup.team(tenant, { name: 'Équipe Ørsted' });
      const byAccented = await t
        .http()
        .get(`/teams?name=${encodeURIComponent('équipe ørsted')}`)
        .set(tenant.headers)
        .expect(200);
      expect(byAccented.body.data.map((x: { id: number }) => x.id)).toEqual([equipe.id]);
      const searchedAccented = await t
        .http()
        .get(`/teams?search=${encodeURIComponent('ÉQUIPE ØR')}`)
        .set(tenant.headers)
        .expect(200);
      expect(searchedAccented.body.data.map((x: { id: number }) => x.id)).toEqual([equipe.id]);
      const searched = await t.http().get('/teams?search=ET').set(tenant.headers).expect(200);
      expect(searched.body.data.map((x: { id: number }) => x.id)).toEqual([beta.id]);
    });

    it('pages and sorts, and refuses unknown sort fields and filters', async () => {
      const tenant = await fx.tenant();
      const names = ['Delta', 'alpha', 'Charlie', 'bravo', 'Echo'];
      const teams = [];
      for (const name of names) teams.push(await setup.team(tenant, { name }));

      const page2 = await t.http().get('/teams?page=2&pageSize=2').set(tenant.headers).expect(200);
      expect(page2.body).toMatchObject({ totalCount: 5, totalPages: 3, currentPage: 2 });
      expect(page2.body.data.map((x: { id: number }) => x.id)).toEqual([teams[2].id, teams[3].id]);
      const beyond = await t.http().get('/teams?page=9&pageSize=2').set(tenant.headers).expect(200);
      expect(beyond.body).toEqual({ data: [], totalCount: 5, totalPages: 3, currentPage: 9 });
      // Only GET /leads pages by keyset: elsewhere `cursor` is an unknown parameter.
      const cursor = await t.http().get('/teams?cursor=abc').set(tenant.headers).expect(400);
      expect(cursor.body.details).toEqual([{ field: 'cursor', message: 'cursor is not an allowed property' }]);

      const asc = await t.http().get('/teams?sort=name').set(tenant.headers).expect(200);
      const desc = await t.http().get('/teams?sort=-name').set(tenant.headers).expect(200);
      // Names sort case-insensitively, the same on both databases whatever their collation.
      const sorted = ['alpha', 'bravo', 'Charlie', 'Delta', 'Echo'];
      expect(asc.body.data.map((x: { name: string }) => x.name)).toEqual(sorted);
      expect(desc.body.data.map((x: { name: string }) => x.name)).toEqual([...sorted].reverse());
      const byId = await t.http().get('/teams?sort=-id').set(tenant.headers).expect(200);
      expect(byId.body.data.map((x: { id: number }) => x.id)).toEqual(teams.map((x) => x.id).reverse());

      const bad = await t.http().get('/teams?sort=name,members').set(tenant.headers).expect(400);
      expect(bad.body).toEqual({
        error: 'Invalid sort',
        message: 'Unknown sort field: members. Allowed: id, name, active, createdAt, updatedAt',
        details: [{ field: 'sort', message: 'unknown sort field "members"' }],
      });
      const unknown = await t.http().get('/teams?color=red').set(tenant.headers).expect(400);
      expect(unknown.body.details).toEqual([{ field: 'color', message: 'color is not an allowed property' }]);
      const badBool = await t.http().get('/teams?active=maybe').set(tenant.headers).expect(400);
      expect(badBool.body.details).toEqual([{ field: 'active', message: 'active must be a boolean value' }]);
    });

    it('no longer lists a user removed from the account as a member', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const b = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { members: [a, b] });
      await t.tx.run((em) => em.delete(Membership, { accountId: tenant.account.id, userId: a.user.id }));
      const res = await t.http().get(`/teams/${team.id}`).set(tenant.headers).expect(200);
      expect(res.body.members).toEqual([member(b)]);
    });
  });

  describe('GET /teams/:id', () => {
    it('answers the team, 404 for another account and 400 for a malformed id', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const team = await setup.team(tenant, { name: 'Solo', members: [tenant.admin] });
      const res = await t.http().get(`/teams/${team.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual({
        id: team.id,
        accountId: tenant.accountId,
        account_id: tenant.accountId,
        name: 'Solo',
        active: true,
        members: [member(tenant.admin)],
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
        createdAt: team.createdAt.toISOString(),
        updatedAt: team.updatedAt.toISOString(),
      });
      const foreign = await t.http().get(`/teams/${team.id}`).set(other.headers).expect(404);
      expect(foreign.body).toEqual({ error: 'Not Found', message: 'Team not found' });
      await t.http().get('/teams/2147483647').set(tenant.headers).expect(404);
      const bad = await t.http().get('/teams/abc').set(tenant.headers).expect(400);
      expect(bad.body).toEqual({
        error: 'Validation failed',
        message: 'id must be a positive integer',
        details: [{ field: 'id', message: 'id must be a positive integer' }],
      });
      await t.http().get('/teams/99999999999').set(tenant.headers).expect(400);
      // Forms Number() would read as an id are not ids: 1e3 is not team 1000.
      for (const id of ['1e3', '0x10', '012', '12.0']) await t.http().get(`/teams/${id}`).set(tenant.headers).expect(400);
    });
  });

  describe('PATCH /teams/:id', () => {
    it('updates name and active, and replaces the members in the given order', async () => {
      const tenant = await fx.tenant();
      const editor = await fx.memberOf(tenant, 'admin');
      const a = await fx.memberOf(tenant, 'user');
      const b = await fx.memberOf(tenant, 'user');
      const c = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { name: 'Old', members: [a, b] });

      const res = await t
        .http()
        .patch(`/teams/${team.id}`)
        .set(tenant.headersFor(editor))
        .send({ name: 'New', active: false, members: [{ userId: c.user.id }, { userId: a.user.id }] })
        .expect(200);
      expect(res.body).toEqual({
        id: team.id,
        accountId: tenant.accountId,
        account_id: tenant.accountId,
        name: 'New',
        active: false,
        members: [member(c), member(a)],
        createdBy: tenant.admin.user.email,
        updatedBy: editor.user.email,
        createdAt: team.createdAt.toISOString(),
        updatedAt: ISO,
      });
      expect((await memberRows(team.id)).map((m) => [m.userId, m.position])).toEqual([
        [c.user.id, 0],
        [a.user.id, 1],
      ]);
      expect(await teamRow(team.id)).toMatchObject({ name: 'New', active: false, updatedBy: editor.user.email });

      const cleared = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({ members: [] }).expect(200);
      expect(cleared.body).toMatchObject({ name: 'New', members: [] });
      await expect(memberRows(team.id)).resolves.toEqual([]);
    });

    it('keeps the members when the body has none, and changes nothing for an empty body', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { name: 'Keep', members: [a] });
      const renamed = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({ name: 'Kept' }).expect(200);
      expect(renamed.body).toMatchObject({ name: 'Kept', members: [member(a)] });
      const before = await teamRow(team.id);
      const same = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({}).expect(200);
      expect(same.body).toEqual(renamed.body);
      expect(await teamRow(team.id)).toEqual(before);
    });

    it('validates like POST and changes nothing on a refusal', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { name: 'Stable', members: [a] });
      const nulls = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({ name: null }).expect(400);
      expect(fieldsOf(nulls.body)).toEqual(['name']);
      const stranger = await t
        .http()
        .patch(`/teams/${team.id}`)
        .set(tenant.headers)
        .send({ name: 'Changed', members: [{ userId: other.admin.user.id }] })
        .expect(400);
      expect(stranger.body.details).toEqual([
        { field: 'members.0.userId', message: `user ${other.admin.user.id} is not a user of this account` },
      ]);
      const twice = await t
        .http()
        .patch(`/teams/${team.id}`)
        .set(tenant.headers)
        .send({ members: [{ userId: a.user.id }, { userId: a.user.id }] })
        .expect(400);
      expect(twice.body.details).toEqual([{ field: 'members', message: `members lists userId ${a.user.id} more than once` }]);
      const readOnly = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({ accountId: '1' }).expect(400);
      expect(readOnly.body.details).toEqual([{ field: 'accountId', message: 'accountId is not an allowed property' }]);
      expect(await teamRow(team.id)).toMatchObject({ name: 'Stable' });
      expect((await memberRows(team.id)).map((m) => m.userId)).toEqual([a.user.id]);
    });

    it('answers 404 for a team of another account and leaves it unchanged', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const team = await setup.team(other, { name: 'Theirs', members: [other.admin] });
      const res = await t.http().patch(`/teams/${team.id}`).set(tenant.headers).send({ name: 'Mine', members: [] }).expect(404);
      expect(res.body).toEqual({ error: 'Not Found', message: 'Team not found' });
      expect(await teamRow(team.id)).toMatchObject({ name: 'Theirs', updatedBy: other.admin.user.email });
      expect((await memberRows(team.id)).map((m) => m.userId)).toEqual([other.admin.user.id]);
    });
  });

  describe('DELETE /teams/:id', () => {
    it('answers the deleted team and removes it with its member rows', async () => {
      const tenant = await fx.tenant();
      const a = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { name: 'Doomed', members: [a] });
      const res = await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual({
        id: team.id,
        accountId: tenant.accountId,
        account_id: tenant.accountId,
        name: 'Doomed',
        active: true,
        members: [member(a)],
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
        createdAt: team.createdAt.toISOString(),
        updatedAt: team.updatedAt.toISOString(),
      });
      await expect(teamRow(team.id)).resolves.toBeNull();
      await expect(memberRows(team.id)).resolves.toEqual([]);
      await t.http().get(`/teams/${team.id}`).set(tenant.headers).expect(404);
      await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(404);
    });

    it('refuses to delete a team that leads refer to', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant, { members: [tenant.admin] });
      await addLeads(tenant, 3, { teamId: team.id });
      const res = await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(409);
      expect(res.body).toEqual({ error: 'Conflict', message: `Team ${team.id} is used by 3 leads; deactivate it instead` });
      expect(await teamRow(team.id)).not.toBeNull();
      expect(await memberRows(team.id)).toHaveLength(1);
    });

    it('refuses to delete a team that lead sources or rotations refer to, naming both', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      await setup.leadSource(tenant, { teamId: team.id, active: false });
      await setup.rotation(tenant, { teamId: team.id, status: 'archived' });
      await addLeads(tenant, 1, { teamId: team.id });
      const res = await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(409);
      expect(res.body).toEqual({
        error: 'Conflict',
        message: `Team ${team.id} is used by 1 lead, 1 lead source and 1 lead rotation; deactivate it instead`,
      });
      const onlyRotation = await setup.team(tenant);
      await setup.rotation(tenant, { teamId: onlyRotation.id });
      const res2 = await t.http().delete(`/teams/${onlyRotation.id}`).set(tenant.headers).expect(409);
      expect(res2.body.message).toBe(`Team ${onlyRotation.id} is used by 1 lead rotation; deactivate it instead`);
      expect(await teamRow(team.id)).not.toBeNull();
    });

    it('answers 404 for a team of another account and leaves it in place', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const team = await setup.team(other, { members: [other.admin] });
      await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(404);
      expect(await teamRow(team.id)).not.toBeNull();
      expect(await memberRows(team.id)).toHaveLength(1);
    });
  });

  describe('permissions and audit', () => {
    it('lets a user read teams but not write them', async () => {
      const tenant = await fx.tenant();
      const user = await fx.memberOf(tenant, 'user');
      const team = await setup.team(tenant, { name: 'Read me' });
      const h = tenant.headersFor(user);
      await t.http().get('/teams').set(h).expect(200);
      await t.http().get(`/teams/${team.id}`).set(h).expect(200);
      const forbidden = { error: 'Forbidden', message: 'Missing permission: writeTeams' };
      expect((await t.http().post('/teams').set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().patch(`/teams/${team.id}`).set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().delete(`/teams/${team.id}`).set(h).expect(403)).body).toEqual(forbidden);
      expect(await teamRow(team.id)).toMatchObject({ name: 'Read me' });
      await expect(t.ds.getRepository(Team).countBy({ accountId: tenant.account.id })).resolves.toBe(1);
    });

    it('answers 400 without x-account-id and 401 without a token', async () => {
      const tenant = await fx.tenant();
      const res = await t.http().get('/teams').set(tenant.admin.auth).expect(400);
      expect(res.body).toEqual({ error: 'x-account-id header is required' });
      await t.http().get('/teams').expect(401);
    });

    it('records team_created, team_updated and team_deleted', async () => {
      const tenant = await fx.tenant();
      const created = await t.http().post('/teams').set(tenant.headers).send({ name: 'Audited' }).expect(201);
      await t.http().patch(`/teams/${created.body.id}`).set(tenant.headers).send({ active: false }).expect(200);
      await t.http().delete(`/teams/${created.body.id}`).set(tenant.headers).expect(200);
      await t.flushAudit();
      const rows = await t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id }, order: { id: 'ASC' } });
      expect(rows.map((r) => [r.event, r.requestMethod, r.statusCode])).toEqual([
        ['team_created', 'POST', 201],
        ['team_updated', 'PATCH', 200],
        ['team_deleted', 'DELETE', 200],
      ]);
    });
  });
});
