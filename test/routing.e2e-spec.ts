import { LeadRotation } from '../src/rotations/entities/lead-rotation.entity';
import { localDay } from '../src/routing/routing-policy';
import { Membership } from '../src/users/entities/membership.entity';
import { Fixtures, Tenant } from './utils/fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

/** Contract §7: weighted, capped routing with availability, and the reason for every assignment. */
describe('routing', () => {
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

  const lead = (tenant: Tenant, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/leads?skipTeamAndSourceRequirement=true')
      .set(tenant.headers)
      .send({ firstName: 'A', lastName: 'B', ...body });
  const rotation = async (tenant: Tenant, body: Record<string, unknown>) =>
    (await t.http().post('/lead-rotations').set(tenant.headers).send(body).expect(201)).body as { id: number } & Record<string, unknown>;
  const stored = (id: number) => t.ds.getRepository(LeadRotation).findOneByOrFail({ id });
  const setAway = (tenant: Tenant, userId: number, away: boolean, awayUntil: Date | null = null) =>
    t.tx.run((em) => em.update(Membership, { accountId: tenant.account.id, userId }, { away, awayUntil }));
  const tally = (emails: (string | null)[]) =>
    emails.reduce<Record<string, number>>((n, e) => ({ ...n, [String(e)]: (n[String(e)] ?? 0) + 1 }), {});

  async function team3(tenant: Tenant) {
    return [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)].map((m) => m.user);
  }

  it('splits 600 concurrent creates 3:2:1 exactly', async () => {
    const tenant = await f.tenant();
    const [a, b, c] = await team3(tenant);
    await rotation(tenant, {
      name: 'default',
      userRotationArray: [a.email, b.email, c.email],
      weights: { [a.email]: 3, [b.email]: 2, [c.email]: 1 },
    });
    const assigned: (string | null)[] = [];
    for (let wave = 0; wave < 12; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => lead(tenant)));
      for (const res of answers) {
        expect(res.status).toBe(201);
        assigned.push(res.body.assignedTo);
      }
    }
    expect(tally(assigned)).toEqual({ [a.email]: 300, [b.email]: 200, [c.email]: 100 });
  });

  it('answers each of many concurrent creates on its own: refused ones take no turn', async () => {
    const tenant = await f.tenant();
    const [a, b] = await team3(tenant);
    const [east, west] = [await setup.team(tenant), await setup.team(tenant)];
    const eastSource = await setup.leadSource(tenant, { teamId: east.id });
    const westSource = await setup.leadSource(tenant, { teamId: west.id });
    await rotation(tenant, { name: 'East', teamId: east.id, userRotationArray: [a.email, b.email] });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t
          .http()
          .post('/leads')
          .set(tenant.headers)
          .send({ firstName: 'A', lastName: `${i}`, teamId: east.id, leadSourceId: i % 4 === 0 ? westSource.id : eastSource.id }),
      ),
    );
    answers.forEach((res, i) => {
      if (i % 4 === 0) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          error: 'leadSourceId belongs to a different team than the lead',
          details: [{ field: 'leadSourceId', message: 'belongs to a different team than the lead' }],
        });
      } else expect(res.status).toBe(201);
    });
    expect(tally(answers.filter((r) => r.status === 201).map((r) => r.body.assignedTo))).toEqual({ [a.email]: 15, [b.email]: 15 });
    await expect(leads.count(tenant)).resolves.toBe(30);
  });

  it('fails only the create the database refuses among concurrent ones', async () => {
    const tenant = await f.tenant();
    const [a, b] = await team3(tenant);
    await rotation(tenant, { name: 'default', userRotationArray: [a.email, b.email] });
    const restore = await leads.failWrites('leads', 'INSERT', `NEW.last_name = 'Refused'`);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => lead(tenant, { lastName: i === 7 ? 'Refused' : `${i}` })),
    ).finally(restore);
    expect(answers.map((r) => r.status)).toEqual(answers.map((_, i) => (i === 7 ? 500 : 201)));
    const assigned = answers.filter((r) => r.status === 201).map((r) => r.body.assignedTo);
    expect(Object.values(tally(assigned)).sort()).toEqual([14, 15]);
    await expect(leads.count(tenant)).resolves.toBe(29);
  });

  it('with equal weights keeps the plain order from the pointer', async () => {
    const tenant = await f.tenant();
    const [a, b, c] = await team3(tenant);
    await rotation(tenant, { name: 'default', userRotationArray: [a.email, b.email, c.email], currentPosition: 1 });
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push((await lead(tenant).expect(201)).body.assignedTo);
    expect(got).toEqual([b.email, c.email, a.email, b.email, c.email]);
  });

  it('answers the assignment with its reason on the 201 and in lead_created', async () => {
    const tenant = await f.tenant();
    const [a, b] = await team3(tenant);
    const r = await rotation(tenant, { name: 'default', userRotationArray: [a.email, b.email] });
    await setAway(tenant, a.id, true);
    const res = await lead(tenant).expect(201);
    const assignment = {
      method: 'rotation',
      rotationId: r.id,
      rotationName: 'default',
      reason: 'default_rotation',
      skipped: [{ email: a.email, reason: 'away' }],
    };
    expect(res.body.assignedTo).toBe(b.email);
    expect(res.body.assignment).toEqual(assignment);
    expect(res.body.auditLog[0].data.assignment).toEqual(assignment);
    const explicit = await lead(tenant, { assignedTo: b.email }).expect(201);
    expect(explicit.body.assignment).toEqual({
      method: 'explicit',
      rotationId: null,
      rotationName: null,
      reason: 'assigned_to_given',
      skipped: [],
    });
  });

  it('falls back from the team rotation to the default, then leaves the lead unassigned', async () => {
    const tenant = await f.tenant();
    const [a, b] = await team3(tenant);
    const team = await setup.team(tenant);
    const none = await lead(tenant, { teamId: team.id }).expect(201);
    expect(none.body.assignment).toEqual({ method: 'none', rotationId: null, rotationName: null, reason: 'no_rotation', skipped: [] });
    const teamRotation = await rotation(tenant, { name: 'Team', teamId: team.id, userRotationArray: [a.email], weights: { [a.email]: 0 } });
    const fallback = await rotation(tenant, { name: 'default', userRotationArray: [b.email] });
    const viaDefault = await lead(tenant, { teamId: team.id }).expect(201);
    expect(viaDefault.body.assignedTo).toBe(b.email);
    expect(viaDefault.body.assignment).toEqual({
      method: 'rotation',
      rotationId: fallback.id,
      rotationName: 'default',
      reason: 'default_rotation',
      skipped: [{ email: a.email, reason: 'paused' }],
    });
    await leads.deactivateMembership(tenant, b.id);
    const nobody = await lead(tenant, { teamId: team.id }).expect(201);
    expect(Object.keys(nobody.body)).not.toContain('assignedTo');
    expect(nobody.body.assignment).toEqual({
      method: 'none',
      rotationId: fallback.id,
      rotationName: 'default',
      reason: 'no_eligible_member',
      skipped: [
        { email: a.email, reason: 'paused' },
        { email: b.email, reason: 'inactive' },
      ],
    });
    await setup.rotation(tenant, { name: 'Other team', teamId: (await setup.team(tenant)).id, emails: [a.email] });
    const viaTeam = await t
      .http()
      .patch(`/lead-rotations/${teamRotation.id}`)
      .set(tenant.headers)
      .send({ weights: { [a.email]: 2 } })
      .expect(200);
    expect(viaTeam.body.weights).toEqual({ [a.email]: 2 });
    const picked = await lead(tenant, { teamId: team.id }).expect(201);
    expect(picked.body.assignment).toMatchObject({ method: 'rotation', rotationId: teamRotation.id, reason: 'team_rotation', skipped: [] });
  });

  it('skips a capped member from the cap on, and counts again on the next day of the account', async () => {
    const tenant = await f.tenant();
    const [a, b] = await team3(tenant);
    const r = await rotation(tenant, { name: 'default', userRotationArray: [a.email, b.email], dailyCaps: { [a.email]: 2 } });
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push((await lead(tenant).expect(201)).body.assignedTo);
    expect(got).toEqual([a.email, b.email, a.email, b.email, b.email, b.email]);
    const capped = await lead(tenant).expect(201);
    expect(capped.body.assignment.skipped).toEqual([{ email: a.email, reason: 'capped' }]);
    const today = localDay(new Date(), 'UTC');
    expect((await stored(r.id)).routingState).toMatchObject({ day: today, counts: { [a.email]: 2, [b.email]: 5 } });
    const view = await t.http().get(`/lead-rotations/${r.id}`).set(tenant.headers).expect(200);
    expect(view.body.members).toEqual([
      { email: a.email, userId: a.id, weight: 1, dailyCap: 2, assignedToday: 2, eligible: false, ineligibleReason: 'capped' },
      { email: b.email, userId: b.id, weight: 1, dailyCap: null, assignedToday: 5, eligible: true, ineligibleReason: null },
    ]);
    // The counts belong to a day that is over: a's cap applies afresh.
    const state = (await stored(r.id)).routingState!;
    await t.tx.run((em) => em.update(LeadRotation, { id: r.id }, { routingState: { ...state, day: '2000-01-01' } }));
    expect((await lead(tenant).expect(201)).body.assignedTo).toBe(a.email);
  });

  it("counts the day in the account's time zone", async () => {
    const tenant = await f.tenant();
    const [a] = await team3(tenant);
    await t.http().patch(`/accounts/${tenant.account.id}`).set(tenant.headers).send({ timeZone: 'Pacific/Kiritimati' }).expect(200);
    const r = await rotation(tenant, { name: 'default', userRotationArray: [a.email] });
    await lead(tenant).expect(201);
    expect((await stored(r.id)).routingState).toMatchObject({ day: localDay(new Date(), 'Pacific/Kiritimati'), counts: { [a.email]: 1 } });
  });

  it('skips an away member without credit, and gives them exactly their weight once back', async () => {
    const tenant = await f.tenant();
    const [a, b, c] = await team3(tenant);
    await rotation(tenant, {
      name: 'default',
      userRotationArray: [a.email, b.email, c.email],
      weights: { [a.email]: 3, [b.email]: 2, [c.email]: 1 },
    });
    await setAway(tenant, a.id, true, new Date(Date.now() + 3_600_000));
    const away: string[] = [];
    for (let i = 0; i < 9; i++) away.push((await lead(tenant).expect(201)).body.assignedTo);
    expect(tally(away)).toEqual({ [b.email]: 6, [c.email]: 3 });
    await setAway(tenant, a.id, true, new Date(Date.now() - 1000));
    const back: string[] = [];
    for (let i = 0; i < 6; i++) back.push((await lead(tenant).expect(201)).body.assignedTo);
    expect(tally(back)).toEqual({ [a.email]: 3, [b.email]: 2, [c.email]: 1 });
  });

  it('previews exactly what the next create does, and moves nothing', async () => {
    const tenant = await f.tenant();
    const [a, b, c] = await team3(tenant);
    const r = await rotation(tenant, {
      name: 'default',
      userRotationArray: [a.email, b.email, c.email],
      weights: { [a.email]: 2, [c.email]: 0 },
    });
    for (let i = 0; i < 4; i++) {
      const before = await stored(r.id);
      const count = await leads.count(tenant);
      const preview = await t
        .http()
        .post('/lead-rotations/preview?skipTeamAndSourceRequirement=true')
        .set(tenant.headers)
        .send({ firstName: 'A', lastName: 'B' })
        .expect(200);
      expect(await stored(r.id)).toEqual(before);
      await expect(leads.count(tenant)).resolves.toBe(count);
      const created = await lead(tenant).expect(201);
      expect(preview.body).toEqual({ assignedTo: created.body.assignedTo, assignment: created.body.assignment });
    }
    const refused = await t
      .http()
      .post('/lead-rotations/preview')
      .set(tenant.headers)
      .send({ firstName: 'A', lastName: 'B', assignedTo: 'nobody@example.com' })
      .expect(400);
    expect(refused.body).toEqual({
      error: 'assignedTo is not an active member of this account',
      details: [{ field: 'assignedTo', message: 'is not an active member of this account' }],
    });
  });

  it('refuses weights or caps of emails that are not in the rotation, naming them', async () => {
    const tenant = await f.tenant();
    const [a] = await team3(tenant);
    const res = await t
      .http()
      .post('/lead-rotations')
      .set(tenant.headers)
      .send({ name: 'R', userRotationArray: [a.email], weights: { 'x@example.com': 2 }, dailyCaps: { [a.email]: 0 } })
      .expect(400);
    expect(res.body.details).toEqual(
      expect.arrayContaining([{ field: 'dailyCaps', message: 'dailyCaps must map member emails to integers from 1 to 1000000' }]),
    );
    const named = await t
      .http()
      .post('/lead-rotations')
      .set(tenant.headers)
      .send({ name: 'R', userRotationArray: [a.email], weights: { 'x@example.com': 2 } })
      .expect(400);
    expect(named.body.details).toEqual([{ field: 'weights.x@example.com', message: 'x@example.com is not in userRotationArray' }]);
    await expect(t.ds.getRepository(LeadRotation).countBy({ accountId: tenant.account.id })).resolves.toBe(0);
  });
});
