import { Fixtures, Tenant } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const NOT_FOUND = { error: 'Not Found', message: 'Lead not found' };
const TEAM_REQUIRED = { error: 'team ID is required when teams exist in the account' };
const SOURCE_REQUIRED = { error: 'lead source ID is required when the team has lead sources' };

describe('leads after creation', () => {
  let t: TestApp;
  let f: Fixtures;
  let setup: SetupFixtures;
  let leads: LeadFixtures;

  beforeAll(async () => {
    t = await createTestApp();
    f = new Fixtures(t);
    setup = new SetupFixtures(t);
    leads = new LeadFixtures(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const create = async (tenant: Tenant, body: Record<string, unknown> = {}, query = '') =>
    (
      await t
        .http()
        .post(`/leads${query}`)
        .set(tenant.headers)
        .send({ firstName: 'Grace', lastName: 'Hopper', ...body })
        .expect(201)
    ).body;
  const patch = (tenant: Tenant, id: number, body: unknown, query = '') =>
    t
      .http()
      .patch(`/leads/${id}${query}`)
      .set(tenant.headers)
      .send(body as object);
  const events = (lead: { auditLog: { event: string }[] }) => lead.auditLog.map((e) => e.event);

  describe('GET /leads/{id}', () => {
    it("answers the lead with its lead_* events, oldest first, and names the lead in the request's entry", async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant, { lastContacted: '2026-05-01T12:00:00.5+02:00' });
      await patch(tenant, lead.id, { company: 'Navy' }).expect(200);
      const archived = await t.http().post(`/leads/${lead.id}/archive`).set(tenant.headers).expect(200);
      // A rejected request about the lead is in the audit log but not in the lead's history.
      await patch(tenant, lead.id, { email: 'bad' }).expect(400);

      const res = await t.http().get(`/leads/${lead.id}`).set(tenant.headers).expect(200);
      expect(events(res.body)).toEqual(['lead_created', 'lead_updated', 'lead_archived']);
      const ids = res.body.auditLog.map((e: { id: number }) => e.id);
      expect([...ids].sort((a: number, b: number) => a - b)).toEqual(ids);
      expect(res.body).toMatchObject({ id: lead.id, company: 'Navy', archived: true, lastContacted: '2026-05-01T10:00:00.500Z' });
      // Field for field what the last write answered (its lead as written, its history as stored).
      expect(res.body).toEqual(archived.body);

      const entries = await leads.audit(tenant, { requestMethod: 'GET' });
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId, e.requestPath])).toEqual([
        ['api_request', 200, lead.id, `/leads/${lead.id}`],
      ]);
    });

    it('answers 404 for unknown and foreign ids, 400 for malformed ones', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const foreign = await create(other);
      for (const id of [foreign.id, 2147483647]) {
        const res = await t.http().get(`/leads/${id}`).set(tenant.headers).expect(404);
        expect(res.body).toEqual(NOT_FOUND);
      }
      for (const id of ['abc', '0', '-1', '1.5', '1e3', '2147483648', '01']) {
        const res = await t.http().get(`/leads/${id}`).set(tenant.headers).expect(400);
        expect(res.body).toEqual({
          error: 'Validation failed',
          message: 'id must be a positive integer',
          details: [{ field: 'id', message: 'id must be a positive integer' }],
        });
      }
      // The rejected request is recorded without naming a lead of another account.
      const rejected = await leads.audit(tenant, { requestPath: `/leads/${foreign.id}` });
      expect(rejected.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([['request_rejected', 404, null]]);
    });
  });

  describe('PATCH /leads/{id}', () => {
    it('changes the given fields, records lead_updated with from/to, and answers the lead', async () => {
      const tenant = await f.tenant();
      const editor = await f.memberOf(tenant, 'user');
      const lead = await create(tenant, { email: 'grace@example.com', numberOfEmployees: 5, notes: 'n' });
      const res = await t
        .http()
        .patch(`/leads/${lead.id}`)
        .set(tenant.headersFor(editor))
        .send({ firstName: ' Amazing Grace ', email: null, numberOfEmployees: 6, lastContacted: '2026-05-01T12:00:00+02:00', notes: 'n' })
        .expect(200);
      expect(Object.keys(res.body)).not.toContain('email');
      expect(res.body).toMatchObject({
        firstName: 'Amazing Grace',
        numberOfEmployees: 6,
        lastContacted: '2026-05-01T10:00:00.000Z',
        notes: 'n',
        createdBy: tenant.admin.user.email,
        createdAt: lead.createdAt,
      });
      expect(res.body.updatedAt > lead.updatedAt).toBe(true);
      expect(events(res.body)).toEqual(['lead_created', 'lead_updated']);
      expect(res.body.auditLog[1]).toMatchObject({
        event: 'lead_updated',
        user: editor.user.email,
        requestMethod: 'PATCH',
        requestPath: `/leads/${lead.id}`,
        data: {
          changes: {
            firstName: { from: 'Grace', to: 'Amazing Grace' },
            email: { from: 'grace@example.com', to: null },
            numberOfEmployees: { from: 5, to: 6 },
            lastContacted: { from: null, to: '2026-05-01T10:00:00.000Z' },
          },
        },
      });
      // Exactly the changed fields (notes was sent unchanged); jsonb does not keep key order, so compare as sets.
      expect(Object.keys(res.body.auditLog[1].data.changes).sort()).toEqual(['email', 'firstName', 'lastContacted', 'numberOfEmployees']);
      const row = await leads.row(lead.id);
      expect(row).toMatchObject({ firstName: 'Amazing Grace', email: null, updatedBy: editor.user.email });
      // One entry for the request (the lead_updated entry); the interceptor wrote no second one.
      const entries = await leads.audit(tenant, { requestMethod: 'PATCH' });
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([['lead_updated', 200, lead.id]]);
    });

    it('records lead_assigned when the assignee changes, and checks the new assignee', async () => {
      const tenant = await f.tenant();
      const [a, b] = [await f.memberOf(tenant), await f.memberOf(tenant)];
      const lead = await create(tenant, { assignedTo: a.user.email });
      const bad = await patch(tenant, lead.id, { assignedTo: 'stranger@example.com' }).expect(400);
      expect(bad.body).toEqual({
        error: 'assignedTo is not an active member of this account',
        details: [{ field: 'assignedTo', message: 'is not an active member of this account' }],
      });
      const res = await patch(tenant, lead.id, { assignedTo: b.user.email.toUpperCase() }).expect(200);
      expect(res.body.assignedTo).toBe(b.user.email);
      expect(res.body.auditLog.slice(1).map((e: { event: string; data: unknown }) => [e.event, e.data])).toEqual([
        ['lead_updated', { changes: { assignedTo: { from: a.user.email, to: b.user.email } } }],
        ['lead_assigned', { from: a.user.email, to: b.user.email }],
      ]);
      const unassigned = await patch(tenant, lead.id, { assignedTo: null }).expect(200);
      expect(Object.keys(unassigned.body)).not.toContain('assignedTo');
      expect(unassigned.body.auditLog.at(-1)).toMatchObject({ event: 'lead_assigned', data: { from: b.user.email, to: null } });
    });

    it('keeps an assignee who has since left when the PATCH does not change it', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const lead = await create(tenant, { assignedTo: rep.user.email });
      await leads.deactivateMembership(tenant, rep.user.id);
      const res = await patch(tenant, lead.id, { assignedTo: rep.user.email, company: 'X' }).expect(200);
      expect(res.body).toMatchObject({ assignedTo: rep.user.email, company: 'X' });
    });

    it('records lead_archived/lead_unarchived alongside lead_updated when archived changes', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant);
      const res = await patch(tenant, lead.id, { archived: true }).expect(200);
      expect(res.body.archived).toBe(true);
      expect(events(res.body)).toEqual(['lead_created', 'lead_updated', 'lead_archived']);
      const back = await patch(tenant, lead.id, { archived: false }).expect(200);
      expect(events(back.body).slice(3)).toEqual(['lead_updated', 'lead_unarchived']);
    });

    it('changes nothing, writes no lead event and still answers 200 when nothing differs', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant, { company: 'Navy', lastContacted: '2026-01-01T00:00:00Z' });
      const res = await patch(tenant, lead.id, { company: 'Navy', lastContacted: '2026-01-01T01:00:00+01:00' }).expect(200);
      const { auditLog, ...rest } = res.body;
      // `assignment` belongs to the create's answer only.
      const { auditLog: createdLog, assignment: _assignment, ...before } = lead;
      expect(rest).toEqual(before);
      expect(auditLog).toEqual(createdLog);
      await patch(tenant, lead.id, {}).expect(200);
      const entries = await leads.audit(tenant, { requestMethod: 'PATCH' });
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([
        ['api_request', 200, lead.id],
        ['api_request', 200, lead.id],
      ]);
    });

    it('validates like POST, refuses clearing required fields and read-only properties', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant);
      const res = await patch(tenant, lead.id, {
        firstName: null,
        lastName: '  ',
        archived: null,
        createdBy: null,
        numberOfEmployees: '7',
        id: 5,
        accountId: '1',
        updatedAt: '2026-01-01T00:00:00Z',
      }).expect(400);
      const byField = <T extends { field: string }>(d: T[]) => [...d].sort((x, y) => x.field.localeCompare(y.field));
      expect(byField(res.body.details)).toEqual(
        byField([
          { field: 'firstName', message: 'firstName must not be null' },
          { field: 'lastName', message: 'lastName must not be empty' },
          { field: 'archived', message: 'archived must not be null' },
          { field: 'createdBy', message: 'createdBy must not be null' },
          { field: 'numberOfEmployees', message: 'numberOfEmployees must be an integer' },
          { field: 'id', message: 'id is not an allowed property' },
          { field: 'accountId', message: 'accountId is not an allowed property' },
          { field: 'updatedAt', message: 'updatedAt is not an allowed property' },
        ]),
      );
      const row = await leads.row(lead.id);
      expect(row).toMatchObject({ firstName: 'Grace', lastName: 'Hopper' });
    });

    it('checks the team/source rules again only when the body names teamId or leadSourceId', async () => {
      const tenant = await f.tenant();
      const old = await create(tenant);
      const team = await setup.team(tenant);
      const source = await setup.leadSource(tenant, { teamId: team.id });
      const otherTeam = await setup.team(tenant);

      // A lead from before the teams can still be edited.
      await patch(tenant, old.id, { company: 'Still editable' }).expect(200);
      // Naming the team fields applies the rules to the resulting lead.
      expect((await patch(tenant, old.id, { teamId: null }).expect(400)).body).toEqual(TEAM_REQUIRED);
      expect((await patch(tenant, old.id, { teamId: team.id }).expect(400)).body).toEqual(SOURCE_REQUIRED);
      const moved = await patch(tenant, old.id, { teamId: team.id, leadSourceId: source.id }).expect(200);
      expect(moved.body).toMatchObject({ teamId: team.id, leadSourceId: source.id });
      // Changing the team alone leaves a source of the old team: refused.
      const stale = await patch(tenant, old.id, { teamId: otherTeam.id }).expect(400);
      expect(stale.body).toEqual({
        error: 'leadSourceId belongs to a different team than the lead',
        details: [{ field: 'leadSourceId', message: 'belongs to a different team than the lead' }],
      });
      const foreign = await patch(tenant, old.id, { teamId: 2147483647 }).expect(400);
      expect(foreign.body.error).toBe('teamId does not refer to a team of this account');
      // The flag waives rules 1 and 2 on PATCH too.
      const cleared = await patch(tenant, old.id, { teamId: null, leadSourceId: null }, '?skipTeamAndSourceRequirement=true').expect(200);
      expect(Object.keys(cleared.body)).not.toContain('teamId');
      expect(Object.keys(cleared.body)).not.toContain('leadSourceId');
      expect(cleared.body.auditLog.at(-1).data).toEqual({
        changes: { teamId: { from: team.id, to: null }, leadSourceId: { from: source.id, to: null } },
      });
    });

    it('checks a changed createdBy against the users of the account', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const lead = await create(tenant);
      const bad = await patch(tenant, lead.id, { createdBy: 'someone@example.com' }).expect(400);
      expect(bad.body.error).toBe('createdBy is not a user of this account');
      const ok = await patch(tenant, lead.id, { createdBy: rep.user.email }).expect(200);
      expect(ok.body.createdBy).toBe(rep.user.email);
    });
  });

  describe('archive and unarchive', () => {
    it('archives (200, lead_archived) and unarchives (200, lead_unarchived); repeating changes nothing', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant);
      const archived = await t.http().post(`/leads/${lead.id}/archive`).set(tenant.headers).expect(200);
      expect(archived.body.archived).toBe(true);
      expect(archived.body.auditLog.at(-1)).toMatchObject({
        event: 'lead_archived',
        requestMethod: 'POST',
        requestPath: `/leads/${lead.id}/archive`,
        data: { changes: { archived: { from: false, to: true } } },
      });
      const again = await t.http().post(`/leads/${lead.id}/archive`).set(tenant.headers).expect(200);
      expect(events(again.body)).toEqual(['lead_created', 'lead_archived']);
      expect(again.body.updatedAt).toBe(archived.body.updatedAt);

      const unarchived = await t.http().delete(`/leads/${lead.id}/archive`).set(tenant.headers).expect(200);
      expect(unarchived.body.archived).toBe(false);
      expect(events(unarchived.body)).toEqual(['lead_created', 'lead_archived', 'lead_unarchived']);
      await t.http().delete(`/leads/${lead.id}/archive`).set(tenant.headers).expect(200);

      // The repeats are recorded as plain requests about the lead (queued entries get their ids later).
      const entries = await leads.audit(tenant, { leadId: lead.id });
      expect(entries.map((e) => `${e.event} ${e.requestMethod} ${e.statusCode}`).sort()).toEqual([
        'api_request DELETE 200',
        'api_request POST 200',
        'lead_archived POST 200',
        'lead_created POST 201',
        'lead_unarchived DELETE 200',
      ]);
    });
  });

  describe('DELETE /leads/{id}', () => {
    it('deletes for good, answers the deleted lead with lead_deleted, and keeps its entries queryable', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant, { company: 'Navy' });
      const res = await t.http().delete(`/leads/${lead.id}`).set(tenant.headers).expect(200);
      const { auditLog, ...fields } = res.body;
      const { auditLog: _created, assignment: _assignment, ...before } = lead;
      expect(fields).toEqual(before);
      expect(auditLog.map((e: { event: string }) => e.event)).toEqual(['lead_created', 'lead_deleted']);
      expect(auditLog[1]).toMatchObject({ requestMethod: 'DELETE', data: { lead: before } });
      await expect(leads.row(lead.id)).resolves.toBeNull();
      await t.http().get(`/leads/${lead.id}`).set(tenant.headers).expect(404);

      const history = await t.http().get(`/audit-logs?leadId=${lead.id}&sort=id`).set(tenant.headers).expect(200);
      expect(history.body.data.map((e: { event: string }) => e.event)).toEqual(['lead_created', 'lead_deleted']);
    });
  });

  describe('foreign and unknown ids', () => {
    it('answer 404 on every lead endpoint and change nothing', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const team = await setup.team(other);
      const foreign = await create(other, { teamId: team.id });
      const before = await leads.row(foreign.id);
      for (const id of [foreign.id, 2147483000]) {
        const calls = [
          t.http().get(`/leads/${id}`),
          t.http().patch(`/leads/${id}`).send({ firstName: 'Hijacked' }),
          t.http().patch(`/leads/${id}`).send({ teamId: null }),
          t.http().post(`/leads/${id}/archive`),
          t.http().delete(`/leads/${id}/archive`),
          t.http().delete(`/leads/${id}`),
        ];
        for (const call of calls) {
          const res = await call.set(tenant.headers).expect(404);
          expect(res.body).toEqual(NOT_FOUND);
        }
      }
      await expect(leads.row(foreign.id)).resolves.toEqual(before);
      const otherEntries = await leads.audit(other);
      expect(otherEntries.map((e) => e.event)).toEqual(['lead_created']);
      const mine = await leads.audit(tenant);
      expect(mine).toHaveLength(12);
      expect(mine.every((e) => e.event === 'request_rejected' && e.statusCode === 404 && e.leadId === null)).toBe(true);
    });
  });

  describe('permissions', () => {
    it("lets a 'user' member read and write leads", async () => {
      const tenant = await f.tenant();
      const member = await f.memberOf(tenant, 'user');
      const h = tenant.headersFor(member);
      const lead = (await t.http().post('/leads').set(h).send({ firstName: 'A', lastName: 'B' }).expect(201)).body;
      await t.http().get('/leads').set(h).expect(200);
      await t.http().get(`/leads/${lead.id}`).set(h).expect(200);
      await t.http().patch(`/leads/${lead.id}`).set(h).send({ company: 'C' }).expect(200);
      await t.http().post(`/leads/${lead.id}/archive`).set(h).expect(200);
      await t.http().delete(`/leads/${lead.id}`).set(h).expect(200);
    });

    it('refuses a key without the lead permissions', async () => {
      const tenant = await f.tenant();
      const lead = await create(tenant);
      const key = await new IdentityFixtures(t, f).apiKey(tenant, ['readLeads']);
      const res = await t.http().patch(`/leads/${lead.id}`).set(key.headers).send({ company: 'C' }).expect(403);
      expect(res.body).toEqual({ error: 'Forbidden', message: 'Missing permission: writeLeads' });
      await t.http().get(`/leads/${lead.id}`).set(key.headers).expect(200);
    });
  });
});
