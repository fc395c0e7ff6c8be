import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Lead } from '../src/leads/entities/lead.entity';
import { Fixtures } from './utils/fixtures';
import { LeadFixtures } from './utils/lead-fixtures';
import { SetupFixtures } from './utils/setup-fixtures';
import { createTestApp, TestApp } from './utils/test-app';

describe('POST /leads under concurrency', () => {
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

  it('gives 90 concurrent creates through a rotation of 3 users exactly 30 each, in rotation order, one lead_created each', async () => {
    const tenant = await f.tenant();
    const reps = [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)];
    const team = await setup.team(tenant);
    const rotation = await setup.rotation(tenant, { teamId: team.id, emails: reps.map((r) => r.user.email) });

    const results = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        t
          .http()
          .post('/leads')
          .set(tenant.headers)
          .send({ firstName: 'Lead', lastName: `${i}`, teamId: team.id }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(90).fill(201));

    const rows = await t.ds.getRepository(Lead).find({ where: { accountId: tenant.account.id }, order: { id: 'ASC' } });
    expect(rows).toHaveLength(90);
    const counts = new Map<string | null, number>();
    for (const r of rows) counts.set(r.assignedTo, (counts.get(r.assignedTo) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(reps.map((r) => [r.user.email, 30])));
    await expect(leads.pointer(rotation)).resolves.toBe(0);

    // Each lead's entry records the pick it got (the rotation is locked from pick to commit).
    const created = await t.ds
      .getRepository(AuditLog)
      .find({ where: { accountId: tenant.account.id, event: 'lead_created' }, order: { id: 'ASC' } });
    expect(created).toHaveLength(90);
    expect(new Set(created.map((e) => e.leadId)).size).toBe(90);
    const byLead = new Map(rows.map((r) => [r.id, r.assignedTo]));
    for (const e of created) {
      const { assignment, assignedTo } = e.data as { assignment: { method: string; rotationId: number }; assignedTo: string };
      expect(assignment).toMatchObject({ method: 'rotation', rotationId: rotation.id });
      expect(assignedTo).toBe(byLead.get(e.leadId!));
    }
    // Every response carries its own lead_created entry and no other.
    for (const r of results)
      expect(r.body.auditLog.map((e: { event: string; data: { id: number } }) => [e.event, e.data.id])).toEqual([
        ['lead_created', r.body.id],
      ]);
  });

  it('routes concurrent batches and single creates one after another: by id, the leads follow the rotation exactly', async () => {
    const tenant = await f.tenant();
    const reps = [await f.memberOf(tenant), await f.memberOf(tenant), await f.memberOf(tenant)];
    const team = await setup.team(tenant);
    await setup.rotation(tenant, { teamId: team.id, emails: reps.map((r) => r.user.email) });
    const lead = (name: string) => ({ firstName: 'Lead', lastName: name, teamId: team.id });

    // More leads than one write takes (100), so writes of the rotation overlap.
    const batches = Array.from({ length: 3 }, (_, b) =>
      t
        .http()
        .post('/leads/batch')
        .set(tenant.headers)
        .send({ leads: Array.from({ length: 100 }, (_, i) => lead(`b${b}-${i}`)) }),
    );
    const singles = Array.from({ length: 30 }, (_, i) =>
      t
        .http()
        .post('/leads')
        .set(tenant.headers)
        .send(lead(`s${i}`)),
    );
    const [batchResults, singleResults] = await Promise.all([Promise.all(batches), Promise.all(singles)]);
    expect(batchResults.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const res of batchResults) expect(res.body.results.map((r: { status: number }) => r.status)).toEqual(Array(100).fill(201));
    expect(singleResults.map((r) => r.status)).toEqual(Array(30).fill(201));

    const rows = await t.ds.getRepository(Lead).find({ where: { accountId: tenant.account.id }, order: { id: 'ASC' } });
    expect(rows).toHaveLength(330);
    const emails = reps.map((r) => r.user.email);
    expect(rows.map((r) => r.assignedTo)).toEqual(rows.map((_, i) => emails[i % 3]));
    // Within a batch, index order is id order.
    for (const res of batchResults) {
      const ids = (res.body.results as { index: number; status: number; lead: { id: number } }[]).map((r) => r.lead.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
  });
});
