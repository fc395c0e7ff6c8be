import { Fixtures, Tenant } from './utils/fixtures';
import { IdentityFixtures } from './utils/identity-fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const TEAM_REQUIRED = { error: 'team ID is required when teams exist in the account' };
const SOURCE_REQUIRED = { error: 'lead source ID is required when the team has lead sources' };
const fieldError = (field: string, message: string) => ({ error: `${field} ${message}`, details: [{ field, message }] });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /leads', () => {
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
  afterEach(() => jest.restoreAllMocks());

  const post = (tenant: Tenant, body: unknown, query = '') =>
    t
      .http()
      .post(`/leads${query}`)
      .set(tenant.headers)
      .send(body as object);

  describe('the happy path', () => {
    it('answers 201 with the whole lead and its lead_created entry, as stored', async () => {
      const tenant = await f.tenant();
      const [a, b] = [await f.memberOf(tenant), await f.memberOf(tenant)];
      const team = await setup.team(tenant, { name: 'East' });
      const source = await setup.leadSource(tenant, { teamId: team.id });
      const rotation = await setup.rotation(tenant, { teamId: team.id, emails: [a.user.email, b.user.email] });

      const body = {
        teamId: team.id,
        leadSourceId: source.id,
        firstName: '  Ada ',
        lastName: 'Lovelace',
        imgSrc: 'https://img.example.com/ada.png',
        email: 'ada@example.com',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        jobTitle: 'Mathematician',
        branch: 'London',
        source: 'Conference',
        position: 'Lead',
        location: 'London, UK',
        productsServicesSold: 'Computing',
        numberOfEmployees: 12,
        currentPaymentProcessor: 'Babbage Pay',
        monthlyTransactionVolume: 250000,
        interestedInSwitching: true,
        processStage: 'qualified',
        buyingRole: 'decision maker',
        notes: '  first contact at the fair\n',
        lastContacted: '2026-01-02T03:04:05+02:00',
        archived: false,
      };
      const res = await post(tenant, body).expect(201);

      const fields = {
        id: res.body.id,
        accountId: tenant.accountId,
        teamId: team.id,
        leadSourceId: source.id,
        firstName: 'Ada',
        lastName: 'Lovelace',
        imgSrc: 'https://img.example.com/ada.png',
        email: 'ada@example.com',
        phone: '+44 20 7946 0000',
        company: 'Analytical Engines Ltd',
        jobTitle: 'Mathematician',
        branch: 'London',
        source: 'Conference',
        position: 'Lead',
        location: 'London, UK',
        productsServicesSold: 'Computing',
        numberOfEmployees: 12,
        currentPaymentProcessor: 'Babbage Pay',
        monthlyTransactionVolume: 250000,
        interestedInSwitching: true,
        processStage: 'qualified',
        buyingRole: 'decision maker',
        assignedTo: a.user.email,
        notes: '  first contact at the fair\n',
        lastContacted: '2026-01-02T01:04:05.000Z',
        archived: false,
        createdBy: tenant.admin.user.email,
        createdAt: res.body.createdAt,
        updatedAt: res.body.createdAt,
      };
      expect(typeof res.body.id).toBe('number');
      expect(res.body.createdAt).toMatch(ISO);
      const assignment = { method: 'rotation', rotationId: rotation.id, rotationName: rotation.name, reason: 'team_rotation', skipped: [] };
      expect(res.body).toEqual({
        ...fields,
        assignment,
        auditLog: [
          {
            id: expect.any(Number),
            event: 'lead_created',
            user: tenant.admin.user.email,
            apiKey: null,
            data: { ...fields, assignment },
            created: expect.stringMatching(ISO),
            requestMethod: 'POST',
            requestPath: '/leads',
            requestHeaders: expect.objectContaining({
              authorization: '[REDACTED]',
              'x-account-id': tenant.accountId,
              'content-type': 'application/json',
            }),
            requestIpAddress: expect.any(String),
            account_id: tenant.accountId,
          },
        ],
      });
      expect(Object.keys(res.body)).toEqual([...Object.keys(fields), 'auditLog', 'assignment']);

      // The database holds exactly what was answered, and GET answers the same document.
      const row = await leads.row(res.body.id);
      expect(row).toMatchObject({
        accountId: tenant.account.id,
        firstName: 'Ada',
        assignedTo: a.user.email,
        updatedBy: tenant.admin.user.email,
      });
      expect(row!.createdAt.toISOString()).toBe(res.body.createdAt);
      const got = await t.http().get(`/leads/${res.body.id}`).set(tenant.headers).expect(200);
      // The stored lead; `assignment` belongs to the create's answer (and its lead_created entry).
      const { assignment: _assignment, ...asStored } = res.body;
      expect(got.body).toEqual(asStored);
      await expect(leads.pointer(rotation)).resolves.toBe(1);

      // One entry for the request: the lead_created entry itself (the interceptor wrote no second one).
      const entries = await leads.audit(tenant, { requestMethod: 'POST' });
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([['lead_created', 201, res.body.id]]);
    });

    it('leaves unset optional fields out (the seed types them optional, not nullable) and defaults createdBy to the caller', async () => {
      const tenant = await f.tenant();
      const member = await f.memberOf(tenant, 'user');
      const res = await t.http().post('/leads').set(tenant.headersFor(member)).send({ firstName: 'A', lastName: 'B' }).expect(201);
      const { id, createdAt, updatedAt, auditLog, ...rest } = res.body;
      expect({ id, createdAt, updatedAt }).toEqual({ id: expect.any(Number), createdAt: expect.stringMatching(ISO), updatedAt: createdAt });
      const assignment = { method: 'none', rotationId: null, rotationName: null, reason: 'no_rotation', skipped: [] };
      expect(rest).toEqual({
        accountId: tenant.accountId,
        firstName: 'A',
        lastName: 'B',
        archived: false,
        createdBy: member.user.email,
        assignment,
      });
      expect(auditLog).toHaveLength(1);
      expect(auditLog[0]).toMatchObject({ event: 'lead_created', user: member.user.email });
      expect(auditLog[0].data).toEqual({
        id,
        accountId: tenant.accountId,
        firstName: 'A',
        lastName: 'B',
        archived: false,
        createdBy: member.user.email,
        createdAt,
        updatedAt,
        assignment,
      });
      const got = await t.http().get(`/leads/${id}`).set(tenant.headers).expect(200);
      expect(Object.keys(got.body)).toEqual([
        'id',
        'accountId',
        'firstName',
        'lastName',
        'archived',
        'createdBy',
        'createdAt',
        'updatedAt',
        'auditLog',
      ]);
    });

    it('treats null and blank optional values as not set', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, {
        firstName: 'A',
        lastName: 'B',
        email: '   ',
        company: null,
        teamId: null,
        archived: null,
        createdBy: null,
        assignedTo: '',
      }).expect(201);
      expect(res.body).toMatchObject({ archived: false, createdBy: tenant.admin.user.email });
      for (const unset of ['email', 'company', 'teamId', 'assignedTo']) expect(Object.keys(res.body)).not.toContain(unset);
    });

    it('records the API key of a key-based session and its creator as user', async () => {
      const tenant = await f.tenant();
      const key = await new IdentityFixtures(t, f).apiKey(tenant, ['writeLeads', 'readLeads']);
      const res = await t.http().post('/leads').set(key.headers).send({ firstName: 'A', lastName: 'B' }).expect(201);
      expect(res.body.createdBy).toBe(tenant.admin.user.email);
      expect(res.body.auditLog[0]).toMatchObject({ user: tenant.admin.user.email, apiKey: String(key.key.id) });
    });
  });

  describe('validation (before any rule)', () => {
    it('names every problem at once', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, {
        firstName: '   ',
        lastName: 5,
        email: 'not-an-email',
        imgSrc: 'javascript:alert(1)',
        lastContacted: '2026-01-02',
        teamId: '12',
        leadSourceId: 0,
        numberOfEmployees: -1,
        monthlyTransactionVolume: 1.5,
        interestedInSwitching: 'true',
        archived: 1,
        phone: 'x'.repeat(51),
        notes: 'a\u0000b',
        assignedTo: 'someone',
        id: 7,
        auditLog: [],
        createdAt: '2026-01-01T00:00:00Z',
        nickname: 'x',
      }).expect(400);
      const byField = <T extends { field: string }>(d: T[]) => [...d].sort((x, y) => x.field.localeCompare(y.field));
      expect(res.body.error).toBe('Validation failed');
      expect(res.body.message).toBe('18 problems were found in the request');
      expect(byField(res.body.details)).toEqual(
        byField([
          { field: 'firstName', message: 'firstName must not be empty' },
          { field: 'lastName', message: 'lastName must be a string' },
          { field: 'email', message: 'email must be a valid email address' },
          { field: 'imgSrc', message: 'imgSrc must be an http or https URL' },
          {
            field: 'lastContacted',
            message: 'lastContacted must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T14:30:00Z',
          },
          { field: 'teamId', message: 'teamId must be an integer' },
          { field: 'leadSourceId', message: 'leadSourceId must be at least 1' },
          { field: 'numberOfEmployees', message: 'numberOfEmployees must be at least 0' },
          { field: 'monthlyTransactionVolume', message: 'monthlyTransactionVolume must be an integer' },
          { field: 'interestedInSwitching', message: 'interestedInSwitching must be a boolean (true or false)' },
          { field: 'archived', message: 'archived must be a boolean (true or false)' },
          { field: 'phone', message: 'phone must be at most 50 characters long' },
          { field: 'notes', message: 'notes must not contain NUL characters' },
          { field: 'assignedTo', message: 'assignedTo must be a valid email address' },
          { field: 'id', message: 'id is not an allowed property' },
          { field: 'auditLog', message: 'auditLog is not an allowed property' },
          { field: 'createdAt', message: 'createdAt is not an allowed property' },
          { field: 'nickname', message: 'nickname is not an allowed property' },
        ]),
      );
      await expect(leads.count(tenant)).resolves.toBe(0);
    });

    it('requires firstName and lastName', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, {}).expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '2 problems were found in the request',
        details: [
          { field: 'firstName', message: 'firstName is required' },
          { field: 'lastName', message: 'lastName is required' },
        ],
      });
      const nulls = await post(tenant, { firstName: null, lastName: 'B' }).expect(400);
      expect(nulls.body.details).toEqual([{ field: 'firstName', message: 'firstName must not be null' }]);
    });

    it('bounds integers to the column range and texts to LEAD_TEXT_LIMITS', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, {
        firstName: 'x'.repeat(201),
        lastName: 'B',
        teamId: 2147483648,
        numberOfEmployees: 1e300,
        notes: 'n'.repeat(20001),
      }).expect(400);
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          { field: 'firstName', message: 'firstName must be at most 200 characters long' },
          { field: 'teamId', message: 'teamId must be at most 2147483647' },
          { field: 'numberOfEmployees', message: 'numberOfEmployees must be at most 2147483647' },
          { field: 'notes', message: 'notes must be at most 20000 characters long' },
        ]),
      );
      await post(tenant, { firstName: 'x'.repeat(200), lastName: 'B', numberOfEmployees: 2147483647, notes: 'n'.repeat(20000) }).expect(
        201,
      );
    });

    it('accepts date-times with an offset and refuses impossible dates', async () => {
      const tenant = await f.tenant();
      const ok = await post(tenant, { firstName: 'A', lastName: 'B', lastContacted: '2026-03-04T05:06:07.123-05:00' }).expect(201);
      expect(ok.body.lastContacted).toBe('2026-03-04T10:06:07.123Z');
      for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T00:00:00', 'yesterday', 1767225600000]) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B', lastContacted: bad }).expect(400);
        expect(res.body.details[0].field).toBe('lastContacted');
      }
    });

    it('refuses a body that is not a JSON object', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, [{ firstName: 'A', lastName: 'B' }]).expect(400);
      expect(res.body).toEqual({ error: 'Validation failed', message: 'The request body must be a JSON object' });
    });

    it('reports a validation problem before the team rule', async () => {
      const tenant = await f.tenant();
      await setup.team(tenant);
      const res = await post(tenant, { firstName: 'A', lastName: 'B', email: 'bad' }).expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: 'email must be a valid email address',
        details: [{ field: 'email', message: 'email must be a valid email address' }],
      });
    });

    it('answers 401 without a token, 400 without x-account-id and 403 outside the account', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      await t.http().post('/leads').send({ firstName: 'A', lastName: 'B' }).expect(401);
      const noAccount = await t.http().post('/leads').set(tenant.admin.auth).send({ firstName: 'A', lastName: 'B' }).expect(400);
      expect(noAccount.body).toEqual({ error: 'x-account-id header is required' });
      await t
        .http()
        .post('/leads')
        .set({ ...tenant.admin.auth, 'x-account-id': other.accountId })
        .send({ firstName: 'A', lastName: 'B' })
        .expect(403);
      await expect(leads.count(other)).resolves.toBe(0);
    });
  });

  describe('skipTeamAndSourceRequirement', () => {
    it('accepts true/false/1/0 and refuses anything else', async () => {
      const tenant = await f.tenant();
      await setup.team(tenant);
      for (const v of ['true', '1', 'TRUE'])
        await post(tenant, { firstName: 'A', lastName: 'B' }, `?skipTeamAndSourceRequirement=${v}`).expect(201);
      for (const v of ['false', '0']) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B' }, `?skipTeamAndSourceRequirement=${v}`).expect(400);
        expect(res.body).toEqual(TEAM_REQUIRED);
      }
      for (const v of ['yes', '', '2']) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B' }, `?skipTeamAndSourceRequirement=${v}`).expect(400);
        expect(res.body).toEqual({
          error: 'Validation failed',
          message: 'skipTeamAndSourceRequirement must be true, false, 1 or 0',
          details: [{ field: 'skipTeamAndSourceRequirement', message: 'skipTeamAndSourceRequirement must be true, false, 1 or 0' }],
        });
      }
      const unknown = await post(tenant, { firstName: 'A', lastName: 'B' }, '?skip=true').expect(400);
      expect(unknown.body.details).toEqual([{ field: 'skip', message: 'skip is not an allowed property' }]);
      await expect(leads.count(tenant)).resolves.toBe(3);
    });
  });

  describe('rule 1: a team is required when the account has active teams', () => {
    it('answers the seed error without teamId, and not when the teams are inactive', async () => {
      const tenant = await f.tenant();
      const inactive = await setup.team(tenant, { active: false });
      await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      await setup.team(tenant);
      const res = await post(tenant, { firstName: 'A', lastName: 'B' }).expect(400);
      expect(res.body).toEqual(TEAM_REQUIRED);
      // An existing team, even an inactive one, satisfies the rule.
      await post(tenant, { firstName: 'A', lastName: 'B', teamId: inactive.id }).expect(201);
      await expect(leads.count(tenant)).resolves.toBe(2);
    });

    it('comes before the checks of rule 3', async () => {
      const tenant = await f.tenant();
      await setup.team(tenant);
      const res = await post(tenant, { firstName: 'A', lastName: 'B', leadSourceId: 999999 }).expect(400);
      expect(res.body).toEqual(TEAM_REQUIRED);
    });

    it('ignores the teams of other accounts', async () => {
      const tenant = await f.tenant();
      await setup.team(await f.tenant());
      await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
    });
  });

  describe("rule 2: a lead source is required when the lead's team has active lead sources", () => {
    it('answers the seed error without leadSourceId', async () => {
      const tenant = await f.tenant();
      const team = await setup.team(tenant);
      await setup.leadSource(tenant, { teamId: team.id });
      const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(400);
      expect(res.body).toEqual(SOURCE_REQUIRED);
      await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }, '?skipTeamAndSourceRequirement=true').expect(201);
    });

    it('does not apply to teams with only inactive sources, or sources of other teams or none', async () => {
      const tenant = await f.tenant();
      const team = await setup.team(tenant);
      const other = await setup.team(tenant);
      await setup.leadSource(tenant, { teamId: team.id, active: false });
      await setup.leadSource(tenant, { teamId: other.id });
      await setup.leadSource(tenant, { teamId: null });
      await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(201);
    });

    it('comes before the checks of rule 3 and 4', async () => {
      const tenant = await f.tenant();
      const team = await setup.team(tenant);
      await setup.leadSource(tenant, { teamId: team.id });
      const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id, assignedTo: 'nobody@example.com' }).expect(400);
      expect(res.body).toEqual(SOURCE_REQUIRED);
    });
  });

  describe('rule 3: given ids must be the account’s, the source of the lead’s team', () => {
    it('refuses a team or source that does not exist or belongs to another account', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const foreignTeam = await setup.team(other);
      const foreignSource = await setup.leadSource(other);
      for (const teamId of [foreignTeam.id, 2147483647]) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId }).expect(400);
        expect(res.body).toEqual(fieldError('teamId', 'does not refer to a team of this account'));
      }
      for (const query of ['', '?skipTeamAndSourceRequirement=true']) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B', leadSourceId: foreignSource.id }, query).expect(400);
        expect(res.body).toEqual(fieldError('leadSourceId', 'does not refer to a lead source of this account'));
      }
      await expect(leads.count(tenant)).resolves.toBe(0);
    });

    it("refuses a source of another team than the lead's, and accepts a source without a team", async () => {
      const tenant = await f.tenant();
      const [east, west] = [await setup.team(tenant), await setup.team(tenant)];
      const westSource = await setup.leadSource(tenant, { teamId: west.id });
      const shared = await setup.leadSource(tenant);
      const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId: east.id, leadSourceId: westSource.id }).expect(400);
      expect(res.body).toEqual(fieldError('leadSourceId', 'belongs to a different team than the lead'));
      const noTeam = await post(
        tenant,
        { firstName: 'A', lastName: 'B', leadSourceId: westSource.id },
        '?skipTeamAndSourceRequirement=true',
      ).expect(400);
      expect(noTeam.body).toEqual(fieldError('leadSourceId', 'belongs to a different team than the lead'));
      const ok = await post(tenant, { firstName: 'A', lastName: 'B', teamId: east.id, leadSourceId: shared.id }).expect(201);
      expect(ok.body).toMatchObject({ teamId: east.id, leadSourceId: shared.id });
    });

    it('comes before the assignee check', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId: 2147483000, assignedTo: 'nobody@example.com' }).expect(400);
      expect(res.body).toEqual(fieldError('teamId', 'does not refer to a team of this account'));
    });
  });

  describe('rule 4: assignment', () => {
    it('keeps a given assignee (an active member, any case) and leaves the rotation alone', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const rotation = await setup.rotation(tenant, { name: 'default', emails: [tenant.admin.user.email] });
      const res = await post(tenant, { firstName: 'A', lastName: 'B', assignedTo: rep.user.email.toUpperCase() }).expect(201);
      expect(res.body.assignedTo).toBe(rep.user.email);
      expect(res.body.auditLog[0].data.assignment).toEqual({
        method: 'explicit',
        rotationId: null,
        rotationName: null,
        reason: 'assigned_to_given',
        skipped: [],
      });
      await expect(leads.pointer(rotation)).resolves.toBe(0);
    });

    it('refuses an assignee who is not an active member of the account', async () => {
      const tenant = await f.tenant();
      const other = await f.tenant();
      const [gone, disabled] = [await f.memberOf(tenant), await f.memberOf(tenant)];
      await leads.deactivateMembership(tenant, gone.user.id);
      await leads.deactivateUser(disabled.user.id);
      for (const email of [gone.user.email, disabled.user.email, other.admin.user.email, 'nobody@example.com']) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B', assignedTo: email }).expect(400);
        expect(res.body).toEqual(fieldError('assignedTo', 'is not an active member of this account'));
      }
      await expect(leads.count(tenant)).resolves.toBe(0);
    });

    it("goes round the team's active rotation, in order", async () => {
      const tenant = await f.tenant();
      const reps = [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)];
      const team = await setup.team(tenant);
      await setup.rotation(tenant, { name: 'default', emails: [tenant.admin.user.email] });
      await setup.rotation(tenant, { teamId: team.id, status: 'archived', emails: [tenant.admin.user.email] });
      const rotation = await setup.rotation(tenant, { teamId: team.id, emails: reps.map((r) => r.user.email) });
      const assigned: string[] = [];
      for (let i = 0; i < 4; i++)
        assigned.push((await post(tenant, { firstName: 'A', lastName: `${i}`, teamId: team.id }).expect(201)).body.assignedTo);
      expect(assigned).toEqual([reps[0], reps[1], reps[2], reps[0]].map((r) => r.user.email));
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });

    it('falls back to the active default rotation when the team has none, or the lead no team', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const team = await setup.team(tenant);
      await setup.rotation(tenant, { name: 'not the default', emails: [tenant.admin.user.email] });
      await setup.rotation(tenant, { teamId: (await setup.team(tenant)).id, emails: [tenant.admin.user.email] });
      const fallback = await setup.rotation(tenant, { name: 'Default', emails: [rep.user.email] });
      const withTeam = await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(201);
      expect(withTeam.body.assignedTo).toBe(rep.user.email);
      expect(withTeam.body.auditLog[0].data.assignment).toEqual({
        method: 'rotation',
        rotationId: fallback.id,
        rotationName: 'Default',
        reason: 'default_rotation',
        skipped: [],
      });
      const noTeam = await post(tenant, { firstName: 'A', lastName: 'B' }, '?skipTeamAndSourceRequirement=true').expect(201);
      expect(noTeam.body.assignedTo).toBe(rep.user.email);
    });

    it('skips users who are no longer active members', async () => {
      const tenant = await f.tenant();
      const [a, b, c] = [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)];
      const rotation = await setup.rotation(tenant, { name: 'default', emails: [a.user.email, b.user.email, c.user.email] });
      await leads.deactivateMembership(tenant, a.user.id);
      await leads.deactivateUser(b.user.id);
      const res = await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      expect(res.body.assignedTo).toBe(c.user.email);
      expect(res.body.auditLog[0].data.assignment).toEqual({
        method: 'rotation',
        rotationId: rotation.id,
        rotationName: 'default',
        reason: 'default_rotation',
        skipped: [
          { email: a.user.email, reason: 'inactive' },
          { email: b.user.email, reason: 'inactive' },
        ],
      });
      await expect(leads.pointer(rotation)).resolves.toBe(0);
    });

    it('leaves the lead unassigned when nobody in the rotation is eligible, or there is no rotation', async () => {
      const tenant = await f.tenant();
      const gone = await f.memberOf(tenant);
      await leads.deactivateMembership(tenant, gone.user.id);
      const none = await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      expect(Object.keys(none.body)).not.toContain('assignedTo');
      expect(none.body.auditLog[0].data.assignment).toEqual({
        method: 'none',
        rotationId: null,
        rotationName: null,
        reason: 'no_rotation',
        skipped: [],
      });
      const rotation = await setup.rotation(tenant, {
        name: 'default',
        emails: [gone.user.email, 'stranger@example.com'],
        currentPosition: 1,
      });
      const nobody = await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      expect(Object.keys(nobody.body)).not.toContain('assignedTo');
      expect(nobody.body.auditLog[0].data.assignment).toEqual({
        method: 'none',
        rotationId: rotation.id,
        rotationName: 'default',
        reason: 'no_eligible_member',
        skipped: [
          { email: gone.user.email, reason: 'inactive' },
          { email: 'stranger@example.com', reason: 'inactive' },
        ],
      });
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });
  });

  describe('rule 5: createdBy', () => {
    it('accepts a user of the account (a former member too) and refuses anyone else', async () => {
      const tenant = await f.tenant();
      const [rep, former] = [await f.memberOf(tenant), await f.memberOf(tenant)];
      await leads.deactivateMembership(tenant, former.user.id);
      const ok = await post(tenant, { firstName: 'A', lastName: 'B', createdBy: rep.user.email.toUpperCase() }).expect(201);
      expect(ok.body.createdBy).toBe(rep.user.email);
      expect(ok.body.auditLog[0].user).toBe(tenant.admin.user.email);
      await post(tenant, { firstName: 'A', lastName: 'B', createdBy: former.user.email }).expect(201);
      const other = await f.tenant();
      const res = await post(tenant, { firstName: 'A', lastName: 'B', createdBy: other.admin.user.email }).expect(400);
      expect(res.body).toEqual(fieldError('createdBy', 'is not a user of this account'));
    });

    it('checks the assignee before createdBy', async () => {
      const tenant = await f.tenant();
      const res = await post(tenant, { firstName: 'A', lastName: 'B', assignedTo: 'x@example.com', createdBy: 'y@example.com' }).expect(
        400,
      );
      expect(res.body).toEqual(fieldError('assignedTo', 'is not an active member of this account'));
    });
  });

  describe('the rules decide on the account as it is when the lead is written', () => {
    const setActive = (table: 'users' | 'lead_sources', id: number, active: boolean) =>
      t.tx.run((em) => em.query(`UPDATE ${table} SET active = ${active ? 'true' : 'false'} WHERE id = ${id}`));

    it('refuses an assignee deactivated since an accepted lead named them, and accepts them again once reactivated', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const body = { firstName: 'A', lastName: 'B', assignedTo: rep.user.email };
      await post(tenant, body, '?skipTeamAndSourceRequirement=true').expect(201);
      await setActive('users', rep.user.id, false);
      const res = await post(tenant, body, '?skipTeamAndSourceRequirement=true').expect(400);
      expect(res.body).toEqual(fieldError('assignedTo', 'is not an active member of this account'));
      await expect(leads.count(tenant)).resolves.toBe(1);
      await setActive('users', rep.user.id, true);
      await post(tenant, body, '?skipTeamAndSourceRequirement=true').expect(201);
      await expect(leads.count(tenant)).resolves.toBe(2);
    });

    it('asks for a lead source the team gained since its last lead, and moves no rotation for the refused lead', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const team = await setup.team(tenant);
      const rotation = await setup.rotation(tenant, { teamId: team.id, emails: [tenant.admin.user.email, rep.user.email] });
      await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(201);
      const source = await setup.leadSource(tenant, { teamId: team.id });
      const res = await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(400);
      expect(res.body).toEqual(SOURCE_REQUIRED);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
      await expect(leads.count(tenant)).resolves.toBe(1);
      await setActive('lead_sources', source.id, false);
      const next = await post(tenant, { firstName: 'A', lastName: 'B', teamId: team.id }).expect(201);
      expect(next.body.assignedTo).toBe(rep.user.email);
      await expect(leads.pointer(rotation)).resolves.toBe(0);
    });
  });

  describe('rule 6: the lead, the rotation advance and lead_created commit together', () => {
    it('moves no rotation and writes no lead nor lead_created entry when a rule refuses the lead', async () => {
      const tenant = await f.tenant();
      const [east, west] = [await setup.team(tenant), await setup.team(tenant)];
      const westSource = await setup.leadSource(tenant, { teamId: west.id });
      const eastSource = await setup.leadSource(tenant, { teamId: east.id });
      const rep = await f.memberOf(tenant);
      const teamRotation = await setup.rotation(tenant, {
        name: 'east',
        teamId: east.id,
        emails: [tenant.admin.user.email, rep.user.email],
      });
      const other = await f.tenant();
      const refusals: [Record<string, unknown>, unknown][] = [
        [{ teamId: east.id, leadSourceId: westSource.id }, fieldError('leadSourceId', 'belongs to a different team than the lead')],
        [{ teamId: east.id }, SOURCE_REQUIRED],
        [
          { teamId: east.id, leadSourceId: eastSource.id, createdBy: other.admin.user.email },
          fieldError('createdBy', 'is not a user of this account'),
        ],
      ];
      for (const [body, error] of refusals) {
        const res = await post(tenant, { firstName: 'A', lastName: 'B', ...body }).expect(400);
        expect(res.body).toEqual(error);
      }
      await expect(leads.count(tenant)).resolves.toBe(0);
      await expect(leads.pointer(teamRotation)).resolves.toBe(0);
      await expect(leads.audit(tenant, { event: 'lead_created' })).resolves.toEqual([]);

      const ok = await post(tenant, { firstName: 'A', lastName: 'B', teamId: east.id, leadSourceId: eastSource.id }).expect(201);
      expect(ok.body.auditLog[0].data.assignment).toEqual({
        method: 'rotation',
        rotationId: teamRotation.id,
        rotationName: 'east',
        reason: 'team_rotation',
        skipped: [],
      });
      await expect(leads.pointer(teamRotation)).resolves.toBe(1);
    });

    it('leaves no lead, no pointer move and no lead_created entry when the database refuses the entry', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const rotation = await setup.rotation(tenant, { name: 'default', emails: [tenant.admin.user.email, rep.user.email] });
      const restore = await leads.failWrites('audit_logs', 'INSERT', `NEW.event = 'lead_created'`);
      const res = await post(tenant, { firstName: 'A', lastName: 'B' }).then(async (r) => (await restore(), r));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: 'Internal Server Error',
        message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
      });
      await expect(leads.count(tenant)).resolves.toBe(0);
      await expect(leads.pointer(rotation)).resolves.toBe(0);
      const entries = await leads.audit(tenant);
      expect(entries.map((e) => [e.event, e.statusCode, e.leadId])).toEqual([['request_failed', 500, null]]);

      // The next create takes the slot the failed one did not keep.
      const next = await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      expect(next.body.assignedTo).toBe(tenant.admin.user.email);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });

    it('leaves no lead and no entry when the database refuses the pointer move', async () => {
      const tenant = await f.tenant();
      const rep = await f.memberOf(tenant);
      const rotation = await setup.rotation(tenant, { name: 'default', emails: [tenant.admin.user.email, rep.user.email] });
      const restore = await leads.failWrites('lead_rotations', 'UPDATE');
      const res = await post(tenant, { firstName: 'A', lastName: 'B' }).then(async (r) => (await restore(), r));
      expect(res.status).toBe(500);
      await expect(leads.pointer(rotation)).resolves.toBe(0);
      await expect(leads.count(tenant)).resolves.toBe(0);
      const entries = await leads.audit(tenant);
      expect(entries.map((e) => [e.event, e.statusCode])).toEqual([['request_failed', 500]]);
      await post(tenant, { firstName: 'A', lastName: 'B' }).expect(201);
      await expect(leads.pointer(rotation)).resolves.toBe(1);
    });
  });
});
