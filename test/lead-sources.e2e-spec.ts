import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { LeadSource } from '../src/lead-sources/entities/lead-source.entity';
import { Lead } from '../src/leads/entities/lead.entity';
import { Fixtures, Tenant } from './utils/fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const fieldsOf = (body: { details?: { field: string }[] }) => [...new Set((body.details ?? []).map((d) => d.field))].sort();

describe('lead sources', () => {
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

  const sourceRow = (id: number) => t.ds.getRepository(LeadSource).findOneBy({ id });
  const addLeads = (tenant: Tenant, n: number, values: Partial<Lead>) =>
    t.tx.run((em) =>
      em.insert(
        Lead,
        Array.from({ length: n }, (_, i) => ({ accountId: tenant.account.id, firstName: `F${i}`, lastName: 'L', ...values })),
      ),
    );
  const view = (s: LeadSource) => ({
    id: s.id,
    accountId: String(s.accountId),
    teamId: s.teamId,
    name: s.name,
    active: s.active,
    createdBy: s.createdBy,
    updatedBy: s.updatedBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  });

  describe('POST /lead-sources', () => {
    it('creates a source with or without a team', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      const res = await t.http().post('/lead-sources').set(tenant.headers).send({ name: ' Website ', teamId: team.id }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        accountId: tenant.accountId,
        teamId: team.id,
        name: 'Website',
        active: true,
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
        createdAt: ISO,
        updatedAt: ISO,
      });
      expect(await sourceRow(res.body.id)).toMatchObject({ accountId: tenant.account.id, teamId: team.id, name: 'Website', active: true });

      const loose = await t
        .http()
        .post('/lead-sources')
        .set(tenant.headers)
        .send({ name: 'Fair', teamId: null, active: false })
        .expect(201);
      expect(loose.body).toMatchObject({ teamId: null, name: 'Fair', active: false });
    });

    it('accepts an inactive team of the account', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant, { active: false });
      const res = await t.http().post('/lead-sources').set(tenant.headers).send({ name: 'Old team', teamId: team.id }).expect(201);
      expect(res.body.teamId).toBe(team.id);
    });

    it('refuses a teamId that is not a team of the account, naming it', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const theirs = await setup.team(other);
      for (const teamId of [theirs.id, 2147483647]) {
        const res = await t.http().post('/lead-sources').set(tenant.headers).send({ name: 'X', teamId }).expect(400);
        expect(res.body).toEqual({
          error: 'Validation failed',
          message: `team ${teamId} is not a team of this account`,
          details: [{ field: 'teamId', message: `team ${teamId} is not a team of this account` }],
        });
      }
      await expect(t.ds.getRepository(LeadSource).countBy({ accountId: tenant.account.id })).resolves.toBe(0);
    });

    it('validates the body', async () => {
      const tenant = await fx.tenant();
      const res = await t
        .http()
        .post('/lead-sources')
        .set(tenant.headers)
        .send({ name: 5, teamId: '3', active: null, accountId: '1' })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['accountId', 'active', 'name', 'teamId']);
      const missing = await t.http().post('/lead-sources').set(tenant.headers).send({}).expect(400);
      expect(fieldsOf(missing.body)).toEqual(['name']);
      const long = await t
        .http()
        .post('/lead-sources')
        .set(tenant.headers)
        .send({ name: 'x'.repeat(201) })
        .expect(400);
      expect(long.body.details).toEqual([{ field: 'name', message: 'name must be shorter than or equal to 200 characters' }]);
    });
  });

  describe('GET /lead-sources', () => {
    it('lists every source by default and filters by active, teamId, name and search', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      const web = await setup.leadSource(tenant, { name: 'Website', teamId: team.id });
      const fair = await setup.leadSource(tenant, { name: 'Trade fair', active: false });
      const ref = await setup.leadSource(tenant, { name: 'Referral', teamId: team.id, active: false });
      await setup.leadSource(await fx.tenant(), { name: 'Website' });

      const all = await t.http().get('/lead-sources').set(tenant.headers).expect(200);
      expect(all.body).toEqual({ data: [view(web), view(fair), view(ref)], totalCount: 3, totalPages: 1, currentPage: 1 });
      const ids = async (qs: string) =>
        (await t.http().get(`/lead-sources?${qs}`).set(tenant.headers).expect(200)).body.data.map((s: { id: number }) => s.id);
      await expect(ids('active=true')).resolves.toEqual([web.id]);
      await expect(ids('active=0')).resolves.toEqual([fair.id, ref.id]);
      await expect(ids(`teamId=${team.id}`)).resolves.toEqual([web.id, ref.id]);
      await expect(ids(`teamId=${team.id}&active=false`)).resolves.toEqual([ref.id]);
      await expect(ids('name=WEBSITE')).resolves.toEqual([web.id]);
      await expect(ids('name=Web')).resolves.toEqual([]);
      await expect(ids('search=fair')).resolves.toEqual([fair.id]);
      await expect(ids('search=%25')).resolves.toEqual([]);
    });

    it('pages and sorts, and refuses unknown sort fields', async () => {
      const tenant = await fx.tenant();
      const sources: LeadSource[] = [];
      for (const name of ['b', 'C', 'a', 'd']) sources.push(await setup.leadSource(tenant, { name }));
      const names = async (qs: string) =>
        (await t.http().get(`/lead-sources?${qs}`).set(tenant.headers).expect(200)).body.data.map((s: { name: string }) => s.name);
      await expect(names('sort=name')).resolves.toEqual(['a', 'b', 'C', 'd']);
      await expect(names('sort=-name')).resolves.toEqual(['d', 'C', 'b', 'a']);
      await expect(names('sort=-id&pageSize=3')).resolves.toEqual(['d', 'a', 'C']);
      const last = await t.http().get('/lead-sources?pageSize=3&page=2').set(tenant.headers).expect(200);
      expect(last.body).toEqual({ data: [view(sources[3])], totalCount: 4, totalPages: 2, currentPage: 2 });
      const team = await setup.team(tenant);
      await t.tx.run((em) => em.update(LeadSource, { id: sources[1].id }, { teamId: team.id }));
      const teamFirst = await names('sort=teamId,name&pageSize=2');
      expect(teamFirst).toEqual(['C', 'a']);
      await expect(names('sort=-teamId,-name&pageSize=2')).resolves.toEqual(['d', 'b']);
      const bad = await t.http().get('/lead-sources?sort=-color').set(tenant.headers).expect(400);
      expect(bad.body.error).toBe('Invalid sort');
      const big = await t.http().get('/lead-sources?pageSize=101').set(tenant.headers).expect(400);
      expect(fieldsOf(big.body)).toEqual(['pageSize']);
      const badTeam = await t.http().get('/lead-sources?teamId=x').set(tenant.headers).expect(400);
      expect(fieldsOf(badTeam.body)).toEqual(['teamId']);
    });
  });

  describe('GET /lead-sources/:id', () => {
    it('answers the source, and 404 for another account', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const source = await setup.leadSource(tenant, { name: 'Mine' });
      const res = await t.http().get(`/lead-sources/${source.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual(view(source));
      const foreign = await t.http().get(`/lead-sources/${source.id}`).set(other.headers).expect(404);
      expect(foreign.body).toEqual({ error: 'Not Found', message: 'Lead source not found' });
    });
  });

  describe('PATCH /lead-sources/:id', () => {
    it('updates name, active and team, and detaches it with teamId null', async () => {
      const tenant = await fx.tenant();
      const editor = await fx.memberOf(tenant, 'admin');
      const team = await setup.team(tenant);
      const source = await setup.leadSource(tenant, { name: 'Before' });
      const res = await t
        .http()
        .patch(`/lead-sources/${source.id}`)
        .set(tenant.headersFor(editor))
        .send({ name: 'After', active: false, teamId: team.id })
        .expect(200);
      expect(res.body).toEqual({
        ...view(source),
        name: 'After',
        active: false,
        teamId: team.id,
        updatedBy: editor.user.email,
        updatedAt: ISO,
      });
      expect(await sourceRow(source.id)).toMatchObject({ name: 'After', active: false, teamId: team.id, updatedBy: editor.user.email });
      const detached = await t.http().patch(`/lead-sources/${source.id}`).set(tenant.headers).send({ teamId: null }).expect(200);
      expect(detached.body).toMatchObject({ name: 'After', teamId: null });
      const same = await t.http().patch(`/lead-sources/${source.id}`).set(tenant.headers).send({}).expect(200);
      expect(same.body).toEqual(detached.body);
    });

    it('refuses a foreign team and null values, changing nothing', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const theirs = await setup.team(other);
      const source = await setup.leadSource(tenant, { name: 'Stay' });
      const res = await t
        .http()
        .patch(`/lead-sources/${source.id}`)
        .set(tenant.headers)
        .send({ name: 'Go', teamId: theirs.id })
        .expect(400);
      expect(res.body.details).toEqual([{ field: 'teamId', message: `team ${theirs.id} is not a team of this account` }]);
      const nulls = await t.http().patch(`/lead-sources/${source.id}`).set(tenant.headers).send({ name: null, active: null }).expect(400);
      expect(fieldsOf(nulls.body)).toEqual(['active', 'name']);
      expect(await sourceRow(source.id)).toMatchObject({ name: 'Stay', teamId: null, active: true });
    });

    it('answers 404 for a source of another account and leaves it unchanged', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const source = await setup.leadSource(other, { name: 'Theirs' });
      await t.http().patch(`/lead-sources/${source.id}`).set(tenant.headers).send({ name: 'Mine' }).expect(404);
      expect(await sourceRow(source.id)).toMatchObject({ name: 'Theirs' });
    });
  });

  describe('DELETE /lead-sources/:id', () => {
    it('answers the deleted source and removes it', async () => {
      const tenant = await fx.tenant();
      const source = await setup.leadSource(tenant, { name: 'Gone' });
      const res = await t.http().delete(`/lead-sources/${source.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual(view(source));
      await expect(sourceRow(source.id)).resolves.toBeNull();
      await t.http().delete(`/lead-sources/${source.id}`).set(tenant.headers).expect(404);
    });

    it('refuses to delete a source that leads refer to', async () => {
      const tenant = await fx.tenant();
      const source = await setup.leadSource(tenant);
      await addLeads(tenant, 2, { leadSourceId: source.id });
      const res = await t.http().delete(`/lead-sources/${source.id}`).set(tenant.headers).expect(409);
      expect(res.body).toEqual({ error: 'Conflict', message: `Lead source ${source.id} is used by 2 leads; deactivate it instead` });
      expect(await sourceRow(source.id)).not.toBeNull();
    });

    it('answers 404 for a source of another account and leaves it in place', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const source = await setup.leadSource(other);
      await t.http().delete(`/lead-sources/${source.id}`).set(tenant.headers).expect(404);
      expect(await sourceRow(source.id)).not.toBeNull();
    });
  });

  describe('permissions and audit', () => {
    it('lets a user read sources but not write them', async () => {
      const tenant = await fx.tenant();
      const user = await fx.memberOf(tenant, 'user');
      const source = await setup.leadSource(tenant, { name: 'Read' });
      const h = tenant.headersFor(user);
      await t.http().get('/lead-sources').set(h).expect(200);
      await t.http().get(`/lead-sources/${source.id}`).set(h).expect(200);
      const forbidden = { error: 'Forbidden', message: 'Missing permission: writeLeadSources' };
      expect((await t.http().post('/lead-sources').set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().patch(`/lead-sources/${source.id}`).set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().delete(`/lead-sources/${source.id}`).set(h).expect(403)).body).toEqual(forbidden);
      expect(await sourceRow(source.id)).toMatchObject({ name: 'Read' });
    });

    it('records lead_source_created, lead_source_updated and lead_source_deleted', async () => {
      const tenant = await fx.tenant();
      const created = await t.http().post('/lead-sources').set(tenant.headers).send({ name: 'Audited' }).expect(201);
      await t.http().patch(`/lead-sources/${created.body.id}`).set(tenant.headers).send({ active: false }).expect(200);
      await t.http().delete(`/lead-sources/${created.body.id}`).set(tenant.headers).expect(200);
      await t.flushAudit();
      const rows = await t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id }, order: { id: 'ASC' } });
      expect(rows.map((r) => [r.event, r.statusCode])).toEqual([
        ['lead_source_created', 201],
        ['lead_source_updated', 200],
        ['lead_source_deleted', 200],
      ]);
    });
  });
});
