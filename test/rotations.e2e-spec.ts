import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { LeadRotation } from '../src/rotations/entities/lead-rotation.entity';
import { Team } from '../src/teams/entities/team.entity';
import { Membership } from '../src/users/entities/membership.entity';
import { User } from '../src/users/entities/user.entity';
import { Fixtures, Tenant, TestUser } from './utils/fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const fieldsOf = (body: { details?: { field: string }[] }) => [...new Set((body.details ?? []).map((d) => d.field))].sort();
const STATUS_ERROR = { error: 'Status is required and must be one of active, archived, queued' };
const TEAM_CONFLICT = { error: 'Conflict', message: 'The team already has an active lead rotation' };
const DEFAULT_CONFLICT = { error: 'Conflict', message: 'The account already has an active default lead rotation' };

describe('lead rotations', () => {
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

  const row = (id: number) => t.ds.getRepository(LeadRotation).findOneBy({ id });
  const count = (tenant: Tenant) => t.ds.getRepository(LeadRotation).countBy({ accountId: tenant.account.id });
  const teamView = (team: Team) => ({ id: team.id, name: team.name, active: team.active });
  const view = (r: LeadRotation, team: Team | null = null) => ({
    id: r.id,
    accountId: String(r.accountId),
    name: r.name,
    status: r.status,
    teamId: r.teamId,
    userRotationArray: r.userRotationArray,
    currentPosition: r.currentPosition,
    weights: Object.fromEntries(r.userRotationArray.map((e) => [e, 1])),
    dailyCaps: Object.fromEntries(r.userRotationArray.map((e) => [e, null])),
    team: team ? teamView(team) : null,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });
  /** A tenant with three users named a, b, c (emails in their `.user.email`). */
  const tenantWithReps = async () => {
    const tenant = await fx.tenant();
    const reps: TestUser[] = [];
    for (const n of ['a', 'b', 'c']) reps.push(await fx.memberOf(tenant, 'user', { name: `Rep ${n}` }));
    return { tenant, reps, emails: reps.map((r) => r.user.email) };
  };

  describe('POST /lead-rotations', () => {
    it('creates a rotation with a team, storing emails trimmed and lower-cased', async () => {
      const { tenant, emails } = await tenantWithReps();
      const team = await setup.team(tenant, { name: 'Sales' });
      const res = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({
          name: 'Sales rotation',
          teamId: team.id,
          userRotationArray: [` ${emails[0].toUpperCase()} `, emails[1]],
          currentPosition: 1,
        })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        accountId: tenant.accountId,
        name: 'Sales rotation',
        status: 'active',
        teamId: team.id,
        userRotationArray: [emails[0], emails[1]],
        currentPosition: 1,
        weights: { [emails[0]]: 1, [emails[1]]: 1 },
        dailyCaps: { [emails[0]]: null, [emails[1]]: null },
        team: teamView(team),
        createdBy: tenant.admin.user.email,
        updatedBy: tenant.admin.user.email,
        createdAt: ISO,
        updatedAt: ISO,
      });
      expect(await row(res.body.id)).toMatchObject({
        accountId: tenant.account.id,
        isDefault: false,
        status: 'active',
        userRotationArray: [emails[0], emails[1]],
        currentPosition: 1,
      });
    });

    it('defaults to active, empty and at position 0; marks a team-less rotation named default as the default', async () => {
      const tenant = await fx.tenant();
      const res = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: ' Default ' }).expect(201);
      expect(res.body).toMatchObject({
        name: 'Default',
        status: 'active',
        teamId: null,
        team: null,
        userRotationArray: [],
        currentPosition: 0,
      });
      expect(await row(res.body.id)).toMatchObject({ isDefault: true });

      const team = await setup.team(tenant);
      const teamDefault = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'default', teamId: team.id }).expect(201);
      expect(await row(teamDefault.body.id)).toMatchObject({ isDefault: false });
      const queued = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Later', status: 'queued' }).expect(201);
      expect(await row(queued.body.id)).toMatchObject({ isDefault: false, status: 'queued' });
    });

    it('allows an email more than once (a larger share) and inactive users of the account', async () => {
      const { tenant, reps, emails } = await tenantWithReps();
      await t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: reps[2].user.id }, { active: false }));
      const list = [emails[0], emails[0], emails[1], emails[2]];
      const res = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({ name: 'Weighted', userRotationArray: list })
        .expect(201);
      expect(res.body.userRotationArray).toEqual(list);
    });

    it('refuses emails that are not users of the account, a foreign team and a position outside the list, all at once', async () => {
      const { tenant, emails } = await tenantWithReps();
      const other = await fx.tenant();
      const theirTeam = await setup.team(other);
      const res = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({
          name: 'Bad',
          teamId: theirTeam.id,
          userRotationArray: [emails[0], other.admin.user.email, 'nobody@example.com'],
          currentPosition: 3,
        })
        .expect(400);
      expect(res.body).toEqual({
        error: 'Validation failed',
        message: '4 problems were found in the request',
        details: [
          { field: 'teamId', message: `team ${theirTeam.id} is not a team of this account` },
          { field: 'userRotationArray.1', message: `${other.admin.user.email} is not a user of this account` },
          { field: 'userRotationArray.2', message: 'nobody@example.com is not a user of this account' },
          { field: 'currentPosition', message: 'currentPosition must be between 0 and 2 (userRotationArray has 3 entries)' },
        ],
      });
      const empty = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Empty', currentPosition: 1 }).expect(400);
      expect(empty.body.details).toEqual([
        { field: 'currentPosition', message: 'currentPosition must be 0 when userRotationArray is empty' },
      ]);
      await expect(count(tenant)).resolves.toBe(0);
    });

    it('validates the body', async () => {
      const tenant = await fx.tenant();
      const res = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({ status: 'paused', userRotationArray: ['a@example.com', 7, ''], currentPosition: -1, teamId: 'x', isDefault: true })
        .expect(400);
      expect(fieldsOf(res.body)).toEqual(['currentPosition', 'isDefault', 'name', 'status', 'teamId', 'userRotationArray']);
      const nulls = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({ name: 'N', status: null, userRotationArray: null, currentPosition: null })
        .expect(400);
      expect(fieldsOf(nulls.body)).toEqual(['currentPosition', 'status', 'userRotationArray']);
      await expect(count(tenant)).resolves.toBe(0);
    });

    it('answers 409 for a second active rotation of a team or a second active default, and allows inactive ones', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'One', teamId: team.id }).expect(201);
      const dupTeam = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Two', teamId: team.id }).expect(409);
      expect(dupTeam.body).toEqual(TEAM_CONFLICT);
      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Two', teamId: team.id, status: 'queued' }).expect(201);

      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'default' }).expect(201);
      const dupDefault = await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'DEFAULT' }).expect(409);
      expect(dupDefault.body).toEqual(DEFAULT_CONFLICT);
      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'default', status: 'archived' }).expect(201);
      // Any number of active team-less rotations that are not the default.
      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Spare' }).expect(201);
      await t.http().post('/lead-rotations').set(tenant.headers).send({ name: 'Spare' }).expect(201);
      // Another account has its own default.
      const other = await fx.tenant();
      await t.http().post('/lead-rotations').set(other.headers).send({ name: 'default' }).expect(201);
      await expect(count(tenant)).resolves.toBe(6);
    });
  });

  describe('GET /lead-rotations', () => {
    it('lists active rotations by default with their team, and filters by status, teamId, name and search', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant, { name: 'North' });
      const a = await setup.rotation(tenant, { name: 'default' });
      const b = await setup.rotation(tenant, { name: 'North rotation', teamId: team.id });
      const c = await setup.rotation(tenant, { name: 'Old', status: 'archived', teamId: team.id });
      const d = await setup.rotation(tenant, { name: 'Next', status: 'queued' });
      await setup.rotation(await fx.tenant(), { name: 'default' });

      const res = await t.http().get('/lead-rotations').set(tenant.headers).expect(200);
      expect(res.body).toEqual({ data: [view(a), view(b, team)], totalCount: 2, totalPages: 1, currentPage: 1 });
      const ids = async (qs: string) =>
        (await t.http().get(`/lead-rotations?${qs}`).set(tenant.headers).expect(200)).body.data.map((r: { id: number }) => r.id);
      await expect(ids('status=archived')).resolves.toEqual([c.id]);
      await expect(ids('status=queued,active')).resolves.toEqual([a.id, b.id, d.id]);
      await expect(ids('status=active&status=archived')).resolves.toEqual([a.id, b.id, c.id]);
      await expect(ids(`teamId=${team.id}&status=active,archived,queued`)).resolves.toEqual([b.id, c.id]);
      await expect(ids('name=DEFAULT')).resolves.toEqual([a.id]);
      await expect(ids('search=north')).resolves.toEqual([b.id]);
      const bad = await t.http().get('/lead-rotations?status=paused').set(tenant.headers).expect(400);
      expect(bad.body.details).toEqual([
        { field: 'status', message: 'each value in status must be one of the following values: active, archived, queued' },
      ]);
    });

    it('pages and sorts, and refuses unknown sort fields', async () => {
      const { tenant, emails } = await tenantWithReps();
      for (const [name, currentPosition] of [
        ['b', 2],
        ['A', 0],
        ['c', 1],
      ] as const) {
        await setup.rotation(tenant, { name, status: 'queued', emails, currentPosition });
      }
      const names = async (qs: string) =>
        (await t.http().get(`/lead-rotations?status=queued&${qs}`).set(tenant.headers).expect(200)).body.data.map(
          (r: { name: string }) => r.name,
        );
      await expect(names('sort=name')).resolves.toEqual(['A', 'b', 'c']);
      await expect(names('sort=-name')).resolves.toEqual(['c', 'b', 'A']);
      await expect(names('sort=currentPosition')).resolves.toEqual(['A', 'c', 'b']);
      await expect(names('sort=-currentPosition')).resolves.toEqual(['b', 'c', 'A']);
      await expect(names('sort=status,-id&pageSize=2&page=2')).resolves.toEqual(['b']);
      const bad = await t.http().get('/lead-rotations?sort=teamId').set(tenant.headers).expect(400);
      expect(bad.body).toEqual({
        error: 'Invalid sort',
        message: 'Unknown sort field: teamId. Allowed: id, name, status, createdAt, updatedAt, currentPosition',
        details: [{ field: 'sort', message: 'unknown sort field "teamId"' }],
      });
    });
  });

  describe('GET /lead-rotations/:id', () => {
    it('answers the rotation with its team and members, and 404 for another account', async () => {
      const { tenant, reps, emails } = await tenantWithReps();
      const other = await fx.tenant();
      const team = await setup.team(tenant, { active: false });
      const r = await setup.rotation(tenant, { teamId: team.id, emails, currentPosition: 2, status: 'archived' });
      const res = await t.http().get(`/lead-rotations/${r.id}`).set(tenant.headers).expect(200);
      const members = reps.map((rep) => ({
        email: rep.user.email,
        userId: rep.user.id,
        weight: 1,
        dailyCap: null,
        assignedToday: 0,
        eligible: true,
        ineligibleReason: null,
      }));
      expect(res.body).toEqual({ ...view(r, team), members });
      const foreign = await t.http().get(`/lead-rotations/${r.id}`).set(other.headers).expect(404);
      expect(foreign.body).toEqual({ error: 'Not Found', message: 'Lead rotation not found' });
    });
  });

  describe('PATCH /lead-rotations/:id', () => {
    it('updates name, team, list and position', async () => {
      const { tenant, emails } = await tenantWithReps();
      const editor = await fx.memberOf(tenant, 'admin');
      const team = await setup.team(tenant);
      const r = await setup.rotation(tenant, { name: 'Before', emails: [emails[0]] });
      const res = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headersFor(editor))
        .send({ name: 'After', teamId: team.id, userRotationArray: [emails[2], emails[1], emails[0]], currentPosition: 2 })
        .expect(200);
      expect(res.body).toEqual({
        ...view(r),
        name: 'After',
        teamId: team.id,
        team: teamView(team),
        userRotationArray: [emails[2], emails[1], emails[0]],
        currentPosition: 2,
        weights: { [emails[2]]: 1, [emails[1]]: 1, [emails[0]]: 1 },
        dailyCaps: { [emails[2]]: null, [emails[1]]: null, [emails[0]]: null },
        updatedBy: editor.user.email,
        updatedAt: ISO,
      });
      expect(await row(r.id)).toMatchObject({ name: 'After', teamId: team.id, currentPosition: 2, updatedBy: editor.user.email });
      const moved = await t.http().patch(`/lead-rotations/${r.id}`).set(tenant.headers).send({ currentPosition: 0 }).expect(200);
      expect(moved.body).toMatchObject({ currentPosition: 0, userRotationArray: [emails[2], emails[1], emails[0]] });
      const detached = await t.http().patch(`/lead-rotations/${r.id}`).set(tenant.headers).send({ teamId: null }).expect(200);
      expect(detached.body).toMatchObject({ teamId: null, team: null });
      const same = await t.http().patch(`/lead-rotations/${r.id}`).set(tenant.headers).send({}).expect(200);
      expect(same.body).toEqual(detached.body);
    });

    it('keeps the pointer modulo the new length when the list changes without a position', async () => {
      const { tenant, emails } = await tenantWithReps();
      const r = await setup.rotation(tenant, { emails, currentPosition: 2 });
      const shrunk = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headers)
        .send({ userRotationArray: emails.slice(0, 2) })
        .expect(200);
      expect(shrunk.body.currentPosition).toBe(0);
      const r2 = await setup.rotation(tenant, { emails, currentPosition: 1, status: 'queued' });
      const kept = await t
        .http()
        .patch(`/lead-rotations/${r2.id}`)
        .set(tenant.headers)
        .send({ userRotationArray: emails.slice(0, 2) })
        .expect(200);
      expect(kept.body.currentPosition).toBe(1);
      const emptied = await t.http().patch(`/lead-rotations/${r2.id}`).set(tenant.headers).send({ userRotationArray: [] }).expect(200);
      expect(emptied.body).toMatchObject({ userRotationArray: [], currentPosition: 0 });
      expect(await row(r2.id)).toMatchObject({ userRotationArray: [], currentPosition: 0 });
    });

    it('refuses a position outside the list, foreign emails and teams, read-only fields and the status, changing nothing', async () => {
      const { tenant, emails } = await tenantWithReps();
      const other = await fx.tenant();
      const theirTeam = await setup.team(other);
      const r = await setup.rotation(tenant, { name: 'Stable', emails, currentPosition: 1 });
      const before = await row(r.id);
      const far = await t.http().patch(`/lead-rotations/${r.id}`).set(tenant.headers).send({ currentPosition: 3 }).expect(400);
      expect(far.body.details).toEqual([
        { field: 'currentPosition', message: 'currentPosition must be between 0 and 2 (userRotationArray has 3 entries)' },
      ]);
      const both = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headers)
        .send({ userRotationArray: [emails[0]], currentPosition: 1 })
        .expect(400);
      expect(both.body.details).toEqual([
        { field: 'currentPosition', message: 'currentPosition must be between 0 and 0 (userRotationArray has 1 entry)' },
      ]);
      const foreign = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headers)
        .send({ teamId: theirTeam.id, userRotationArray: [other.admin.user.email] })
        .expect(400);
      expect(foreign.body.details).toEqual([
        { field: 'teamId', message: `team ${theirTeam.id} is not a team of this account` },
        { field: 'userRotationArray.0', message: `${other.admin.user.email} is not a user of this account` },
      ]);
      const status = await t.http().patch(`/lead-rotations/${r.id}`).set(tenant.headers).send({ status: 'archived', id: 9 }).expect(400);
      expect(fieldsOf(status.body)).toEqual(['id', 'status']);
      const nulls = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headers)
        .send({ name: null, userRotationArray: null })
        .expect(400);
      expect(fieldsOf(nulls.body)).toEqual(['name', 'userRotationArray']);
      expect(await row(r.id)).toEqual(before);
    });

    it('recomputes the default flag and answers 409 when a change would make a second active rotation', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      await setup.rotation(tenant, { name: 'default' });
      await setup.rotation(tenant, { name: 'Team one', teamId: team.id });
      const spare = await setup.rotation(tenant, { name: 'Spare' });

      const toDefault = await t.http().patch(`/lead-rotations/${spare.id}`).set(tenant.headers).send({ name: 'Default' }).expect(409);
      expect(toDefault.body).toEqual(DEFAULT_CONFLICT);
      const toTeam = await t.http().patch(`/lead-rotations/${spare.id}`).set(tenant.headers).send({ teamId: team.id }).expect(409);
      expect(toTeam.body).toEqual(TEAM_CONFLICT);
      expect(await row(spare.id)).toMatchObject({ name: 'Spare', teamId: null, isDefault: false });

      const queued = await setup.rotation(tenant, { name: 'Spare 2', status: 'queued' });
      await t.http().patch(`/lead-rotations/${queued.id}`).set(tenant.headers).send({ name: 'DEFAULT' }).expect(200);
      expect(await row(queued.id)).toMatchObject({ isDefault: true });
      const other = await setup.team(tenant);
      await t.http().patch(`/lead-rotations/${queued.id}`).set(tenant.headers).send({ teamId: other.id }).expect(200);
      expect(await row(queued.id)).toMatchObject({ isDefault: false, teamId: other.id });
    });

    it('answers 404 for a rotation of another account and leaves it unchanged', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const r = await setup.rotation(other, { name: 'Theirs', emails: [other.admin.user.email] });
      const before = await row(r.id);
      const res = await t
        .http()
        .patch(`/lead-rotations/${r.id}`)
        .set(tenant.headers)
        .send({ name: 'Mine', userRotationArray: [] })
        .expect(404);
      expect(res.body).toEqual({ error: 'Not Found', message: 'Lead rotation not found' });
      expect(await row(r.id)).toEqual(before);
    });
  });

  describe('PATCH /lead-rotations/:id/status', () => {
    it('changes the status', async () => {
      const tenant = await fx.tenant();
      const editor = await fx.memberOf(tenant, 'admin');
      const r = await setup.rotation(tenant, { name: 'Flip' });
      const res = await t
        .http()
        .patch(`/lead-rotations/${r.id}/status`)
        .set(tenant.headersFor(editor))
        .send({ status: 'archived' })
        .expect(200);
      expect(res.body).toEqual({ ...view(r), status: 'archived', updatedBy: editor.user.email, updatedAt: ISO });
      expect(await row(r.id)).toMatchObject({ status: 'archived', updatedBy: editor.user.email });
      const again = await t.http().patch(`/lead-rotations/${r.id}/status`).set(tenant.headers).send({ status: 'archived' }).expect(200);
      expect(again.body).toEqual(res.body);
      await t.http().patch(`/lead-rotations/${r.id}/status`).set(tenant.headers).send({ status: 'queued' }).expect(200);
      expect(await row(r.id)).toMatchObject({ status: 'queued' });
    });

    it('answers the fixed 400 for a missing or invalid status, and names other properties', async () => {
      const tenant = await fx.tenant();
      const r = await setup.rotation(tenant);
      for (const body of [{}, { status: 'paused' }, { status: null }, { status: 1 }, { status: 'ACTIVE' }, [{ status: 'active' }]]) {
        const res = await t.http().patch(`/lead-rotations/${r.id}/status`).set(tenant.headers).send(body).expect(400);
        expect(res.body).toEqual(STATUS_ERROR);
      }
      const none = await t.http().patch(`/lead-rotations/${r.id}/status`).set(tenant.headers).expect(400);
      expect(none.body).toEqual(STATUS_ERROR);
      const extra = await t
        .http()
        .patch(`/lead-rotations/${r.id}/status`)
        .set(tenant.headers)
        .send({ status: 'queued', name: 'x' })
        .expect(400);
      expect(extra.body).toEqual({
        error: 'Validation failed',
        message: 'name is not an allowed property',
        details: [{ field: 'name', message: 'name is not an allowed property' }],
      });
      expect(await row(r.id)).toMatchObject({ status: 'active' });
    });

    it('answers 409 when activating would make a second active rotation of the team or a second active default', async () => {
      const tenant = await fx.tenant();
      const team = await setup.team(tenant);
      await setup.rotation(tenant, { teamId: team.id });
      const waiting = await setup.rotation(tenant, { teamId: team.id, status: 'queued' });
      const res = await t.http().patch(`/lead-rotations/${waiting.id}/status`).set(tenant.headers).send({ status: 'active' }).expect(409);
      expect(res.body).toEqual(TEAM_CONFLICT);
      expect(await row(waiting.id)).toMatchObject({ status: 'queued' });

      await setup.rotation(tenant, { name: 'default' });
      const oldDefault = await setup.rotation(tenant, { name: 'Default', status: 'archived' });
      const res2 = await t
        .http()
        .patch(`/lead-rotations/${oldDefault.id}/status`)
        .set(tenant.headers)
        .send({ status: 'active' })
        .expect(409);
      expect(res2.body).toEqual(DEFAULT_CONFLICT);
      expect(await row(oldDefault.id)).toMatchObject({ status: 'archived' });
    });

    it('answers 404 for a rotation of another account and leaves it unchanged', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const r = await setup.rotation(other);
      await t.http().patch(`/lead-rotations/${r.id}/status`).set(tenant.headers).send({ status: 'archived' }).expect(404);
      expect(await row(r.id)).toMatchObject({ status: 'active' });
    });
  });

  describe('DELETE /lead-rotations/:id', () => {
    it('answers the deleted rotation and removes it; 404 for another account', async () => {
      const { tenant, emails } = await tenantWithReps();
      const other = await fx.tenant();
      const team = await setup.team(tenant);
      const r = await setup.rotation(tenant, { teamId: team.id, emails });
      await t.http().delete(`/lead-rotations/${r.id}`).set(other.headers).expect(404);
      expect(await row(r.id)).not.toBeNull();
      const res = await t.http().delete(`/lead-rotations/${r.id}`).set(tenant.headers).expect(200);
      expect(res.body).toEqual(view(r, team));
      await expect(row(r.id)).resolves.toBeNull();
      await t.http().delete(`/lead-rotations/${r.id}`).set(tenant.headers).expect(404);
      // The team is free to go now.
      await t.http().delete(`/teams/${team.id}`).set(tenant.headers).expect(200);
    });
  });

  describe('GET /lead-rotations/:id/next-user', () => {
    it('picks the user at the pointer, advances it, and wraps around', async () => {
      const { tenant, reps, emails } = await tenantWithReps();
      const r = await setup.rotation(tenant, { emails, currentPosition: 1 });
      const res = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(res.body).toEqual({
        user: { id: reps[1].user.id, email: emails[1], name: 'Rep b' },
        rotationId: r.id,
        currentPosition: 1,
        newPosition: 2,
        totalUsers: 3,
        currentUser: emails[1],
        nextUser: emails[2],
        rotation: { ...view(r), currentPosition: 2 },
      });
      expect(await row(r.id)).toMatchObject({ currentPosition: 2, updatedAt: r.updatedAt, updatedBy: r.updatedBy });
      const res2 = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(res2.body).toMatchObject({ currentPosition: 2, newPosition: 0, currentUser: emails[2], nextUser: emails[0] });
      const res3 = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(res3.body).toMatchObject({ currentPosition: 0, newPosition: 1, currentUser: emails[0], user: { id: reps[0].user.id } });
    });

    it('skips users who are no longer active members, and works whatever the status', async () => {
      const { tenant, reps, emails } = await tenantWithReps();
      const team = await setup.team(tenant);
      const r = await setup.rotation(tenant, { emails, teamId: team.id, status: 'archived' });
      await t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: reps[0].user.id }, { active: false }));
      await t.tx.run((em) => em.update(User, { id: reps[1].user.id }, { active: false }));
      const res = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(res.body).toMatchObject({ currentPosition: 2, newPosition: 0, currentUser: emails[2], nextUser: emails[0] });
      expect(res.body.rotation).toEqual({ ...view(r, team), currentPosition: 0 });
      await t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: reps[0].user.id }, { active: true }));
      const back = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(back.body).toMatchObject({ currentPosition: 0, newPosition: 1, currentUser: emails[0] });
    });

    it('answers user null and leaves the pointer when nobody is eligible or the list is empty', async () => {
      const { tenant, reps, emails } = await tenantWithReps();
      const r = await setup.rotation(tenant, { emails: [emails[0], emails[1]], currentPosition: 1 });
      for (const rep of reps.slice(0, 2)) {
        await t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId: rep.user.id }, { active: false }));
      }
      const res = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(200);
      expect(res.body).toEqual({
        user: null,
        rotationId: r.id,
        currentPosition: 1,
        newPosition: 1,
        totalUsers: 2,
        currentUser: null,
        nextUser: emails[1],
        rotation: view(r),
      });
      expect(await row(r.id)).toMatchObject({ currentPosition: 1 });

      const empty = await setup.rotation(tenant, { status: 'queued' });
      const res2 = await t.http().get(`/lead-rotations/${empty.id}/next-user`).set(tenant.headers).expect(200);
      expect(res2.body).toEqual({
        user: null,
        rotationId: empty.id,
        currentPosition: 0,
        newPosition: 0,
        totalUsers: 0,
        currentUser: null,
        nextUser: null,
        rotation: view(empty),
      });
    });

    it('answers 404 for a rotation of another account and leaves its pointer', async () => {
      const tenant = await fx.tenant();
      const other = await fx.tenant();
      const r = await setup.rotation(other, { emails: [other.admin.user.email] });
      const res = await t.http().get(`/lead-rotations/${r.id}/next-user`).set(tenant.headers).expect(404);
      expect(res.body).toEqual({ error: 'Not Found', message: 'Lead rotation not found' });
      expect(await row(r.id)).toMatchObject({ currentPosition: 0 });
      await t.http().get('/lead-rotations/0/next-user').set(tenant.headers).expect(400);
    });
  });

  describe('OpenAPI', () => {
    it('documents the teams, lead sources and rotations endpoints with their tags, bodies and responses', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      const op = (path: string, method: string) => doc.paths[path][method];
      const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
      const json = (o: { content: Record<string, { schema: unknown }> }) => o.content['application/json'].schema;
      expect(op('/teams', 'post').tags).toEqual(['Teams']);
      expect(json(op('/teams', 'post').responses['201'])).toEqual(ref('TeamResponseDto'));
      expect(json(op('/teams', 'get').responses['200'])).toEqual(ref('TeamPageDto'));
      expect(op('/lead-sources/{id}', 'delete').tags).toEqual(['Lead sources']);
      expect(Object.keys(op('/lead-sources/{id}', 'delete').responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
      expect(op('/lead-rotations/{id}/status', 'patch').tags).toEqual(['Lead rotations']);
      expect(json(op('/lead-rotations/{id}/status', 'patch').requestBody)).toEqual(ref('UpdateLeadRotationStatusDto'));
      expect(json(op('/lead-rotations/{id}/next-user', 'get').responses['200'])).toEqual(ref('NextUserResponseDto'));
      expect(op('/lead-rotations/{id}', 'get').parameters).toContainEqual(
        expect.objectContaining({ name: 'id', in: 'path', schema: { type: 'integer' } }),
      );
      expect(Object.keys(doc.components.schemas.NextUserResponseDto.properties)).toEqual([
        'user',
        'rotationId',
        'currentPosition',
        'newPosition',
        'totalUsers',
        'currentUser',
        'nextUser',
        'rotation',
      ]);
    });
  });

  describe('permissions and audit', () => {
    it('lets a user read rotations but not change them or pick from them', async () => {
      const tenant = await fx.tenant();
      const user = await fx.memberOf(tenant, 'user');
      const r = await setup.rotation(tenant, { name: 'Guarded', emails: [user.user.email] });
      const before = await row(r.id);
      const h = tenant.headersFor(user);
      await t.http().get('/lead-rotations').set(h).expect(200);
      await t.http().get(`/lead-rotations/${r.id}`).set(h).expect(200);
      const forbidden = { error: 'Forbidden', message: 'Missing permission: writeLeadRotations' };
      expect((await t.http().post('/lead-rotations').set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().patch(`/lead-rotations/${r.id}`).set(h).send({ name: 'X' }).expect(403)).body).toEqual(forbidden);
      expect((await t.http().patch(`/lead-rotations/${r.id}/status`).set(h).send({ status: 'archived' }).expect(403)).body).toEqual(
        forbidden,
      );
      expect((await t.http().get(`/lead-rotations/${r.id}/next-user`).set(h).expect(403)).body).toEqual(forbidden);
      expect((await t.http().delete(`/lead-rotations/${r.id}`).set(h).expect(403)).body).toEqual(forbidden);
      expect(await row(r.id)).toEqual(before);
      await expect(count(tenant)).resolves.toBe(1);
    });

    it('records the rotation events', async () => {
      const tenant = await fx.tenant();
      const created = await t
        .http()
        .post('/lead-rotations')
        .set(tenant.headers)
        .send({ name: 'Audited', userRotationArray: [tenant.admin.user.email] })
        .expect(201);
      const id = created.body.id;
      await t.http().patch(`/lead-rotations/${id}`).set(tenant.headers).send({ name: 'Audited 2' }).expect(200);
      await t.http().patch(`/lead-rotations/${id}/status`).set(tenant.headers).send({ status: 'queued' }).expect(200);
      await t.http().get(`/lead-rotations/${id}/next-user`).set(tenant.headers).expect(200);
      await t.http().delete(`/lead-rotations/${id}`).set(tenant.headers).expect(200);
      await t.flushAudit();
      const rows = await t.ds.getRepository(AuditLog).find({ where: { accountId: tenant.account.id }, order: { id: 'ASC' } });
      expect(rows.map((r) => [r.event, r.requestMethod, r.statusCode])).toEqual([
        ['lead_rotation_created', 'POST', 201],
        ['lead_rotation_updated', 'PATCH', 200],
        ['lead_rotation_status_changed', 'PATCH', 200],
        ['lead_rotation_next_user', 'GET', 200],
        ['lead_rotation_deleted', 'DELETE', 200],
      ]);
    });
  });
});
