import { LeadsRepository } from '../src/leads/leads.repository';
import { Fixtures, Tenant } from './utils/fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

const TEAM_REQUIRED = { error: 'team ID is required when teams exist in the account' };

describe('POST /leads/batch (§8)', () => {
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

  const batch = (tenant: Tenant, items: unknown[], query = '') =>
    t.http().post(`/leads/batch${query}`).set(tenant.headers).send({ leads: items });

  /** A tenant with a team (one lead source) routed by a rotation of three reps. */
  async function routed() {
    const tenant = await f.tenant();
    const reps = [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)];
    const team = await setup.team(tenant, { members: reps });
    const source = await setup.leadSource(tenant, { teamId: team.id });
    const rotation = await setup.rotation(tenant, { teamId: team.id, emails: reps.map((r) => r.user.email) });
    const lead = (i: number, extra: object = {}) => ({
      firstName: `L${i}`,
      lastName: 'Batch',
      teamId: team.id,
      leadSourceId: source.id,
      ...extra,
    });
    return { tenant, reps: reps.map((r) => r.user.email), rotation, lead };
  }

  it('answers each item as its own POST /leads: the valid ones stored and routed in index order, the others with their 400', async () => {
    const { tenant, reps, rotation, lead } = await routed();
    const res = await batch(tenant, [
      lead(0),
      { firstName: 'No last name' },
      lead(2),
      { firstName: 'A', lastName: 'B' },
      lead(4),
      'text',
    ]).expect(200);
    expect(res.body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 201],
      [3, 400],
      [4, 201],
      [5, 400],
    ]);
    const [r0, r1, r2, r3, r4, r5] = res.body.results;
    expect([r0.lead.assignedTo, r2.lead.assignedTo, r4.lead.assignedTo]).toEqual(reps);
    expect(r0.lead).toMatchObject({ firstName: 'L0', assignment: { method: 'rotation', reason: 'team_rotation' } });
    // Items carry no auditLog (each would repeat its lead); the lead's own GET has it.
    expect(r0.lead).not.toHaveProperty('auditLog');
    const fetched = await t.http().get(`/leads/${r0.lead.id}`).set(tenant.headers);
    expect(fetched.body.auditLog.map((e: { event: string }) => e.event)).toEqual(['lead_created']);
    expect(r1.error).toEqual({
      error: 'Validation failed',
      message: 'lastName is required',
      details: [{ field: 'lastName', message: 'lastName is required' }],
    });
    expect(r3.error).toEqual(TEAM_REQUIRED);
    expect(r5.error).toEqual({ error: 'Validation failed', message: 'The request body must be a JSON object' });
    expect([r1, r3, r5].every((r) => !('lead' in r))).toBe(true);

    await expect(leads.count(tenant)).resolves.toBe(3);
    await expect(leads.pointer(rotation)).resolves.toBe(0);
    const created = await leads.audit(tenant, { event: 'lead_created' });
    expect(created.map((e) => [e.leadId, e.requestPath])).toEqual([r0, r2, r4].map((r) => [r.lead.id, '/leads/batch']));
  });

  it('answers an item that failed unexpectedly as POST /leads would (500 with a logged error id), the others stored', async () => {
    const { tenant, lead } = await routed();
    const repo = t.app.get(LeadsRepository);
    const create = jest.spyOn(repo, 'create').mockRejectedValueOnce(new Error('disk on fire'));
    const res = await batch(tenant, [lead(0), lead(1)]).expect(200);
    create.mockRestore();
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([500, 201]);
    expect(res.body.results[0]).toEqual({
      index: 0,
      status: 500,
      error: {
        error: 'Internal Server Error',
        message: expect.stringMatching(/^An unexpected error occurred \(error id [0-9a-f-]{36}\)$/),
      },
    });
    await expect(leads.count(tenant)).resolves.toBe(1);
  });

  it('routes a hundred leads through one rotation in index order', async () => {
    const { tenant, reps, lead } = await routed();
    const res = await batch(
      tenant,
      Array.from({ length: 100 }, (_, i) => lead(i)),
    ).expect(200);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual(Array(100).fill(201));
    expect(res.body.results.map((r: { lead: { assignedTo: string } }) => r.lead.assignedTo)).toEqual(
      Array.from({ length: 100 }, (_, i) => reps[i % 3]),
    );
    await expect(leads.count(tenant)).resolves.toBe(100);
  });

  it('atomic=true: one failing item refuses the batch, listing every failing index; nothing is stored, no rotation moves', async () => {
    const { tenant, rotation, lead } = await routed();
    const invalid = await batch(
      tenant,
      [lead(0), { firstName: 'A', lastName: 'B', email: 'not-an-email' }, lead(2)],
      '?atomic=true',
    ).expect(400);
    expect(invalid.body).toEqual({
      error: 'batch refused',
      message: 'Item 1 failed, so nothing was stored',
      details: [{ field: 'leads[1].email', message: 'email must be a valid email address' }],
    });

    // A rule that fails only once the earlier items are written: every failing index, nothing kept.
    const ruled = await batch(
      tenant,
      [lead(0), { firstName: 'A', lastName: 'B' }, lead(2), { firstName: 'C', lastName: 'D' }],
      '?atomic=true',
    ).expect(400);
    expect(ruled.body).toEqual({
      error: 'batch refused',
      message: 'Items 1, 3 failed, so nothing was stored',
      details: [
        { field: 'leads[1]', message: TEAM_REQUIRED.error },
        { field: 'leads[3]', message: TEAM_REQUIRED.error },
      ],
    });
    await expect(leads.count(tenant)).resolves.toBe(0);
    await expect(leads.pointer(rotation)).resolves.toBe(0);
    await expect(leads.audit(tenant, { event: 'lead_created' })).resolves.toEqual([]);
    // Each refused batch is recorded as such, naming no lead (its items' entries rolled back with it).
    const refusals = await leads.audit(tenant, { event: 'request_rejected' });
    expect(refusals.map((e) => [e.statusCode, e.requestPath, e.leadId])).toEqual([
      [400, '/leads/batch?atomic=true', null],
      [400, '/leads/batch?atomic=true', null],
    ]);

    const ok = await batch(tenant, [lead(0), lead(1)], '?atomic=true').expect(200);
    expect(ok.body.results.map((r: { status: number }) => r.status)).toEqual([201, 201]);
    await expect(leads.pointer(rotation)).resolves.toBe(2);
  });

  it('takes 1 to 100 items', async () => {
    const tenant = await f.tenant();
    const tooMany = await batch(
      tenant,
      Array.from({ length: 101 }, (_, i) => ({ firstName: `L${i}`, lastName: 'B' })),
    ).expect(400);
    expect(tooMany.body.details).toEqual([{ field: 'leads', message: 'leads must contain no more than 100 elements' }]);
    const none = await batch(tenant, []).expect(400);
    expect(none.body.details).toEqual([{ field: 'leads', message: 'leads must contain at least 1 elements' }]);
    await t.http().post('/leads/batch').set(tenant.headers).send({ leads: {} }).expect(400);
    await expect(leads.count(tenant)).resolves.toBe(0);
  });

  it('checks duplicates against earlier items of the batch', async () => {
    const tenant = await f.tenant();
    await t.http().patch(`/accounts/${tenant.accountId}`).set(tenant.headers).send({ duplicateLeadPolicy: 'reject' }).expect(200);
    const res = await batch(tenant, [
      { firstName: 'A', lastName: 'B', email: 'a@example.com' },
      { firstName: 'A', lastName: 'B', email: 'b@example.com' },
      { firstName: 'A', lastName: 'B', email: ' A@Example.com' },
    ]).expect(200);
    const [a, , again] = res.body.results;
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 201, 409]);
    expect(again.error).toEqual({
      error: 'duplicate lead',
      details: [{ field: 'email', message: `lead ${a.lead.id} of this account already has this email`, leadId: a.lead.id }],
    });
    const returned = await batch(
      tenant,
      [{ firstName: 'A', lastName: 'B', email: 'a@example.com' }],
      '?onDuplicate=return_existing',
    ).expect(200);
    expect(returned.body.results).toEqual([{ index: 0, status: 200, lead: expect.objectContaining({ id: a.lead.id }) }]);
    // It created nothing, so the request has its own entry.
    const entries = await leads.audit(tenant, { requestPath: '/leads/batch?onDuplicate=return_existing' });
    expect(entries.map((e) => [e.event, e.statusCode])).toEqual([['api_request', 200]]);
    await expect(leads.count(tenant)).resolves.toBe(2);
  });

  it('is covered as a whole by an Idempotency-Key: a retry creates nothing new', async () => {
    const { tenant, rotation, lead } = await routed();
    const send = () => batch(tenant, [lead(0), lead(1), { firstName: 'bad' }]).set('Idempotency-Key', 'import-7');
    const first = await send().expect(200);
    const retry = await send().expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    await expect(leads.count(tenant)).resolves.toBe(2);
    await expect(leads.pointer(rotation)).resolves.toBe(2);
  });
});
